#!/usr/bin/env bash
# Builds kefu's web pages (the chat widget and the console) into web/dist, which the kefu
# binary embeds at build time (run by `make setup`; docs/web.md).
#
# The node packages come from the npm registry as web/package-lock.json pins them (npm's cache
# is outside git). Each step is skipped when its inputs did not change: the packages when the
# lockfile is the one installed, the build when no source changed since the last build that
# finished (its inputs' hash is written last, so an interrupted build is redone).
set -euo pipefail

WEB="$(cd "$(dirname "${BASH_SOURCE[0]}")/../web" && pwd)"
NODE_MIN="20.19.0"

log() { printf '==> %s\n' "$*"; }
die() { printf 'setup-web.sh: error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js is missing: kefu's widget and console are built with it (Node.js $NODE_MIN or later and npm; on Debian: apt-get install nodejs npm, or from nodejs.org)"
command -v npm >/dev/null || die "npm is missing: install it beside Node.js (on Debian: apt-get install npm)"
node -e "
const [a, b, c] = process.versions.node.split('.').map(Number);
const [x, y, z] = '$NODE_MIN'.split('.').map(Number);
process.exit(a > x || (a === x && (b > y || (b === y && c >= z))) ? 0 : 1);
" || die "Node.js $(node --version) is too old: the web build (Vite) needs $NODE_MIN or later"

cd "$WEB"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat node_modules/.kefu-lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
    log "installing the web build's node packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_hash" > node_modules/.kefu-lock-hash
fi

source_hash="$(find src demo scripts package-lock.json package.json tsconfig.json vite.*.config.ts \
    -type f ! -name '*.test.ts' ! -name '*.test.tsx' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [[ "$(cat dist/.kefu-source-hash 2>/dev/null)" != "$source_hash" ]]; then
    log "building the widget and the console into web/dist"
    rm -f dist/.kefu-source-hash
    npm run --silent build
    echo "$source_hash" > dist/.kefu-source-hash
fi
log "web pages ready: $WEB/dist"
