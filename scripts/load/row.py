#!/usr/bin/env python3
"""One Markdown table row from the JSON line the wrk script's done() prints."""
import json
import sys

route, connections = sys.argv[1], sys.argv[2]
r = json.loads(sys.stdin.read().strip().splitlines()[-1])
print(
    f"| {route} | {connections} | {r['requests'] / r['seconds']:.0f} | {r['p50_ms']:.2f} | "
    f"{r['p99_ms']:.2f} | {r['max_ms']:.1f} | {r['errors']} | {r['non_2xx']} |"
)
