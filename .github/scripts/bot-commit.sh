# Sourced by the workflow scripts: the manifold command and a commit of overlays/ and dist/ as the bot.
# env: MANIFOLD  the manifold command (default: pnpm -s manifold)
#      GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL for the commit (default: manifold-bot)
manifold=(${MANIFOLD:-pnpm -s manifold})

# True when overlays/ or dist/ differ from HEAD.
pins_changed() {
  [ -n "$(git status --porcelain -- overlays dist)" ]
}

# Commits overlays/ and dist/ with message $1 as the bot.
commit_pins() {
  git add -A -- overlays dist
  git -c user.name="${GIT_AUTHOR_NAME:-manifold-bot}" -c user.email="${GIT_AUTHOR_EMAIL:-manifold-bot@users.noreply.github.com}" commit --quiet -m "$1"
}
