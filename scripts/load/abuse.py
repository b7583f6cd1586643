#!/usr/bin/env python3
"""Bounded abuse run against a running `kefu serve` on loopback (scripts/abuse.sh starts one).

Normal traffic (questions and searches from eval/sets/corpus_en.jsonl, one connection each for
/v1/ask and /v1/search, from 127.0.0.1, each in a process of its own) runs alone for BASELINE seconds, then next to the abusers
for ABUSE seconds, each abuser from its own loopback address (127.0.0.2, ...), so that the
per-address limit on failed authentications does not touch the normal traffic:

  oversized   bodies of 1 MiB                                   at most 2,000 requests
  huge_k      /v1/search with k = 10^10                         at most 2,000 requests
  convos      /v1/ask, a new conversation id and a 900-character question each, 4 connections
                                                                at most 10,000 requests
  slow_sse    streamed answers whose client reads nothing for 5 s, 16 at a time
                                                                at most 400 streams
  slow_body   bodies sent half, then held until the server gives up, 8 at a time
                                                                at most 64 requests
  bad_keys    wrong API keys                                    at most 5,000 requests

Every error must be a JSON body with a stable code: any other is counted as a violation. The
server's RSS is sampled every 0.2 s. Prints one JSON object.

  python3 scripts/load/abuse.py HOST PORT ABUSER_KEY NORMAL_ASK_KEY,NORMAL_SEARCH_KEY ADMIN_KEY PID [BASELINE] [ABUSE]

A status 0 is a connection the server closed while the client was still sending (a 1 MiB body
refused after its first 64 KiB): no response to check.
"""
import http.client
import json
import multiprocessing
import random
import socket
import statistics
import sys
import threading
import time

HOST, PORT, KEY, NORMAL_KEYS, ADMIN, PID = (sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(","),
                                            sys.argv[5], int(sys.argv[6]))
BASELINE = float(sys.argv[7]) if len(sys.argv) > 7 else 20
ABUSE = float(sys.argv[8]) if len(sys.argv) > 8 else 60

with open("eval/sets/corpus_en.jsonl", encoding="utf-8") as f:
    QUESTIONS = [json.loads(line)["question"] for line in f if line.strip()]

lock = threading.Lock()
results = {}  # name -> {"requests", "statuses": {status: n}, "codes": {code: n}, "violations", "latencies"}
stop_abuse = threading.Event()
stop_all = threading.Event()


def record(name, status, body, latency=None, expect_json=True):
    with lock:
        r = results.setdefault(name, {"requests": 0, "statuses": {}, "codes": {}, "violations": [], "latencies": []})
        r["requests"] += 1
        r["statuses"][status] = r["statuses"].get(status, 0) + 1
        if latency is not None:
            r["latencies"].append(latency)
        if status >= 400 and expect_json:
            try:
                code = json.loads(body)["error"]["code"]
                r["codes"][code] = r["codes"].get(code, 0) + 1
            except Exception:  # noqa: BLE001 - any non-JSON error is what is counted
                if len(r["violations"]) < 5:
                    r["violations"].append(f"{status}: {body[:120]!r}")
                r["codes"]["NOT_JSON"] = r["codes"].get("NOT_JSON", 0) + 1


def connection(source):
    return http.client.HTTPConnection(HOST, PORT, timeout=120, source_address=(source, 0))


