#!/usr/bin/env python3
"""One connection, English questions only: the end-to-end latency of POST /v1/search against
the time the server spent embedding the same question (its `timings.embed_ms`)."""
import http.client
import json
import statistics
import sys
import time

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open("eval/sets/corpus_en.jsonl", encoding="utf-8") as f:
    questions = [json.loads(line)["question"] for line in f if line.strip()]
connection = http.client.HTTPConnection(host, port)
headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
latencies, embeddings = [], []
for round_ in range(3):
    for question in questions:
        started = time.perf_counter()
        connection.request("POST", "/v1/search", json.dumps({"query": question}), headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status == 200, body
        if round_ > 0:  # the first round warms up
            latencies.append(elapsed)
            embeddings.append(json.loads(body)["timings"]["embed_ms"])
p50 = statistics.median(latencies)
embed = statistics.median(embeddings)
print(json.dumps({"requests": len(latencies), "search_p50_ms": round(p50, 3), "embed_p50_ms": round(embed, 3), "ratio": round(p50 / embed, 3)}))
