#!/usr/bin/env bash
# Opens a pull request from <branch>, or updates the body of the one already open from it; does
# nothing when <body-file> is empty (the scripts leave it empty when nothing changed).
#
# usage: open-pr.sh <branch> <base-branch> <title> <body-file>
# env:   GH_TOKEN  token for the GitHub CLI
set -euo pipefail

usage='usage: open-pr.sh <branch> <base-branch> <title> <body-file>'
branch="${1:?$usage}"
base="${2:?$usage}"
title="${3:?$usage}"
body="${4:?$usage}"

if [ ! -s "$body" ]; then
  echo "nothing changed: no pull request"
  exit 0
fi
open="$(gh pr list --head "$branch" --base "$base" --state open --json number --jq '.[0].number // empty')"
if [ -n "$open" ]; then
  gh pr edit "$open" --body-file "$body"
else
  gh pr create --head "$branch" --base "$base" --title "$title" --body-file "$body"
fi
