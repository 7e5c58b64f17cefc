#!/usr/bin/env bash
# Changes pins with one manifold command (pin, promote, rollback) and delivers the result either as a
# commit on the base branch or as a pull-request branch. Shared by the deploy, promote, rollback and
# build-and-pin workflows.
#
# usage: change-pins.sh <commit|pr> <base-branch> <pr-branch> <message> <body-file> -- <manifold arguments…>
#   commit  runs the command on the tip of <base-branch>, commits overlays/ and dist/ and pushes; when
#           another push landed first it starts again from the remote (3 attempts), so no change is lost.
#   pr      runs the command on the tip of <base-branch> in <pr-branch>, made afresh on every run (a new
#           dispatch replaces the previous proposal), and pushes that branch.
# Both write <body-file>: the message and the table of image pins that move (the pull-request body, or
# the job summary). When the pins are already as asked, nothing is committed or pushed and <body-file>
# is left empty.
# env:   MANIFOLD  the manifold command (default: pnpm -s manifold)
#        GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL for the commit (default: manifold-bot)
set -euo pipefail

usage='usage: change-pins.sh <commit|pr> <base-branch> <pr-branch> <message> <body-file> -- <manifold arguments…>'
mode="${1:?$usage}"
base="${2:?$usage}"
pr_branch="${3:?$usage}"
message="${4:?$usage}"
body="${5:?$usage}"
[ "${6:-}" = "--" ] || { echo "$usage" >&2; exit 2; }
shift 6
case "$mode" in commit | pr) ;; *) echo "$usage" >&2; exit 2 ;; esac
source "$(dirname "$0")/bot-commit.sh"
: >"$body"

write_body() {
  {
    echo "$message"
    echo
    "${manifold[@]}" images diff --base "origin/$base" --markdown
  } >"$body"
}

for attempt in 1 2 3; do
  git fetch --quiet origin "$base"
  if [ "$mode" = pr ]; then git checkout --quiet -B "$pr_branch" "origin/$base"; else git reset --quiet --hard "origin/$base"; fi
  "${manifold[@]}" "$@"
  if ! pins_changed; then
    echo "nothing to change: the pins are already as asked"
    exit 0
  fi
  commit_pins "$message"
  # A caller that wants no body (pin-built-image.sh passes /dev/null) is spared the comparison.
  [ "$body" = /dev/null ] || write_body
  if [ "$mode" = pr ]; then
    git push --quiet --force origin "HEAD:refs/heads/$pr_branch"
    echo "pushed $pr_branch"
    exit 0
  fi
  if git push --quiet origin "HEAD:$base"; then
    echo "pushed $base"
    exit 0
  fi
  echo "push to $base was rejected (attempt $attempt); starting again from origin/$base" >&2
done
echo "could not push to $base after 3 attempts" >&2
exit 1
