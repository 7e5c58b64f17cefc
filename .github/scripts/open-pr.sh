#!/usr/bin/env bash
# Opens a pull request from <branch>, or updates the body of the one already open from it; does
# nothing when <body-file> is empty (the scripts leave it empty when nothing changed).
#
# usage: open-pr.sh <branch> <base-branch> <title> <body-file>
# env:   GH_TOKEN           token for the GitHub CLI
#        GITHUB_REPOSITORY  owner/name of this repository (set by GitHub Actions): only a pull request
#                           whose head branch lives here is ours, never a fork's branch of the same name
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
repository="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY must be owner/name}"
owner="${repository%%/*}"
[[ "$owner" =~ ^[A-Za-z0-9-]+$ ]] || { echo "open-pr.sh: GITHUB_REPOSITORY must be owner/name" >&2; exit 2; }
open="$(gh pr list --head "$branch" --base "$base" --state open --json number,headRepositoryOwner \
  --jq "[.[] | select(.headRepositoryOwner.login == \"$owner\")][0].number // empty")"
if [ -n "$open" ]; then
  gh pr edit "$open" --body-file "$body"
else
  gh pr create --head "$branch" --base "$base" --title "$title" --body-file "$body"
fi
