#!/usr/bin/env bash
# Promotes the pins of one environment to the next (tag and digest), as a pull request whose body is
# the promote table, or as a commit.
#
# usage: promote-pins.sh <from> <to> <commit|pr> <base-branch> <body-file> [image…]
set -euo pipefail

usage='usage: promote-pins.sh <from> <to> <commit|pr> <base-branch> <body-file> [image…]'
from="${1:?$usage}"
to="${2:?$usage}"
mode="${3:?$usage}"
base="${4:?$usage}"
body="${5:?$usage}"
shift 5
only=()
[ $# -eq 0 ] || only=(--only "$(IFS=,; echo "$*")")

exec "$(dirname "$0")/change-pins.sh" "$mode" "$base" "promote/$from-to-$to" "promote: $from → $to" "$body" -- promote "$from" "$to" "${only[@]}"
