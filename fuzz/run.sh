#!/usr/bin/env bash
# Seeds the corpora from the example portfolio and runs each fuzz target for
# a while: `fuzz/run.sh [seconds per target]` (default 60), or replays the
# corpus once without fuzzing: `fuzz/run.sh --replay`. Needs the nightly
# toolchain and cargo-fuzz (`cargo install --locked cargo-fuzz`). Crashes are
# written to fuzz/artifacts/<target>/ and make this script fail.
#
# FUZZ_CORPUS_DIR (default fuzz/corpus) is where the corpora are kept, so a
# machine can keep them between runs; FUZZ_TARGET_DIR, where the sanitizer
# build goes (default fuzz/target). After fuzzing for time without a crash
# the script records the reader's and renderer's sources in
# fuzz/fuzzed-sources: `.ci/run` fuzzes for time only when they changed
# since (commit that file after a fuzzing run).
set -euo pipefail
cd "$(dirname "$0")/.."
replay=false
if [ "${1:-}" = "--replay" ]; then
  replay=true
  seconds=0
else
  seconds="${1:-60}"
fi
corpora="${FUZZ_CORPUS_DIR:-fuzz/corpus}"
target_dir=()
[ -n "${FUZZ_TARGET_DIR:-}" ] && target_dir=(--target-dir "$FUZZ_TARGET_DIR")

for target in read_dossier render_pilot; do
  corpus="$corpora/$target"
  mkdir -p "$corpus"
  # Seeds: the example portfolio and the hostile corpus's small dossiers.
  # Copies, so that the fuzzer's additions never land in the repository.
  for f in content/*.md tests/fixtures/hostile/content/*.md; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp -f "$f" "$corpus/seed-$(basename "$f" | tr -c 'A-Za-z0-9._\n-' '_')"
  done
done

# Built first: a target that no longer compiles (the library's API moved)
# is said as such, not taken for a crash the fuzzer found.
for target in read_dossier render_pilot; do
  if ! cargo +nightly fuzz build "${target_dir[@]}" "$target"; then
    echo "!! the fuzz target $target does not build against this library" >&2
    exit 1
  fi
done

status=0
for target in read_dossier render_pilot; do
  if $replay; then
    echo "== replaying the corpus of $target ($(ls "$corpora/$target" | wc -l) inputs)"
    limit=(-runs=0)
  else
    echo "== fuzzing $target for ${seconds}s"
    limit=(-max_total_time="$seconds")
  fi
  if ! cargo +nightly fuzz run "${target_dir[@]}" "$target" "$corpora/$target" -- \
      "${limit[@]}" -dict=fuzz/dossier.dict -max_len=65536 \
      -timeout=20 -rss_limit_mb=2048 -print_final_stats=1; then
    echo "!! $target found a crash: see fuzz/artifacts/$target/" >&2
    status=1
  fi
done
if [ "$status" = 0 ] && ! $replay; then
  fuzz/sources.sh > fuzz/fuzzed-sources
fi
exit "$status"
