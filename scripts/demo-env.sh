#!/usr/bin/env bash
# The last step of `make demo`: keys for the demo server (made once, kept in target/demo.env,
# outside git), then the one command that starts it and where to point a browser. Starts nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ENV_FILE="target/demo.env"
DATA="${1:-target/demo-data}"
ADDR="127.0.0.1:8080"

random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
if [[ ! -f "$ENV_FILE" ]]; then
    mkdir -p target
    umask 077
    cat > "$ENV_FILE.tmp" <<KEYS
KEFU_API_KEYS=pk_demo_$(random):publishable,agent_demo_$(random):agent,admin_demo_$(random):admin
KEFU_SERVER__SESSION_SECRET=$(random)$(random)
KEFU_HANDOFF__AGENT_CONSOLE=true
KEYS
    mv "$ENV_FILE.tmp" "$ENV_FILE"
fi
# The reference shop's order API (examples/reference_shop.rs, no token in the demo).
grep -q '^KEFU_ORDERS__URL=' "$ENV_FILE" || echo "KEFU_ORDERS__URL=http://127.0.0.1:8090/api/orders/{order_no}" >> "$ENV_FILE"
keys="$(sed -n 's/^KEFU_API_KEYS=//p' "$ENV_FILE")"
agent="$(tr ',' '\n' <<<"$keys" | sed -n 's/:agent$//p')"
admin="$(tr ',' '\n' <<<"$keys" | sed -n 's/:admin$//p')"
cat <<EOF

The demo is ready. Start it (kefu and the reference shop's order API; Ctrl-C stops both) with:

    target/debug/examples/reference_shop --addr 127.0.0.1:8090 --db target/demo-shop.db & env \$(cat $ENV_FILE) target/debug/kefu serve --demo --data $DATA --addr $ADDR; kill %1

then open
    the shop page:  http://$ADDR/demo            (Chinese: http://$ADDR/demo?lang=zh)
    the console:    http://$ADDR/console/        sign in with the admin key $admin
                                                 or the agent key $agent
    try an order:   "where is my order NW-58213?", then "alex.doe@example.com" (docs/orders.md)
EOF
