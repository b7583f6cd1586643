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
keys="$(sed -n 's/^KEFU_API_KEYS=//p' "$ENV_FILE")"
agent="$(tr ',' '\n' <<<"$keys" | sed -n 's/:agent$//p')"
admin="$(tr ',' '\n' <<<"$keys" | sed -n 's/:admin$//p')"
cat <<EOF

The demo is ready. Start it with:

    env \$(cat $ENV_FILE) target/debug/kefu serve --demo --data $DATA --addr $ADDR

then open
    the shop page:  http://$ADDR/demo            (Chinese: http://$ADDR/demo?lang=zh)
    the console:    http://$ADDR/console/        sign in with the admin key $admin
                                                 or the agent key $agent
EOF
