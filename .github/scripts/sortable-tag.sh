#!/usr/bin/env bash
# Prints the image tag for the commit at HEAD: main-<sha7>-<commit time in unix seconds>.
# Flux orders tags, not build times; the trailing timestamp makes these tags sortable.
set -euo pipefail
echo "main-$(git rev-parse --short=7 HEAD)-$(git show -s --format=%ct HEAD)"
