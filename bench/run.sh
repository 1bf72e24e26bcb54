#!/usr/bin/env bash
# The performance benchmark: pilotscope against Zola and Hugo and against the
# I/O floor.
#
#   bench/run.sh                      # 1,000, 10,000 and 50,000 pilots
#   bench/run.sh --sizes 1000,10000   # fewer sizes
#
# Options: --sizes LIST, --seed N (1), --runs N (timed runs per row, 5),
# --edits N (edits for the serve latency, 20), --bin PATH (a pilotscope binary
# to measure instead of building this checkout), --zola PATH (the Zola
# binary; default: `zola` on the PATH, else bench/out/zola/bin/zola, which
# bench/zola.sh builds from source), --interval S (seconds between saves in
# the sustained-save row, 0.3), --out DIR (bench/out).
#
# Needs python3, cargo and rustc. hyperfine (whole-process timings), zola and
# hugo (the comparisons) and GNU time (/usr/bin/time, peak memory) are
# optional: rows that need a missing tool are skipped and the script says so.
# On Debian:
#
#   apt-get install hyperfine hugo time && bench/zola.sh
#
# The cold builds of pilotscope and Zola run in turn (A B A B ...), and so do
# Hugo's and Zola's, so that a noisy neighbour slows both sides of a ratio.
# Each starts after `rm -rf` of its last output and a `sync`: on a disk
# mounted with `discard`, the deletes of one run otherwise land in the next.
#
# It installs nothing. Everything it writes goes under bench/out/ (git-ignored):
# the generated portfolios (gen-N), the Zola and Hugo projects (zola-N,
# hugo-N), the sites, the
# raw results (results.tsv, hyperfine JSON) and the table (table.md).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
sizes="1000,10000,50000"
seed=1
runs=5
edits=20
bin=""
zola=""
interval=0.3
out="$here/out"
as_of="2026-11-24"

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --edits) edits="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --zola) zola="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

missing_required=()
for tool in python3 cargo rustc; do
  command -v "$tool" >/dev/null || missing_required+=("$tool")
