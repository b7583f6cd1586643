#!/usr/bin/env bash
# Bounded abuse run of the HTTP service on loopback: normal traffic alone, then next to
# oversized bodies, huge k, 10,000 new conversations, slow clients holding SSE streams and
# half-sent bodies, and a burst of bad keys (scripts/load/abuse.py says how many of each).
# Prints a JSON report: the normal traffic's p50/p99 alone and under abuse, the server's peak
# RSS, whether it is alive after, and every error's status and code. Bounded in time:
# BASELINE + ABUSE seconds (default 20 + 60) plus start-up.
#
#   scripts/abuse.sh                       # release binary (built if needed)
#   RATE_LIMIT=600 scripts/abuse.sh        # the default per-key rate limit on
#   KEFU=target/debug/kefu scripts/abuse.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=${BASELINE:-20}
ABUSE=${ABUSE:-60}
KEFU=${KEFU:-target/release/kefu}
WORK=$(mktemp -d)
stop() {
  if [[ -n ${SERVER:-} ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap stop EXIT
trap "exit 1" INT TERM

[[ -x $KEFU ]] || cargo build --release
"$KEFU" ingest corpus --data "$WORK/data" >/dev/null

# Default limits (KEFU_SERVER__... variables set by the caller apply), but no per-key rate limit
# unless RATE_LIMIT is given: the abusers hold a valid key of their own, and the point is to
# reach the other bounds (conversations, k, bodies, requests in flight). The normal traffic has
# a key per connection.
secret() { echo "$1-$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")"; }
KEY=$(secret abuse) ASK=$(secret ask) SEARCH=$(secret search) ADMIN=$(secret admin)
KEFU_API_KEYS="$KEY:query,$ASK:query,$SEARCH:query,$ADMIN:admin" \
  KEFU_SERVER__RATE_LIMIT_PER_MINUTE=${RATE_LIMIT:-0} KEFU_LOG=warn \
  "$KEFU" serve --data "$WORK/data" --addr 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER=$!
for _ in $(seq 600); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's#listening on http://##p' "$WORK/server.out")
[[ -n $ADDR ]] || { cat "$WORK/server.err" >&2; exit 1; }

echo "# kefu abuse run ($(date -u +%F), $(nproc) cores, $KEFU, server $ADDR)" >&2
python3 scripts/load/abuse.py "${ADDR%:*}" "${ADDR##*:}" "$KEY" "$ASK,$SEARCH" "$ADMIN" "$SERVER" "$BASELINE" "$ABUSE"
if ! kill -0 "$SERVER" 2>/dev/null; then
  echo "the server died" >&2
  exit 1
fi
