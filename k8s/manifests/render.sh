#!/usr/bin/env bash
# Renders the chart into the committed plain manifests (tests/deploy/k8s.test.mjs fails while
# k8s/manifests/roundtable.yaml differs from a fresh render). helm comes from the pinned npm
# package (tests/lib/k8s-tools.mjs); run scripts/deps.sh first on a new machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
node tests/lib/k8s-tools.mjs helm template roundtable k8s/helm/roundtable --namespace roundtable \
    -f k8s/manifests/values-demo.yaml >k8s/manifests/roundtable.yaml
echo "k8s/manifests/roundtable.yaml: $(grep -c '^kind: ' k8s/manifests/roundtable.yaml) objects"