done
if [ ${#missing_required[@]} -gt 0 ]; then
  echo "missing: ${missing_required[*]} (required)" >&2
  exit 2
fi
# BENCH_SKIP="hyperfine hugo" runs as if those were not installed.
have() { [[ " ${BENCH_SKIP:-} " != *" $1 "* ]] && command -v "$1" >/dev/null; }
missing=()
have hyperfine || missing+=("hyperfine (timings fall back to repeated runs timed by python)")
have hugo || missing+=("hugo (the Hugo rows are skipped)")
if [ -z "$zola" ]; then
  if have zola; then zola="$(command -v zola)"
  elif [ -x "$here/out/zola/bin/zola" ] && [[ " ${BENCH_SKIP:-} " != *" zola "* ]]; then zola="$here/out/zola/bin/zola"
  fi
fi
[ -n "$zola" ] || missing+=("zola (the Zola rows are skipped; bench/zola.sh builds it)")
[ -x /usr/bin/time ] || missing+=("GNU time at /usr/bin/time (the peak memory row is skipped)")
for m in "${missing[@]}"; do echo "missing: $m; install with: apt-get install hyperfine hugo time" >&2; done
[ -n "$zola" ] && echo "zola: $("$zola" --version)" >&2

mkdir -p "$out"
out="$(cd "$out" && pwd)"
tools="python3 $here/tools.py"
results="$out/results.tsv"
: > "$results"
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$results"; echo "  $2: $3" >&2; }

if [ -z "$bin" ]; then
  echo "building pilotscope (release)" >&2
  (cd "$repo" && cargo build --release --quiet --bin pilotscope)
  bin="$repo/target/release/pilotscope"
fi
rustc -O -o "$out/floor" "$here/floor.rs"

# Median wall time in seconds of a command, with an optional command before
# each run. Exit status 1 is accepted: a portfolio with a broken dossier
# builds, and says so with status 1.
timeit() { # name prepare command [runs]
  local name="$1" prepare="$2" cmd="$3" n="${4:-$runs}"
  if have hyperfine; then
    local args=(--style none --runs "$n" -i --export-json "$out/$name.json")
    [ -n "$prepare" ] && args+=(--prepare "$prepare")
    hyperfine "${args[@]}" "$cmd" 2>&1 >/dev/null | grep -v -e 'Ignoring non-zero exit code' -e '^ *$' >&2 || true
    $tools hyperfine-median "$out/$name.json"
  else
    $tools time --runs "$n" --ok-codes 0,1 ${prepare:+--prepare "$prepare"} -- "$cmd"
  fi
}

IFS=',' read -r -a size_list <<< "$sizes"
for n in "${size_list[@]}"; do
  echo "== $n pilots" >&2
  gen="$out/gen-$n"
  hugo_dir="$out/hugo-$n"
  zola_dir="$out/zola-$n"
  stamp="$gen/.generated-seed-$seed-zola"
  if [ ! -e "$stamp" ]; then
    rm -rf "$gen" "$hugo_dir" "$zola_dir"
    python3 "$here/generate.py" --count "$n" --seed "$seed" --hugo "$hugo_dir" --zola "$zola_dir" "$gen"
    touch "$stamp"
  fi
  site="$out/site-$n"
  pilot="$bin --root $gen --as-of $as_of"
  # Fewer runs for the largest portfolios: each cold build writes gigabytes.
  r=$runs; [ "$n" -ge 50000 ] && r=$(( runs < 3 ? runs : 3 ))

  if [ -n "$zola" ]; then
    read -r a b < <($tools pair --runs "$r" --out "$out" "cold-$n" "rm -rf $site && sync" "$pilot build --output $site" \
      "zola-$n" "rm -rf $zola_dir/public && sync" "$zola --root $zola_dir build")
    record "$n" cold "$a"
    record "$n" zola "$b"
    # The bytes each wrote (file contents, not folders), for the site's
    # cost a pilot.
    record "$n" zola_bytes "$(find "$zola_dir/public" -type f -printf '%s\n' | awk '{s += $1} END {print s}')"
    rm -rf "$zola_dir/public"
  else
    record "$n" cold "$(timeit "cold-$n" "rm -rf $site && sync" "$pilot build --output $site" "$r")"
  fi
  written="$( { $pilot build --output "$site" 2>&1 || true; } | sed -n 's/.*(\([0-9]*\) written.*/\1/p' | tail -1)"
  record "$n" nochange_written "$written"
  record "$n" nochange "$(timeit "nochange-$n" "" "$pilot build --output $site")"
  edited="$(find "$gen/content" -name '*.md' ! -name 'faq.md' | sort | sed -n 1p)"
  record "$n" edit "$(timeit "edit-$n" "$tools edit $edited" "$pilot build --output $site")"
  if [ -x /usr/bin/time ]; then
    rm -rf "$site"
    rss="$( { /usr/bin/time -f 'maxrss %M' $pilot build --output "$site" >/dev/null 2>"$out/time-$n.txt" || true; } ; sed -n 's/^maxrss //p' "$out/time-$n.txt")"
    record "$n" rss "$rss"
    if [ -n "$zola" ]; then
      rm -rf "$zola_dir/public"
      /usr/bin/time -f 'maxrss %M' "$zola" --root "$zola_dir" build >/dev/null 2>"$out/time-zola-$n.txt" || true
      record "$n" zola_rss "$(sed -n 's/^maxrss //p' "$out/time-zola-$n.txt")"
      rm -rf "$zola_dir/public"
    fi
  fi
  record "$n" check "$(timeit "check-$n" "" "$pilot check")"
  read -r page full < <($tools serve-latency --bin "$bin" --root "$gen" --out "$out/serve-$n" --as-of "$as_of" --edits "$edits")
  record "$n" serve "$page"
  record "$n" serve_full "$full"
  rm -rf "$out/serve-$n"
  read -r page last announced < <($tools serve-sustained --bin "$bin" --root "$gen" --out "$out/serve-$n" --as-of "$as_of" --edits "$edits" --interval "$interval")
  record "$n" sustained "$page"
  record "$n" sustained_last "$last"
  record "$n" sustained_index "$announced"
  rm -rf "$out/serve-$n"

  if have hugo; then
    if [ -n "$zola" ]; then
      read -r a b < <($tools pair --runs "$r" --out "$out" "hugo-$n" "rm -rf $hugo_dir/public && sync" "hugo --source $hugo_dir --quiet" \
        "zola_again-$n" "rm -rf $zola_dir/public && sync" "$zola --root $zola_dir build")
      record "$n" hugo "$a"
      record "$n" zola_again "$b"
      rm -rf "$zola_dir/public"
    else
      record "$n" hugo "$(timeit "hugo-$n" "rm -rf $hugo_dir/public && sync" "hugo --source $hugo_dir --quiet" "$r")"
    fi
    rm -rf "$hugo_dir/public"
  fi
  # The floor writes what the cold build wrote: same files, sizes and folders.
  (cd "$site" && find . -type f -printf '%s\t%P\n') > "$out/floor-$n.list"
  record "$n" bytes "$(awk -F '\t' '{s += $1} END {print s}' "$out/floor-$n.list")"
  record "$n" floor "$(timeit "floor-$n" "rm -rf $out/floor-out && sync" "$out/floor $out/floor-$n.list $out/floor-out" "$r")"
  rm -rf "$out/floor-out"
  # Keep the disk for the next size.
  [ "$n" -ge 50000 ] && rm -rf "$site"
done

{
  echo "pilotscope $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo
  $tools table "$results"
} | tee "$out/table.md"
