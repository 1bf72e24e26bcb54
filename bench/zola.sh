#!/usr/bin/env bash
# Builds the benchmark's peer, Zola 0.22.1, from its source:
#
#   bench/zola.sh                 # clones https://github.com/getzola/zola
#   bench/zola.sh /path/to/zola   # or a clone you have (any checkout of it)
#
# The binary ends up at bench/out/zola/bin/zola, where bench/run.sh looks
# for it (after --zola PATH and `zola` on the PATH). About 12 minutes of
# compiling on 2 cores. Only the files the build needs are checked out: a
# clone made without its large blobs (the documentation's screenshots) then
# still builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="v0.22.1"
source="${1:-https://github.com/getzola/zola}"
dest="$here/out/zola"
mkdir -p "$dest"
if [ ! -d "$dest/src/.git" ]; then
  rm -rf "$dest/src"
  git clone --quiet --no-checkout "$source" "$dest/src"
fi
cd "$dest/src"
git fetch --quiet --tags origin 2>/dev/null || true
paths=$(git ls-tree --name-only "$version" | grep -v -e '^docs$' -e '^test_site')
# shellcheck disable=SC2086
git checkout --quiet "$version" -- $paths
CARGO_TARGET_DIR="$dest/target" cargo build --release --locked
mkdir -p "$dest/bin"
cp "$dest/target/release/zola" "$dest/bin/zola"
"$dest/bin/zola" --version
