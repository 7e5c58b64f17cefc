#!/usr/bin/env bash
# After CI pushed an image: pin it in an environment (digest resolved from the registry),
# re-synthesize, commit and push to the branch (see change-pins.sh: a push race starts again from the
# remote branch, so concurrent builds never overwrite each other's pins).
#
# usage: pin-built-image.sh <env> <app/image> <reference> [branch]
set -euo pipefail

env="${1:?usage: pin-built-image.sh <env> <app/image> <reference> [branch]}"
target="${2:?usage: pin-built-image.sh <env> <app/image> <reference> [branch]}"
ref="${3:?usage: pin-built-image.sh <env> <app/image> <reference> [branch]}"
branch="${4:-main}"

exec "$(dirname "$0")/change-pins.sh" commit "$branch" - "deploy($env): $target $ref" /dev/null -- pin "$env" "$target=$ref"
