#!/usr/bin/env python3
"""10,000 new conversations against a running `kefu serve` (docs/benchmarks.md).

Usage: conversations.py ADDR KEY ADMIN_KEY PID [COUNT] [CONNECTIONS]

Each request is `POST /v1/ask` with a new client-chosen conversation id and a request for a
person (answered without retrieval, so that a debug build on two cores gets through 10,000 in a
minute or two: what is measured is the conversation store, not the answers). Prints JSON: the
statuses, the server's RSS before, at its peak (sampled every 0.2 s) and after, and the
`kefu_conversations` / `kefu_conversation_bytes` gauges at the end.
"""
import http.client
import json
import sys
import threading
import time

ADDR, KEY, ADMIN, PID = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
COUNT = int(sys.argv[5]) if len(sys.argv) > 5 else 10_000
CONNECTIONS = int(sys.argv[6]) if len(sys.argv) > 6 else 4
host, port = ADDR.rsplit(":", 1)


def rss_mib():
    with open(f"/proc/{PID}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


statuses, lock, peak, done = {}, threading.Lock(), [rss_mib()], threading.Event()


def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_mib())
        time.sleep(0.2)


def client(worker):
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    for n in range(worker, COUNT, CONNECTIONS):
        body = json.dumps({
            "question": "I want to talk to a human",
            "conversation_id": f"convo-{n:06d}-{'x' * 40}",
        })
        conn.request("POST", "/v1/ask", body, {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        with lock:
            statuses[response.status] = statuses.get(response.status, 0) + 1


before = rss_mib()
sampler = threading.Thread(target=sample)
sampler.start()
started = time.monotonic()
workers = [threading.Thread(target=client, args=(w,)) for w in range(CONNECTIONS)]
for w in workers:
    w.start()
for w in workers:
    w.join()
seconds = time.monotonic() - started
done.set()
sampler.join()
conn = http.client.HTTPConnection(host, int(port), timeout=60)
conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {ADMIN}"})
metrics = conn.getresponse().read().decode()
gauges = {line.split()[0]: float(line.split()[1]) for line in metrics.splitlines()
          if line.startswith(("kefu_conversations ", "kefu_conversation_bytes "))}
print(json.dumps({
    "requests": COUNT, "seconds": round(seconds, 1), "statuses": statuses,
    "rss_mib": {"before": round(before), "peak": round(peak[0]), "after": round(rss_mib())},
    "conversations_held": gauges.get("kefu_conversations"),
    "conversation_bytes_held": gauges.get("kefu_conversation_bytes"),
}))
