#!/usr/bin/env bash
# Checks the build context a dispatch names (workflow input or repository_dispatch client_payload,
# so anyone who can dispatch chooses it) and prints it: a folder of this repository's checkout,
# never a URL (a remote git context would build someone else's code), an absolute path, a path
# that climbs out, or a link that leads out.
#
# usage: build-context.sh <context>   (run from the checkout's root)
set -euo pipefail

context="${1:-.}"
refuse() {
  # Shown printable and short: the text came from whoever dispatched the workflow.
  local shown
  shown="$(printf '%s' "$context" | tr -c '[:print:]' '?' | cut -c1-120)"
  echo "build-context.sh: \"$shown\" $1; name a folder of this repository, such as . or services/web" >&2
  exit 2
}
[[ "$context" =~ ^[A-Za-z0-9._/-]+$ ]] || refuse "is not a plain relative path (URLs and git remotes are refused)"
[[ "$context" != /* && "$context" != -* ]] || refuse "is not a relative path"
[[ "/$context/" != */../* ]] || refuse "climbs out of the repository"
[ -d "$context" ] || refuse "is not a folder of this repository"
root="$(pwd -P)"
resolved="$(cd "$context" && pwd -P)"
[[ "$resolved" == "$root" || "$resolved" == "$root"/* ]] || refuse "leads out of the repository through a link"
echo "$context"
