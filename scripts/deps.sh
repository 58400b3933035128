#!/usr/bin/env bash
# Installs what roundtable needs on Debian 12 (as root), idempotently: apt packages only when one
# is missing, and `npm ci` only when node_modules is missing or older than package-lock.json.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

APT_PACKAGES=(
    build-essential make pkg-config git ca-certificates curl procps iproute2 openssl unzip
    postgresql-15 postgresql-client-15 postgresql-server-dev-15 postgresql-contrib
    postgresql-15-pgtap pgtap
    redis-server redis-tools
    libwebsockets-dev libuv1-dev libhiredis-dev libcurl4-openssl-dev libjansson-dev libpq-dev
    libssl-dev libcmocka-dev
    clang-format cppcheck
    clang libclang-rt-14-dev
    chromium
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# Node.js: keep whatever node/npm the machine has (NodeSource builds bundle npm); Debian's
# nodejs + npm only when there is none.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || rt_die "missing packages (${missing[*]}); run as root to install them"
    rt_log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Debian starts the packaged postgresql/redis services on install; they are harmless (the
    # project runs its own on other ports) but are not needed, so keep them from starting.
    policy_rc=/usr/sbin/policy-rc.d
    own_policy=0
    if [ ! -e "$policy_rc" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy_rc"; chmod 755 "$policy_rc"; own_policy=1
    fi
    trap '[ "$own_policy" = 1 ] && rm -f "$policy_rc"' EXIT
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    rt_log "Debian packages: all present"
fi

command -v node >/dev/null || rt_die "node is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 18 ] || rt_die "node >= 18 is needed (found $(node -v))"

# npm ci only when the lock file is newer than the installed tree.
npm_ci_if_needed() {
    local dir="$1"
    [ -f "$dir/package-lock.json" ] || { rt_warn "$dir has no package-lock.json yet; skipping"; return 0; }
    if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
        rt_log "npm packages in ${dir#"$RT_ROOT"/}: up to date"
        return 0
    fi
    rt_log "npm ci in ${dir#"$RT_ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}
npm_ci_if_needed "$RT_ROOT/frontend"
npm_ci_if_needed "$RT_ROOT/tests"
