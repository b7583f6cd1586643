"""A plain numpy BERT forward pass: the independent reference the converted graphs are checked against.

One unpadded sequence at a time, in the dtype of the weights (float64 in the checks), written
from the BERT definition rather than from bert_onnx.py's graph.
"""

import math

import numpy as np


def reference_bert(w: dict, cfg: dict, ids: np.ndarray, type_ids: np.ndarray) -> np.ndarray:
    """BertModel.last_hidden_state of one unpadded sequence, [seq, hidden], in w's dtype."""
    eps, heads = cfg["layer_norm_eps"], cfg["num_attention_heads"]
    n, hidden = len(ids), cfg["hidden_size"]
    d = hidden // heads
    erf = np.vectorize(math.erf)

    def dense(x, name):
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    def layer_norm(x, name):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]

    x = w["embeddings.word_embeddings.weight"][ids]
    x = x + w["embeddings.position_embeddings.weight"][:n] + w["embeddings.token_type_embeddings.weight"][type_ids]
    x = layer_norm(x, "embeddings.LayerNorm")
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (
            dense(x, f"{p}attention.self.{t}").reshape(n, heads, d).swapaxes(0, 1) for t in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
        x = layer_norm(dense(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = dense(x, p + "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
        x = layer_norm(dense(h, p + "output.dense") + x, p + "output.LayerNorm")
    return x


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
