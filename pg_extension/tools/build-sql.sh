#!/usr/bin/env bash
# Builds one install or upgrade script of the extension on stdout (the Makefile calls it for
# every sql/roundtable--*.sql; docs/decisions/016-folded-base.md):
#
#   tools/build-sql.sh 0.5.0          the install script of a version:
#                                     the current one (default_version) is sql/base/*.sql;
#                                     an older one is sql/history/0.1.0.sql followed by the
#                                     parts of every later version up to it
#   tools/build-sql.sh 0.4.0--0.5.0   an upgrade script: the parts sql/history/0.5.0/*.sql
#
# sql/history/<version>/NN_topic.sql are applied in file-name order (byte order, as make's sort).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: tools/build-sql.sh VERSION | FROM--TO}
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" roundtable.control)

parts() { # version: its parts, in order
    find "sql/history/$1" -maxdepth 1 -name '*.sql' 2>/dev/null | LC_ALL=C sort
}
versions() { # every version of sql/history, oldest first
    { echo 0.1.0; find sql/history -mindepth 1 -maxdepth 1 -type d -printf '%f\n'; } | sort -V
}

case $target in
*--*)
    to=${target#*--}
    printf '%s\n' "\\echo Use \"ALTER EXTENSION roundtable UPDATE TO '$to'\" to load this file. \\quit"
    # shellcheck disable=SC2046
    cat /dev/null $(parts "$to")
    ;;
"$current")
    cat sql/base/*.sql
    ;;
*)
    versions | grep -qx "$target" || { echo "build-sql.sh: no version $target in sql/history" >&2; exit 1; }
    cat sql/history/0.1.0.sql
    for v in $(versions); do
        [ "$target" = 0.1.0 ] && break
        [ "$v" = 0.1.0 ] && continue
        # shellcheck disable=SC2046
        cat /dev/null $(parts "$v")
        [ "$v" = "$target" ] && break
    done
    ;;
esac
