#!/usr/bin/env python3
"""Writes a wrk Lua script that cycles through request bodies made from the labelled questions
in eval/sets (English and Chinese, answerable or not), and reports wrk's summary as JSON."""
import json
import sys

route, field, out = sys.argv[1], sys.argv[2], sys.argv[3]
questions = []
for name in ("corpus_en.jsonl", "corpus_zh.jsonl"):
    with open(f"eval/sets/{name}", encoding="utf-8") as f:
        questions += [json.loads(line)["question"] for line in f if line.strip()]
# Interleave the languages so that every stretch of a run has both.
en = [q for q in questions if q.isascii()]
zh = [q for q in questions if not q.isascii()]
mixed = [q for pair in zip(en, zh) for q in pair] + en[len(zh):] + zh[len(en):]
bodies = [json.dumps({field: q}, ensure_ascii=False) for q in mixed]

lua = ["bodies = {"]
lua += ["  [==[" + b + "]==]," for b in bodies]
lua.append("}")
lua.append(f"""
counter = 0
request = function()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  return wrk.format("POST", "{route}", {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("KEFU_LOAD_KEY")}}, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{{"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "errors": %d, "non_2xx": %d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, e.connect + e.read + e.write + e.timeout, e.status))
end
""")
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(lua))