def request(conn, method, path, body, key=KEY, extra=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    headers.update(extra or {})
    conn.request(method, path, body, headers)
    response = conn.getresponse()
    return response.status, response.read()


def normal(route, key, started_event, stopped_event, stop, out):
    """In a process of its own, so that the abusers' threads do not hold its interpreter lock."""
    conn = connection("127.0.0.1")
    i = 0

    def phase():
        if not started_event.is_set():
            return "normal_alone"
        return "normal_after" if stopped_event.is_set() else "normal_under_abuse"

    while not stop.is_set():
        question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        field = "question" if route == "/v1/ask" else "query"
        name = f"{phase()} {route}"
        started = time.perf_counter()
        try:
            status, body = request(conn, "POST", route, json.dumps({field: question}), key=key)
        except Exception as e:  # noqa: BLE001
            status, body = 0, str(e).encode()
            conn = connection("127.0.0.1")
        record(name, status, body, (time.perf_counter() - started) * 1000)
    out.put({name: r for name, r in results.items()})


def repeat(name, source, limit, send):
    """A new connection per request: the server closes one whose body it refused unread."""
    for _ in range(limit):
        if stop_abuse.is_set():
            return
        conn = connection(source)
        try:
            status, body = send(conn)
        except Exception as e:  # noqa: BLE001 - counted, never expected
            status, body = 0, str(e).encode()
        conn.close()
        record(name, status, body)


def oversized(conn):
    return request(conn, "POST", "/v1/ask", json.dumps({"question": "x" * (1 << 20)}))


def huge_k(conn):
    return request(conn, "POST", "/v1/search", json.dumps({"query": "refund", "k": 10_000_000_000}))


counter = iter(range(10**9))


def new_conversation(conn):
    n = next(counter)
    question = f"How long do I have to return item {n}? " + "please tell me " * 56
    body = json.dumps({"question": question[:900], "conversation_id": f"abuse-{n:06d}-{random.getrandbits(64):016x}"})
    return request(conn, "POST", "/v1/ask", body)


def bad_key(conn):
    return request(conn, "POST", "/v1/search", json.dumps({"query": "refund"}), key=f"guess-{random.getrandbits(96):024x}")


def raw(source, head, body):
    s = socket.create_connection((HOST, PORT), timeout=120, source_address=(source, 0))
    s.sendall(head + body)
    return s


def slow_sse(source, limit, parallel):
    body = json.dumps({"question": "How long do I have to return an item?", "stream": True}).encode()
    head = (f"POST /v1/ask HTTP/1.1\r\nHost: kefu\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    done = 0
    while done < limit and not stop_abuse.is_set():
        sockets = [raw(source, head, body) for _ in range(parallel)]
        time.sleep(5)  # read nothing meanwhile
        for s in sockets:
            s.settimeout(10)
            status, data = read_reply(s, (b"event: done", b"event: error"))
            if status == 200:
                record("slow_sse", 200, b"", expect_json=False)
            else:
                record("slow_sse", status, data.split(b"\r\n\r\n", 1)[-1])
        done += parallel


def read_reply(s, ends):
    """Reads from a raw socket until one of `ends` arrives or it closes; closes it and returns
    the HTTP status (0 without a reply) and the bytes read."""
    data = b""
    try:
        while not any(end in data for end in ends):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except Exception:  # noqa: BLE001
        pass
    s.close()
    return (int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0), data


def slow_body(source, limit, parallel):
    head = (f"POST /v1/search HTTP/1.1\r\nHost: kefu\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n").encode()
    done = 0
    while done < limit and not stop_abuse.is_set():
        sockets = [raw(source, head, b'{"query"') for _ in range(parallel)]
        for s in sockets:
            status, data = read_reply(s, (b"}}",))
            record("slow_body", status, data.split(b"\r\n\r\n", 1)[-1])
        done += parallel


def rss():
    with open(f"/proc/{PID}/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def percentile(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))], 1) if values else None


abuse_started = threading.Event()
samples = []


def sample():
    while not stop_all.is_set():
        samples.append((time.time(), *rss()))
        time.sleep(0.2)


threading.Thread(target=sample, daemon=True).start()
mp_started, mp_stopped, mp_stop, mp_out = (multiprocessing.Event(), multiprocessing.Event(),
                                           multiprocessing.Event(), multiprocessing.Queue())
normals = [multiprocessing.Process(target=normal, args=(route, key, mp_started, mp_stopped, mp_stop, mp_out))
           for route, key in zip(("/v1/ask", "/v1/search"), NORMAL_KEYS)]
for t in normals:
    t.start()
time.sleep(BASELINE)
rss_before = rss()
abuse_started.set()
mp_started.set()
started = time.time()
abusers = [
    threading.Thread(target=repeat, args=("oversized", "127.0.0.2", 2000, oversized)),
    threading.Thread(target=repeat, args=("huge_k", "127.0.0.3", 2000, huge_k)),
    *[threading.Thread(target=repeat, args=("convos", "127.0.0.4", 2500, new_conversation)) for _ in range(4)],
    threading.Thread(target=slow_sse, args=("127.0.0.5", 400, 16)),
    threading.Thread(target=slow_body, args=("127.0.0.6", 64, 8)),
    threading.Thread(target=repeat, args=("bad_keys", "127.0.0.7", 5000, bad_key)),
]
for t in abusers:
    t.start()
time.sleep(ABUSE)
stop_abuse.set()
mp_stopped.set()
for t in abusers:
    t.join()
abuse_seconds = time.time() - started
stop_all.set()
mp_stop.set()
for _ in normals:
    results.update(mp_out.get())
for t in normals:
    t.join()

alive = True
try:
    status, _ = request(connection("127.0.0.1"), "GET", "/healthz", None, key=None)
    alive = status == 200
except Exception:  # noqa: BLE001
    alive = False
_, metrics = request(connection("127.0.0.1"), "GET", "/metrics", None, key=ADMIN)
gauges = {line.split()[0]: float(line.split()[1]) for line in metrics.decode().splitlines()
          if line.startswith(("kefu_conversations ", "kefu_conversation_bytes "))}
report = {
    "baseline_s": BASELINE,
    "abuse_s": round(abuse_seconds, 1),
    "alive_after": alive,
    "rss_mib_before_abuse": rss_before[0],
    "rss_mib_peak": max(s[2] for s in samples),
    "rss_mib_end": rss()[0],
    "conversations_held": gauges.get("kefu_conversations"),
    "conversation_bytes_held": gauges.get("kefu_conversation_bytes"),
    "groups": {},
}
for name, r in sorted(results.items()):
    report["groups"][name] = {
        "requests": r["requests"],
        "statuses": {str(k): v for k, v in sorted(r["statuses"].items(), key=lambda kv: str(kv[0]))},
        "codes": r["codes"],
        "p50_ms": percentile(r["latencies"], 0.5),
        "p99_ms": percentile(r["latencies"], 0.99),
        "violations": r["violations"],
    }
print(json.dumps(report, indent=1))
