#!/usr/bin/env bash
# Load benchmark of the HTTP service on loopback: POST /v1/search and POST /v1/ask at 1, 8 and
# 32 connections with wrk, over the bundled corpus; then /v1/search latency against the time to
# embed the question alone. Bounded in time: DURATION seconds per run (default 10), 6 runs.
#
#   scripts/load.sh            # builds the release binary if needed; needs wrk (apt-get install wrk)
#   DURATION=30 scripts/load.sh
#
# STORES="off sqlite sqlite-normal postgres" ROUTES=/v1/ask scripts/load.sh measures /v1/ask with
# the conversation store off (`store.record = false`), on SQLite (`synchronous` full, then
# normal), and on PostgreSQL (the server
# POSTGRES_URL names, else a throwaway cluster started with initdb on a free port).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-"1 8 32"}
KEFU=${KEFU:-target/release/kefu}
WORK=$(mktemp -d)
stop() {
  if [[ -n ${SERVER:-} ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [[ -n ${PG_STOP:-} ]]; then "${PG_STOP[@]}" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap stop EXIT

if ! command -v wrk >/dev/null; then
  echo "wrk is needed: apt-get install wrk (Debian/Ubuntu)" >&2
  exit 1
fi
[[ -x $KEFU ]] || cargo build --release
"$KEFU" ingest corpus --data "$WORK/data" >/dev/null

export KEFU_LOAD_KEY=load-$(od -An -N12 -tx1 /dev/urandom | tr -d " \n")
STORES=${STORES:-sqlite}
ROUTES=${ROUTES:-"/v1/search /v1/ask"}

# A throwaway PostgreSQL cluster when one is wanted and none is named.
start_postgres() {
  local bin port
  bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$WORK/pg"
  local run=()
  if [[ $(id -u) == 0 ]]; then chown postgres "$WORK" "$WORK/pg"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/initdb" -D "$WORK/pg/data" -U kefu --auth=trust >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$WORK/pg/data" -o "-p $port -k $WORK/pg -c listen_addresses=127.0.0.1" -l "$WORK/pg/log" -w start >/dev/null
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$WORK/pg/data" -m immediate stop)
  POSTGRES_URL="postgres://kefu@127.0.0.1:$port/postgres"
}

start_server() {
  local env=(KEFU_API_KEYS="$KEFU_LOAD_KEY:admin" KEFU_SERVER__RATE_LIMIT_PER_MINUTE=0 KEFU_LOG=warn)
  case $1 in
    off) env+=(KEFU_STORE__RECORD=false) ;;
    sqlite-normal) env+=(KEFU_STORE__SQLITE_SYNCHRONOUS=normal) ;;
    postgres)
      [[ -n ${POSTGRES_URL:-} ]] || start_postgres
      env+=(KEFU_STORE__URL="$POSTGRES_URL") ;;
  esac
  rm -f "$WORK/server.out"
  env "${env[@]}" "$KEFU" serve --data "$WORK/data" --addr 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER=$!
  for _ in $(seq 600); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
  ADDR=$(sed -n 's#listening on http://##p' "$WORK/server.out")
  [[ -n $ADDR ]] || { cat "$WORK/server.err" >&2; exit 1; }
}

echo "# kefu load benchmark ($(date -u +%F), $(nproc) cores, ${DURATION} s per run)"
echo
echo "| store | route | connections | requests/s | p50 ms | p99 ms | max ms | errors | non-2xx |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
read -ra stores <<<"$STORES"
for i in "${!stores[@]}"; do
  store=${stores[$i]}
  start_server "$store"
  for route in $ROUTES; do
    field=$([[ $route == /v1/search ]] && echo query || echo question)
    python3 scripts/load/bodies.py "$route" "$field" "$WORK/bodies.lua"
    for c in $CONNECTIONS; do
      threads=$(( c < 2 ? c : 2 ))
      wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 10s -s "$WORK/bodies.lua" "http://$ADDR" >"$WORK/wrk.out"
      echo -n "| $store "
      python3 scripts/load/row.py "$route" "$c" <"$WORK/wrk.out"
    done
  done
  # The last server stays up for the embedding comparison below.
  if (( i + 1 < ${#stores[@]} )); then kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; fi
done
echo
echo "/v1/search against embedding alone (1 connection, English questions):"
python3 scripts/load/embed_ratio.py "${ADDR%:*}" "${ADDR##*:}" "$KEFU_LOAD_KEY"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$SERVER/status)"
