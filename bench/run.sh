#!/usr/bin/env bash
# The performance benchmark: pilotscope against Hugo and against the I/O floor.
#
#   bench/run.sh                      # 1,000, 10,000 and 50,000 pilots
#   bench/run.sh --sizes 1000,10000   # fewer sizes
#
# Options: --sizes LIST, --seed N (1), --runs N (timed runs per row, 5),
# --edits N (edits for the serve latency, 20), --bin PATH (a pilotscope binary
# to measure instead of building this checkout), --out DIR (bench/out).
#
# Needs python3, cargo and rustc. hyperfine (whole-process timings), hugo (the
# comparison) and GNU time (/usr/bin/time, peak memory) are optional: rows
# that need a missing tool are skipped and the script says so. On Debian:
#
#   apt-get install hyperfine hugo time
#
# It installs nothing. Everything it writes goes under bench/out/ (git-ignored):
# the generated portfolios (gen-N), the Hugo projects (hugo-N), the sites, the
# raw results (results.tsv, hyperfine JSON) and the table (table.md).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
sizes="1000,10000,50000"
seed=1
runs=5
edits=20
bin=""
out="$here/out"
as_of="2026-11-24"

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --edits) edits="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
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
[ -x /usr/bin/time ] || missing+=("GNU time at /usr/bin/time (the peak memory row is skipped)")
for m in "${missing[@]}"; do echo "missing: $m; install with: apt-get install hyperfine hugo time" >&2; done

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
  stamp="$gen/.generated-seed-$seed"
  if [ ! -e "$stamp" ]; then
    rm -rf "$gen" "$hugo_dir"
    python3 "$here/generate.py" --count "$n" --seed "$seed" --hugo "$hugo_dir" "$gen"
    touch "$stamp"
  fi
  site="$out/site-$n"
  pilot="$bin --root $gen --as-of $as_of"
  # Fewer runs for the largest portfolios: each cold build writes gigabytes.
  r=$runs; [ "$n" -ge 50000 ] && r=$(( runs < 3 ? runs : 3 ))

  record "$n" cold "$(timeit "cold-$n" "rm -rf $site" "$pilot build --output $site" "$r")"
  written="$( { $pilot build --output "$site" 2>&1 || true; } | sed -n 's/.*(\([0-9]*\) written.*/\1/p' | tail -1)"
  record "$n" nochange_written "$written"
  record "$n" nochange "$(timeit "nochange-$n" "" "$pilot build --output $site")"
  edited="$(find "$gen/content" -name '*.md' ! -name 'faq.md' | sort | sed -n 1p)"
  record "$n" edit "$(timeit "edit-$n" "$tools edit $edited" "$pilot build --output $site")"
  if [ -x /usr/bin/time ]; then
    rm -rf "$site"
    rss="$( { /usr/bin/time -f 'maxrss %M' $pilot build --output "$site" >/dev/null 2>"$out/time-$n.txt" || true; } ; sed -n 's/^maxrss //p' "$out/time-$n.txt")"
    record "$n" rss "$rss"
  fi
  record "$n" check "$(timeit "check-$n" "" "$pilot check")"
  read -r page full < <($tools serve-latency --bin "$bin" --root "$gen" --out "$out/serve-$n" --as-of "$as_of" --edits "$edits")
  record "$n" serve "$page"
  record "$n" serve_full "$full"
  rm -rf "$out/serve-$n"

  if have hugo; then
    record "$n" hugo "$(timeit "hugo-$n" "rm -rf $hugo_dir/public" "hugo --source $hugo_dir --quiet" "$r")"
    rm -rf "$hugo_dir/public"
  fi
  # The floor writes what the cold build wrote: same files, sizes and folders.
  (cd "$site" && find . -type f -printf '%s\t%P\n') > "$out/floor-$n.list"
  record "$n" floor "$(timeit "floor-$n" "rm -rf $out/floor-out" "$out/floor $out/floor-$n.list $out/floor-out" "$r")"
  rm -rf "$out/floor-out"
  # Keep the disk for the next size.
  [ "$n" -ge 50000 ] && rm -rf "$site"
done

{
  echo "pilotscope $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo
  $tools table "$results"
} | tee "$out/table.md"
