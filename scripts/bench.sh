#!/usr/bin/env bash
# Ingestion and search benchmarks on the bundled corpus; the figures of docs/benchmarks.md.
#
#   scripts/bench.sh [OUT_DIR]        (default target/bench)
#
# Measures: `make setup` cold (empty cache) and warm; a full ingest of corpus/ and a re-ingest
# of the unchanged corpus (release build, peak RSS from GNU time); index sizes on disk; raw
# embedding throughput of the same chunks, query-embedding latency and search latency per mode
# over 200 questions (benches/pipeline.rs). Prints a Markdown summary and keeps the raw files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-target/bench}"
mkdir -p "$OUT"
export KEFU_LOG=error
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "==> setup, cold and warm" >&2
COLD_HOME="$(mktemp -d)"
t0=$(now); KEFU_HOME="$COLD_HOME" bash scripts/setup.sh >"$OUT/setup-cold.log" 2>&1; t1=$(now)
KEFU_HOME="$COLD_HOME" bash scripts/setup.sh >"$OUT/setup-warm.log" 2>&1; t2=$(now)
rm -rf "$COLD_HOME"
echo "{\"cold_seconds\": $(elapsed "$t0" "$t1"), \"warm_seconds\": $(elapsed "$t1" "$t2")}" >"$OUT/setup.json"
bash scripts/setup.sh >/dev/null

echo "==> release build" >&2
cargo build --release --bin kefu >&2
BENCH_BIN="$(cargo bench --bench pipeline --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable") and m["target"]["name"] == "pipeline"][-1])')"

DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT
echo "==> ingest corpus/" >&2
/usr/bin/time -f '{"max_rss_kb": %M, "wall_seconds": %e}' -o "$OUT/ingest.time" \
  target/release/kefu ingest corpus --data "$DATA" --json >"$OUT/ingest.json"
/usr/bin/time -f '{"max_rss_kb": %M, "wall_seconds": %e}' -o "$OUT/reingest.time" \
  target/release/kefu ingest corpus --data "$DATA" --json >"$OUT/reingest.json"
target/release/kefu status --data "$DATA" --json >"$OUT/status.json"

echo "==> embedding and search (200 queries per mode)" >&2
KEFU_BENCH_DATA="$DATA" /usr/bin/time -f '{"max_rss_kb": %M}' -o "$OUT/pipeline.time" \
  "$BENCH_BIN" >"$OUT/pipeline.json"

python3 - "$OUT" <<'EOF'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
load = lambda name: json.loads((out / name).read_text())
setup, ingest, reingest, status, pipe = (load(n) for n in
    ["setup.json", "ingest.json", "reingest.json", "status.json", "pipeline.json"])
it, rt, pt = load("ingest.time"), load("reingest.time"), load("pipeline.time")
mib = lambda kb: f"{kb / 1024:.0f} MiB"
rows = [
    ("make setup, cold / warm", f"{setup['cold_seconds']} s / {setup['warm_seconds']} s"),
    ("ingest corpus/", f"{ingest['documents']} documents, {ingest['chunks']} chunks, {ingest['seconds']:.2f} s, "
        f"{ingest['chunks'] / ingest['seconds']:.1f} chunks/s, peak RSS {mib(it['max_rss_kb'])}"),
    ("raw embedding of the same chunks", f"{pipe['raw_embedding']['seconds']:.2f} s, "
        f"{pipe['raw_embedding']['chunks_per_second']:.1f} chunks/s"),
    ("re-ingest unchanged", f"{reingest['seconds']:.3f} s, embedded {reingest['embedded']}, peak RSS {mib(rt['max_rss_kb'])}"),
    ("query embedding alone", "p50 {p50:.2f} ms, p99 {p99:.2f} ms".format(**pipe["query_embedding_ms"])),
]
latency = "p50 {p50:.2f} ms, p99 {p99:.2f} ms".format
for mode in ["bm25", "dense", "hybrid"]:
    m = pipe["search_ms"][mode]
    rows.append((f"search {mode} ({pipe['queries']} queries)",
        f"{latency(**m)} (English: {latency(**m['en'])}; Chinese: {latency(**m['zh'])})"))
b = status["bytes"]
rows.append(("index on disk", f"catalog {b['catalog'] / 1024:.0f} KiB, BM25 {b['text_index'] / 1024:.0f} KiB, "
    f"vectors {b['vector_index'] / 1024:.0f} KiB; embedding cache {b['embedding_cache'] / 1024:.0f} KiB"))
rows.append(("peak RSS of the search benchmark", mib(pt["max_rss_kb"])))
print("| measure | result |\n|---|---|")
for name, value in rows:
    print(f"| {name} | {value} |")
EOF
