#!/usr/bin/env bash
# Seeds the corpora from the example portfolio and runs each fuzz target for
# a while: `fuzz/run.sh [seconds per target]` (default 60). Needs the nightly
# toolchain and cargo-fuzz (`cargo install --locked cargo-fuzz`). Crashes are
# written to fuzz/artifacts/<target>/ and make this script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

for target in read_dossier render_pilot; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  # Seeds: the example portfolio and the hostile corpus's small dossiers.
  # Copies, so that the fuzzer's additions never land in the repository.
  for f in content/*.md tests/fixtures/hostile/content/*.md; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp -f "$f" "$corpus/seed-$(basename "$f" | tr -c 'A-Za-z0-9._\n-' '_')"
  done
done

status=0
for target in read_dossier render_pilot; do
  echo "== fuzzing $target for ${seconds}s"
  if ! cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -dict=fuzz/dossier.dict -max_len=65536 \
      -timeout=20 -rss_limit_mb=2048 -print_final_stats=1; then
    echo "!! $target found a crash: see fuzz/artifacts/$target/" >&2
    status=1
  fi
done
exit "$status"
