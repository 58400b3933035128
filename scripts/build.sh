#!/usr/bin/env bash
# Builds every piece: the extension, rt-edge (and with --asan its ASan/UBSan build), the SPA.
# A piece that has not landed yet (no Makefile / package.json) is skipped with a warning.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

asan=0; [ "${1:-}" = --asan ] && asan=1
failed=()
jobs="$(nproc 2>/dev/null || echo 2)"

if [ -f "$RT_ROOT/pg_extension/Makefile" ]; then
    rt_log "build: pg_extension"
    make -s -j"$jobs" -C "$RT_ROOT/pg_extension" || failed+=(pg_extension)
else rt_warn "pg_extension/Makefile missing; skipped"; fi

if [ -f "$RT_ROOT/edge/Makefile" ]; then
    rt_log "build: edge (edge/build/rt-edge)"
    make -s -j"$jobs" -C "$RT_ROOT/edge" || failed+=(edge)
    if [ "$asan" = 1 ]; then
        rt_log "build: edge ASan/UBSan (edge/build-asan/rt-edge)"
        make -s -j"$jobs" -C "$RT_ROOT/edge" asan || failed+=(edge-asan)
    fi
else rt_warn "edge/Makefile missing; skipped"; fi

if [ -f "$RT_ROOT/frontend/package.json" ]; then
    # api-docs/: the /api/docs page's own files, copied into dist by the build (vite.config.ts)
    if [ ! -d "$RT_ROOT/frontend/dist" ] || [ -n "$(find "$RT_ROOT/frontend/src" "$RT_ROOT/frontend/index.html" \
            "$RT_ROOT/frontend/api-docs" "$RT_ROOT/frontend/package.json" "$RT_ROOT/frontend/vite.config.ts" "$RT_ROOT/openapi/openapi.yaml" -newer "$RT_ROOT/frontend/dist" -print -quit 2>/dev/null)" ]; then
        rt_log "build: frontend (frontend/dist)"
        if (cd "$RT_ROOT/frontend" && npm run --silent build); then touch "$RT_ROOT/frontend/dist"
        else failed+=(frontend); fi
    else
        rt_log "build: frontend up to date"
    fi
else rt_warn "frontend/package.json missing; skipped"; fi

if [ "${#failed[@]}" -gt 0 ]; then
    rt_warn "build failed: ${failed[*]}"
    exit 1
fi
