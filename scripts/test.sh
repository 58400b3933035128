#!/usr/bin/env bash
# make test: installs what is missing, builds everything (with the ASan/UBSan edge), starts a
# fresh test stack (RT_HOME=.rt/test, ports 18080/54330/63800) and runs every suite in order,
# failing fast with a banner per stage. The last line is "N passed, N failed" (test cases).
#   RT_TEST_ONLY=stage,stage   run only these stages (after set-up)
#   RT_TEST_KEEP_GOING=1       run every stage even after a failure
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$RT_ROOT"
export RT_ROOT

export RT_HOME="${RT_HOME:-.rt/test}"
export RT_HTTP_PORT="${RT_HTTP_PORT:-18080}"
export RT_PG_PORT="${RT_PG_PORT:-54330}"
export RT_REDIS_PORT="${RT_REDIS_PORT:-63800}"
export NO_COLOR=1 FORCE_COLOR=0 CI=1
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
STAGE_TIMEOUT="${RT_STAGE_TIMEOUT:-900}"

started_at=$(date +%s)
total_pass=0; total_fail=0
stage_results=()
failed_any=0

finish() {
    local rc=$?
    set +e
    if [ -n "${STACK_STARTED:-}" ]; then scripts/stack.sh stop >/dev/null 2>&1; fi
    echo
    echo "================================ summary ================================"
    for r in "${stage_results[@]}"; do echo "  $r"; done
    echo "  time: $(( $(date +%s) - started_at )) s"
    if [ "$failed_any" = 1 ] || [ "$rc" != 0 ]; then echo "  RESULT: FAIL"; else echo "  RESULT: PASS"; fi
    echo "$total_pass passed, $total_fail failed"
    if [ "$failed_any" = 1 ] && [ "$rc" = 0 ]; then exit 1; fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

banner() { printf '\n\033[1;36m======== %s ========\033[0m\n' "$*"; }

# Counts test cases in a stage's output; prints "pass fail" (empty when the format is unknown).
count_cases() {
    local log="$1" kind="$2"
    case "$kind" in
        node)
            awk '/^# pass /{p+=$3} /^# fail /{f+=$3} /^# cancelled /{f+=$3} END{if (p+f>0) print p+0, f+0}' "$log" ;;
        pg_prove)
            awk '/^Files=[0-9]+, Tests=[0-9]+/{split($2,a,"="); sub(",","",a[2]); t+=a[2]} /Failed [0-9]+\/[0-9]+ subtests/{split($2,b,"/"); f+=b[1]} END{if (t>0) print t-f, f+0}' "$log" ;;
        pg_regress)
            awk '/\.\.\. ok/{p++} /\.\.\. FAILED/{f++} /\.\.\. failed/{f++} END{if (p+f>0) print p+0, f+0}' "$log" ;;
        cmocka)
            awk '/\[  PASSED  \] [0-9]+ test/{p+=$4} /\[  FAILED  \] [0-9]+ test/{f+=$4} END{if (p+f>0) print p+0, f+0}' "$log" ;;
        vitest)
            sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '/^ *Tests +/{for(i=1;i<=NF;i++){if($(i+1) ~ /^passed/) p+=$i; if($(i+1) ~ /^failed/) f+=$i}} END{if (p+f>0) print p+0, f+0}' ;;
        tally) # the script's own last "…: N passed, N failed" line (tests/upgrade, tests/backup)
            awk 'match($0, /[0-9]+ passed, [0-9]+ failed$/){split(substr($0, RSTART), a, " "); p=a[1]; f=a[3]} END{if (p+f>0) print p+0, f+0}' "$log" ;;
        *) ;;
    esac
}

want_stage() {
    [ -z "${RT_TEST_ONLY:-}" ] && return 0
    case ",$RT_TEST_ONLY," in *",$1,"*) return 0 ;; esac
    return 1
}

