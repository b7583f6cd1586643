"""Speed and agreement of the fp32 graph vs the int8 export, with ONNX Runtime.

    python3 scripts/modelkit/bench_minilm.py      (after scripts/setup.sh)

Passages: chunks of 100-250 tokens of the Python help() topics (English prose
that every machine with python3 has), in batches of 32 sorted by length, with
2 intra-op threads. Queries: short FAQ questions, one per run. Tokenization is
done up front and not timed. The two models run in alternating rounds so that
both see the same background load.
"""

import os
import statistics
import sys
import time
from pydoc_data.topics import topics

import kefu_env  # first: puts $KEFU_HOME/pytools on sys.path

# isort: split
import numpy as np

import minilm

N_PASSAGES = 256
BATCH = 32
ROUNDS = 3
QUERY_RUNS = 300
QUERIES = [
    "How do I reset my password?",
    "Where is my order right now?",
    "Can I return an item without a receipt?",
    "How long does shipping to Canada take?",
    "Do you offer student discounts?",
    "Why was my card declined at checkout?",
    "How can I change my delivery address?",
    "Is there a warranty on refurbished laptops?",
    "How do I cancel my subscription?",
    "What payment methods do you accept?",
]


def passages(tok) -> list:
    """N_PASSAGES chunks of 100-250 tokens of Python's help() topics, deterministic.

    Each topic's paragraphs are packed greedily into chunks of at most 250
    tokens, as a document chunker would; chunks under 100 tokens are dropped.
    """

    def n_tokens(texts: list) -> list:
        return [sum(e.attention_mask) for e in tok.encode_batch(texts)]

    chunks = []
    for _, text in sorted(topics.items()):
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
        chunk, size = [], 0
        for para, n in zip(paragraphs, n_tokens(paragraphs), strict=True):
            if chunk and size + n > 250:
                chunks.append(" ".join(chunk))
                chunk, size = [], 0
            chunk.append(para)
            size += n
        chunks.append(" ".join(chunk))
    picked = [c for c, n in zip(chunks, n_tokens(chunks), strict=True) if 100 <= n <= 250]
    if len(picked) < N_PASSAGES:
        sys.exit(f"only {len(picked)} passages of 100-250 tokens found")
    step = len(picked) / N_PASSAGES  # spread over all topics
    return [picked[int(i * step)] for i in range(N_PASSAGES)]


def embed_all(sess, batches: list) -> np.ndarray:
    return np.concatenate(
        [minilm.mean_pool(sess.run(["last_hidden_state"], f)[0], f["attention_mask"]) for f in batches]
    )


def main() -> int:
    tok = minilm.tokenizer(kefu_env.MODEL_DIR)
    texts = passages(tok)
    lengths = [sum(e.attention_mask) for e in tok.encode_batch(texts)]
    texts = [t for _, t in sorted(zip(lengths, texts, strict=True))]
    batches = [minilm.encode(tok, texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    queries = [minilm.encode(tok, [q]) for q in QUERIES]
    q_lengths = [q["input_ids"].shape[1] for q in queries]
    print(
        f"{len(texts)} passages, tokens min/median/max {min(lengths)}/{int(np.median(lengths))}/{max(lengths)}; "
        f"{len(queries)} queries, tokens {min(q_lengths)}-{max(q_lengths)}; load average {os.getloadavg()[0]:.2f}"
    )

    int8_bytes = minilm.int8_model_bytes(kefu_env.DOWNLOADS / minilm.INT8_WHEEL)
    models = {"fp32": (kefu_env.MODEL_DIR / "model.onnx").read_bytes(), "int8": int8_bytes}
    sessions = {name: minilm.session(data) for name, data in models.items()}
    vectors = {name: embed_all(s, batches) for name, s in sessions.items()}  # also warms up
    rates = {name: [] for name in models}
    latencies = {name: [] for name in models}
    for _ in range(ROUNDS):
        for name, sess in sessions.items():
            start = time.perf_counter()
            embed_all(sess, batches)
            rates[name].append(len(texts) / (time.perf_counter() - start))
            for i in range(QUERY_RUNS // ROUNDS):
                start = time.perf_counter()
                sess.run(["last_hidden_state"], queries[i % len(queries)])
                latencies[name].append(1000 * (time.perf_counter() - start))

    for name in models:
        lat = sorted(latencies[name])
        rounds = ", ".join(f"{r:.1f}" for r in rates[name])
        print(
            f"{name}: {len(models[name]) / 1e6:.1f} MB, passages/s median {statistics.median(rates[name]):.1f} "
            f"(rounds {rounds}), query latency median {statistics.median(lat):.2f} ms "
            f"p99 {lat[int(0.99 * (len(lat) - 1))]:.2f} ms"
        )
    cos = (vectors["fp32"] * vectors["int8"]).sum(1)
    print(f"int8 vs fp32 pooled cosine over the passages: min {cos.min():.5f} mean {cos.mean():.5f}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
