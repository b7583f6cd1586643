#!/usr/bin/env python3
"""Fits the answer confidence's weights on dev questions (docs/answering.md, "Confidence").

Reads the report.json of `kefu eval` runs over dev sets (every question marked `split: test` in a
copy of the dev lines, so that each is answered and reported with its evidence), takes for each
message the evidence of its most confident question, and fits a logistic regression of
"answerable" on the evidence per language (FEATURES; WITHOUT leaves some out).
Prints the weights and the dev figures at the threshold with the best balanced accuracy.

    python3 scripts/calibrate_confidence.py en target/dev/messages_en/report.json ... \
        -- zh target/dev/messages_zh/report.json ...

Needs numpy. Never run it on test splits.
"""
import json
import sys

import numpy as np

L2 = float(__import__("os").environ.get("L2", "0.01"))
# Features left out of a fit (WITHOUT=context,agreement): their weights are 0.
WITHOUT = set(filter(None, __import__("os").environ.get("WITHOUT", "").split(",")))
FEATURES = [
    "coverage", "semantic", "sentence", "sentence_coverage", "expected_missing", "agreement", "unknown",
    "specific_missing", "context",
]


def rows(path):
    report = json.load(open(path))
    for query in report["per_query"]:
        answer = query.get("answer")
        if not answer:
            continue
        read = [p for p in answer.get("read", []) if p.get("evidence")]
        if not read:
            x = [0.0] * len(FEATURES)
        else:
            best = max(read, key=lambda p: p["confidence"])["evidence"]
            best = dict(best, expected_missing=best.get("expected_found") is False)
            x = [0.0 if f in WITHOUT else float(best.get(f) or 0.0) for f in FEATURES]
        yield x, 1.0 if answer["answerable"] else 0.0


def fit(x, y, l2=L2, steps=20000, rate=0.5):
    # Balanced: each class weighs as much as the other, however few unanswerable questions.
    w_class = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = (p - y) * w_class
        w -= rate * (x.T @ g + l2 * w)
        b -= rate * g.sum()
    return w, b


def balanced(scores, y, threshold):
    answered = scores >= threshold
    rate = answered[y == 1].mean() if (y == 1).any() else 0.0
    refused = (~answered[y == 0]).mean() if (y == 0).any() else 0.0
    return rate, refused, (rate + refused) / 2


def main(argv):
    groups, current = {}, None
    for arg in argv:
        if arg == "--":
            current = None
        elif current is None:
            current = arg
            groups[current] = []
        else:
            groups[current].append(arg)
    for language, paths in groups.items():
        data = [r for path in paths for r in rows(path)]
        x = np.array([d[0] for d in data])
        y = np.array([d[1] for d in data])
        w, b = fit(x, y)
        scores = 1 / (1 + np.exp(-(x @ w + b)))
        best = max((balanced(scores, y, t) + (t,) for t in np.unique(scores)), key=lambda r: (r[2], -r[3]))
        print(f"{language}: {len(y)} dev messages ({int((1 - y).sum())} unanswerable)")
        print("  weights " + ", ".join(f"{f} {v:+.3f}" for f, v in zip(FEATURES, w)) + f", bias {b:+.3f}")
        for t in (0.4, 0.45, 0.5, 0.55, 0.6):
            rate, refused, acc = balanced(scores, y, t)
            print(f"  at {t:.2f}: answer rate {rate:.3f}, abstention recall {refused:.3f}, balanced {acc:.3f}")
        print(f"  best threshold {best[3]:.3f}: answer rate {best[0]:.3f}, abstention recall {best[1]:.3f}")
        # Out of sample: 5 folds, each scored by weights fitted on the other four, at 0.5.
        folds = np.arange(len(y)) % 5
        held = np.zeros(len(y))
        for k in range(5):
            wk, bk = fit(x[folds != k], y[folds != k])
            held[folds == k] = 1 / (1 + np.exp(-(x[folds == k] @ wk + bk)))
        for t in (0.5, 0.55, 0.6):
            rate, refused, acc = balanced(held, y, t)
            print(f"  5-fold at {t:.2f}: answer rate {rate:.3f}, abstention recall {refused:.3f}, balanced {acc:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