# stage NAME KIND CMD...: runs CMD with a banner; output to the terminal and .rt/test/log/stage-NAME.log.
stage() {
    local name="$1" kind="$2"; shift 2
    want_stage "$name" || return 0
    banner "$name"
    local log="$LOG_DIR/stage-$name.log" t0 rc counts p f
    t0=$(date +%s)
    set +e
    # Stage bodies are shell functions: hand them to a child bash that has their definitions.
    timeout --kill-after=10 "$STAGE_TIMEOUT" bash -c "$(declare -f); \"\$@\"" stage "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    counts="$(count_cases "$log" "$kind")"
    if [ -n "$counts" ]; then read -r p f <<<"$counts"; else
        if [ "$rc" = 0 ]; then p=1; f=0; else p=0; f=1; fi
    fi
    [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    if [ "$rc" = 0 ]; then
        stage_results+=("$(printf 'PASS  %-24s %4s passed %4s failed  %4ss' "$name" "$p" "$f" "$(( $(date +%s) - t0 ))")")
    else
        [ "$rc" = 124 ] && echo "stage $name timed out after ${STAGE_TIMEOUT}s"
        stage_results+=("$(printf 'FAIL  %-24s %4s passed %4s failed  %4ss  (exit %s, log %s)' "$name" "$p" "$f" "$(( $(date +%s) - t0 ))" "$rc" "${log#"$RT_ROOT"/}")")
        failed_any=1
        printf '\n\033[1;31m!!!!!!!! stage %s FAILED (exit %s); log: %s\033[0m\n' "$name" "$rc" "$log"
        [ "${RT_TEST_KEEP_GOING:-0}" = 1 ] || exit 1
    fi
}

# A stage whose prerequisite has not landed fails with a clear reason.
need() { [ -e "$1" ] || { echo "missing: $1 ($2)"; return 1; }; }

# ---- set-up ---------------------------------------------------------------------------------
# Set-up steps fail fast (with RT_TEST_KEEP_GOING=1 a failed build is reported and the suites still run).
setup_step() {
    local name="$1"; shift
    banner "set-up: $name"
    if ! "$@"; then
        stage_results+=("$(printf 'FAIL  set-up: %s' "$name")")
        failed_any=1; total_fail=$((total_fail + 1))
        printf '\n\033[1;31m!!!!!!!! set-up "%s" FAILED\033[0m\n' "$name"
        [ "${RT_TEST_KEEP_GOING:-0}" = 1 ] || exit 1
    fi
}
setup_step deps scripts/deps.sh
setup_step "build (extension, edge + ASan/UBSan, SPA)" scripts/build.sh --asan
STACK_STARTED=1
setup_step "test stack (fresh database, flushed Redis)" scripts/stack.sh start --fresh
eval "$(scripts/stack.sh env)"
export LOG_DIR="$RT_HOME/log"
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/edge-*.log "$LOG_DIR"/stage-*.log "$LOG_DIR"/secrets-used.jsonl
scripts/stack.sh psql -c "CREATE EXTENSION IF NOT EXISTS pgtap" >/dev/null || rt_warn "pgtap extension not available"

# ---- stages -----------------------------------------------------------------------------------
lint_edge_format() { need edge/Makefile "edge engineer" && make -s -C edge format-check; }
lint_edge_cppcheck() { need edge/Makefile "edge engineer" && make -s -C edge lint; }
lint_ext_cppcheck() { need pg_extension/Makefile "extension engineer" && make -s -C pg_extension lint; }
lint_ext_format() {
    need pg_extension/Makefile "extension engineer" || return 1
    if make -s -C pg_extension -n format-check >/dev/null 2>&1; then make -s -C pg_extension format-check; return; fi
    local style=file
    [ -f pg_extension/.clang-format ] || [ -f .clang-format ] || style="file:$RT_ROOT/edge/.clang-format"
    local files; files=$(find pg_extension/src -name '*.[ch]' 2>/dev/null)
    [ -n "$files" ] || { echo "no C files in pg_extension/src"; return 1; }
    # shellcheck disable=SC2086
    clang-format --style="$style" --dry-run --Werror $files && echo "clang-format: $(echo "$files" | wc -w) files clean"
}
frontend_npm() { need frontend/package.json "frontend engineer" && (cd frontend && npm run --silent "$@"); }
# redocly.yaml: recommended-strict (every problem an error, so no warning passes) plus the rules
# this API promises; the WebSocket event catalogue (AsyncAPI) by @asyncapi/parser, warnings fail.
openapi_lint() { tests/node_modules/.bin/redocly lint openapi/openapi.yaml && node tests/lib/asyncapi-lint.mjs; }
pgtap() {
    local files; files=$(ls tests/pgtap/*.sql 2>/dev/null) || true
    [ -n "$files" ] || { echo "missing: tests/pgtap/*.sql (extension engineer)"; return 1; }
    # shellcheck disable=SC2086
    pg_prove -h "$RT_PG_SOCKET_DIR" -p "$RT_PG_PORT" -U postgres -d roundtable $files
}
pg_regress() {
    need pg_extension/Makefile "extension engineer" || return 1
    PGHOST="$RT_PG_SOCKET_DIR" PGPORT="$RT_PG_PORT" PGUSER=postgres make -C pg_extension installcheck \
        || { cat pg_extension/regression.diffs 2>/dev/null | head -100; return 1; }
}
upgrade() {
    need tests/upgrade/run.sh "extension engineer" || return 1
    # the base defines every object once (decision 016), then every upgrade path ends in its catalog
    PGHOST="$RT_PG_SOCKET_DIR" PGPORT="$RT_PG_PORT" PGUSER=postgres bash pg_extension/tools/check-base.sh \
        && PGHOST="$RT_PG_SOCKET_DIR" PGPORT="$RT_PG_PORT" PGUSER=postgres bash tests/upgrade/run.sh
}
backup_stage() { # dump a populated database, restore it into a fresh cluster, run rt-edge on it
    need tests/backup/run.sh "backup engineer" && need edge/build-asan/rt-edge "edge engineer: make -C edge asan" || return 1
    RT_EDGE_BIN="$RT_ROOT/edge/build-asan/rt-edge" bash tests/backup/run.sh
}
# containers, compose, .env.example, migrate.sh, Helm, the CI workflow: static checks with pinned
# tools (no Docker engine or cluster here) and migrate.sh against this stack's PostgreSQL
deploy_stage() {
    need edge/build-asan/rt-edge "edge engineer: make -C edge asan" || return 1
    RT_EDGE_BIN="$RT_ROOT/edge/build-asan/rt-edge" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        node --test --test-concurrency=1 --test-force-exit --test-reporter=tap tests/deploy/*.test.mjs
}
edge_unit() { need edge/Makefile "edge engineer" && make -C edge test-normal; }
edge_unit_asan() {
    need edge/Makefile "edge engineer" || return 1
    if make -C edge -n test-asan >/dev/null 2>&1; then make -C edge test-asan
    else echo "edge/Makefile has no test-asan target"; return 1; fi
}
integration() {
    local files; files=$(ls tests/integration/*.test.mjs)
    need edge/build-asan/rt-edge "edge engineer: make -C edge asan" || return 1
    # shellcheck disable=SC2086
    RT_EDGE_BIN="$RT_ROOT/edge/build-asan/rt-edge" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1 node --test --test-concurrency=1 --test-force-exit --test-timeout=300000 --test-reporter=tap $files
    local rc=$?
    sanitizer_scan || rc=1
    return $rc
}
sanitizer_scan() {
    local bad
    bad=$(grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer' "$LOG_DIR"/edge-*.log 2>/dev/null || true)
    if [ -n "$bad" ]; then
        echo "sanitizer reports in rt-edge logs:"
        for f in $bad; do echo "--- $f"; grep -E -A25 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -60; done
        return 1
    fi
    echo "no ASan/UBSan reports in $(ls "$LOG_DIR"/edge-*.log 2>/dev/null | wc -l) rt-edge logs"
}
# docs/sql-api.md regenerated from the catalog (and every example run), docs/analytics.md's
# queries run as rt_analyst, the Redis keys one command uses together hash to one Cluster slot,
# the design notes and links, make dev's Vite proxy
docs_check() { node --test --test-concurrency=1 --test-reporter=tap tests/docs/*.test.mjs; }
fuzz_stage() { FUZZ_SECONDS="${FUZZ_SECONDS:-25}" scripts/fuzz.sh; } # seven harnesses: ~3.5 min with the build
e2e() {
    local files; files=$(ls tests/e2e/*.test.mjs 2>/dev/null) || true
    [ -n "$files" ] || { echo "missing: tests/e2e/*.test.mjs (frontend engineer)"; return 1; }
    need frontend/dist/index.html "frontend build" || return 1
    touch "$LOG_DIR/e2e-started"
    # shellcheck disable=SC2086
    RT_EDGE_BIN="$RT_ROOT/edge/build-asan/rt-edge" node tests/lib/with-edge.mjs --port "$RT_HTTP_PORT" -- \
        node --test --test-concurrency=1 --test-force-exit --test-timeout=300000 --test-reporter=tap $files
    local rc=$?
    # The screenshots are the stage's artifacts (git-ignored): say where this run's are.
    echo "screenshots: $(find tests/e2e/screenshots -name '*.png' -newer "$LOG_DIR/e2e-started" 2>/dev/null | wc -l) written by this run in tests/e2e/screenshots/ (console/: main screens en/ru x light/dark; responsive/: 390 and 1024 px)"
    sanitizer_scan || rc=1
    return $rc
}

stage lint-edge-format       plain  lint_edge_format
stage lint-extension-format  plain  lint_ext_format
stage lint-edge-cppcheck     plain  lint_edge_cppcheck
stage lint-extension-cppcheck plain lint_ext_cppcheck
stage lint-frontend-eslint   plain  frontend_npm lint
stage lint-frontend-prettier plain  frontend_npm format:check
stage lint-frontend-types    plain  frontend_npm typecheck
stage lint-openapi           plain  openapi_lint
stage pgtap                  pg_prove   pgtap
stage pg-regress             pg_regress pg_regress
stage extension-upgrade      tally      upgrade
stage deploy                 node       deploy_stage
stage backup                 tally      backup_stage
stage docs                   node       docs_check
stage edge-unit              cmocka     edge_unit
stage edge-unit-asan         cmocka     edge_unit_asan
stage fuzz                   plain      fuzz_stage
stage frontend-vitest        vitest     frontend_npm test
stage integration            node       integration
stage e2e                    node       e2e
# last: no log line of rt-edge, PostgreSQL or Redis holds a secret the suites above used
stage secrets-in-logs        node       node --test --test-reporter=tap tests/scan/secrets-in-logs.test.mjs
