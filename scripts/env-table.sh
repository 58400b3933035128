#!/usr/bin/env bash
# Prints the configuration table of README.md (`| Variable | Default | Description |`) from
# .env.example (or the file given): each `NAME=default` line with the `# ...` comment lines
# right above it (no blank line between) as its description. tests/deploy checks that README's
# block between <!-- env-table:start --> and <!-- env-table:end --> is exactly this output.
#   scripts/env-table.sh [path/to/.env.example]
set -euo pipefail
file="${1:-$(dirname "$0")/../.env.example}"
[ -f "$file" ] || { echo "env-table.sh: $file not found" >&2; exit 1; }

# Markdown cell: | escaped, nothing else touched (descriptions already use `code`).
cell() { local s="$1"; printf '%s' "${s//|/\\|}"; }

echo '| Variable | Default | Description |'
echo '|---|---|---|'
desc=''
n=0
while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line="${line%$'\r'}"
    if [[ -z "$line" ]]; then desc=''; continue; fi
    if [[ "$line" =~ ^#[[:space:]]?(.*)$ ]]; then
        desc="${desc:+$desc }${BASH_REMATCH[1]}"
        continue
    fi
    if [[ ! "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
        echo "env-table.sh: $file:$n is neither a comment nor NAME=value" >&2
        exit 1
    fi
    name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
    [ -n "$desc" ] || { echo "env-table.sh: $file:$n: $name has no # description line above it" >&2; exit 1; }
    if [ -n "$value" ]; then value="\`$value\`"; else value='(empty)'; fi
    # shellcheck disable=SC2016 # the backticks are Markdown
    printf '| `%s` | %s | %s |\n' "$name" "$(cell "$value")" "$(cell "$desc")"
    desc=''
done <"$file"
