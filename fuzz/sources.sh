#!/usr/bin/env bash
# Prints one line that names the sources the fuzz targets exercise (the
# reader, the renderer, the targets themselves) by their git blob ids: it
# changes exactly when one of them does. See fuzz/run.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -s src/dossier src/site/markdown.rs src/site/markdown fuzz/fuzz_targets \
  | sha256sum | cut -d' ' -f1
