#!/usr/bin/env bash
# SPA bundle size: builds the SPA into a temporary directory (frontend/dist is left alone) and
# prints the gzip and brotli sizes of the JavaScript a first load needs, from the build's
# manifest: the entry chunk index.html loads with its static imports (the target: initial JS
# under 200 KB gzipped, issue 9), each lazy screen's extra chunks, and the total.
#
#   bench/bundle/run.sh            # from the repository root; needs frontend/node_modules
#   KEEP=1 bench/bundle/run.sh     # keeps the build and says where
#
# Sizes are of the .gz (gzip -9) and .br (brotli 11) files the build writes next to each asset
# (vite.config.ts), i.e. what rt-edge sends; KB = 1024 bytes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mktemp -d "${TMPDIR:-/tmp}/rt-bundle.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$out"' EXIT
(cd "$root/frontend" && npx vite build --logLevel error --manifest --outDir "$out" --emptyOutDir)
node "$root/bench/bundle/sizes.mjs" "$out"
[ "${KEEP:-0}" != 1 ] || echo "build kept in $out"
