#!/usr/bin/env python3
"""Times `kefu ingest` on pathological files, one file per run (docs/ingestion.md).

Usage: python3 scripts/hostile_ingest.py [--kefu target/release/kefu] [--timeout 300]

Each file is written to its own folder beside a small good file and ingested into a fresh data
folder; the table says how long the run took and what became of the file (indexed with N chunks,
or skipped and why). A run that exceeds --timeout is killed and reported as such.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time


def nested_html(depth):
    return f"<html><body>{'<div>' * depth}<p>deep</p>{'</div>' * depth}</body></html>"


def yaml_bomb():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    names = "abcdefghi"
    for prev, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    return "---\n" + "\n".join(lines) + "\ntitle: *i\n---\n# Bomb\n\nText.\n"


CASES = [
    ("word-50k.txt", lambda: "A word: " + "a" * 50_000),
    ("word-800k.txt", lambda: "A word: " + "a" * 800_000),
    ("no-sentence-end-1mb.txt", lambda: "lorem ipsum dolor " * 58_000),
    ("base64-1mb.txt", lambda: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk+/" * 24_000),
    ("prose-1mb.txt", lambda: "Returns are accepted within 30 days of delivery. " * 20_000),
    ("nested-8000.html", lambda: nested_html(8_000)),
    ("nested-100000.html", lambda: nested_html(100_000)),
    ("entities-2mb.html", lambda: "<html><body><p>" + "&amp;&lt;&eacute;&nbsp;&notin;&hellip; " * 55_000 + "</p></body></html>"),
    ("unclosed-b-5000.html", lambda: "<html><body>" + "".join(f"<b id={i}>x" for i in range(5000)) + "</body></html>"),
    ("csv-cell-50mb.csv", lambda: "question,answer\nBig?," + "b " * 25_000_000 + "\n"),
    ("text-200mb.txt", lambda: "x " * 100_000_000),
    ("yaml-bomb.md", yaml_bomb),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kefu", default="target/release/kefu")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", help="run the cases whose name contains this")
    args = parser.parse_args()
    kefu = os.path.abspath(args.kefu)
    print("| file | size | seconds | outcome |")
    print("|---|---:|---:|---|")
    for name, make in CASES:
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory() as src, tempfile.TemporaryDirectory() as data:
            with open(os.path.join(src, name), "w") as f:
                f.write(make())
            with open(os.path.join(src, "zz-good.md"), "w") as f:
                f.write("# Gift cards\n\nGift cards never expire.\n")
            size = os.path.getsize(os.path.join(src, name))
            started = time.monotonic()
            try:
                run = subprocess.run(
                    [kefu, "ingest", src, "--data", data, "--json"],
                    capture_output=True, text=True, timeout=args.timeout,
                    env={**os.environ, "KEFU_LOG": "error"},
                )
            except subprocess.TimeoutExpired:
                print(f"| {name} | {size:,} | > {args.timeout:.0f} | killed, nothing published |")
                continue
            seconds = time.monotonic() - started
            if run.returncode != 0:
                outcome = f"failed: {run.stderr.strip().splitlines()[-1][:120]}"
            else:
                report = json.loads(run.stdout)
                skipped = [s["reason"] for s in report["skipped"] if s["path"].endswith(name)]
                outcome = f"skipped: {skipped[0]}" if skipped else f"indexed, {report['chunks'] - 1} chunks"
            print(f"| {name} | {size:,} | {seconds:.1f} | {outcome} |", flush=True)


if __name__ == "__main__":
    main()
