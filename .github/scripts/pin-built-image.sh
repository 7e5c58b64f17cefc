#!/usr/bin/env bash
# After CI pushed an image: pin it in an environment (digest resolved from the registry),
# re-synthesize, commit and push to the branch. Retries on a push race, starting again from the
# remote branch each time, so concurrent builds never overwrite each other's pins.
#
# usage: pin-built-image.sh <env> <app/image> <reference> [branch]
# env:   MANIFOLD  the manifold command (default: pnpm -s manifold)
#        GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL for the commit (default: manifold-bot)
set -euo pipefail

env="${1:?usage: pin-built-image.sh <env> <app/image> <reference> [branch]}"
target="${2:?usage: pin-built-image.sh <env> <app/image> <reference> [branch]}"
ref="${3:?usage: pin-built-image.sh <env> <app/image> <reference> [branch]}"
branch="${4:-main}"
source "$(dirname "$0")/bot-commit.sh"

for attempt in 1 2 3; do
  git fetch --quiet origin "$branch"
  git reset --quiet --hard "origin/$branch"
  "${manifold[@]}" pin "$env" "$target=$ref"
  if ! pins_changed; then
    echo "$env $target is already pinned to $ref"
    exit 0
  fi
  commit_pins "deploy($env): $target $ref"
  if git push --quiet origin "HEAD:$branch"; then
    exit 0
  fi
  echo "push to $branch was rejected (attempt $attempt); starting again from origin/$branch" >&2
done
echo "could not push the pin to $branch after 3 attempts" >&2
exit 1
