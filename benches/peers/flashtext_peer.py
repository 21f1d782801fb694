#!/usr/bin/env python3
"""The flashtext peer: Python's flashtext (pip install flashtext) over the same messages and
keyword sets as replykit's throughput report, printing messages per second.

    pip install flashtext
    python3 benches/peers/flashtext_peer.py            # dumps the inputs with cargo, then runs
    python3 benches/peers/flashtext_peer.py --json
    python3 benches/peers/flashtext_peer.py --inputs DIR   # inputs from `throughput --dump DIR`

The inputs come from `cargo run --release --example throughput -- --dump DIR`, so both sides
read exactly the same data: the Chinese fixture messages (benches/data/zh.txt) and two keyword
sets, the bundled engine's keywords and the 10k-keyword synthetic pack of the scaling runs.
Compare "10k" here with `scaling.10k.classify_msgs_per_sec` of the throughput JSON (the README's
Performance section shows the ratio). flashtext only finds keywords (case-insensitively, longest
match, word-bounded by its own rules); replykit's classify also folds the text, applies
negation and boundaries, scores intents and builds evidence, so the comparison is generous to
flashtext.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def measure(keywords, messages, seconds):
    from flashtext import KeywordProcessor

    t = time.perf_counter()
    kp = KeywordProcessor(case_sensitive=False)
    for k in keywords:
        kp.add_keyword(k)
    build_ms = (time.perf_counter() - t) * 1e3
    found = sum(len(kp.extract_keywords(m)) for m in messages)  # warm up, and a check
    best = 0.0
    for _ in range(3):  # best of three rounds, like the throughput example
        done, t = 0, time.perf_counter()
        while True:
            for m in messages:
                kp.extract_keywords(m)
            done += len(messages)
            elapsed = time.perf_counter() - t
            if elapsed >= seconds:
                break
        best = max(best, done / elapsed)
    return {
        "keywords": len(keywords),
        "msgs_per_sec": round(best),
        "build_ms": round(build_ms, 1),
        "matches_per_msg": round(found / len(messages), 2),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", help="folder written by `throughput --dump` (default: dump one now)")
    ap.add_argument("--seconds", type=float, default=1.0, help="time per round (default 1)")
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    args = ap.parse_args()

    try:
        import flashtext  # noqa: F401
    except ImportError:
        sys.exit("flashtext is not installed: pip install flashtext")

    tmp = None
    inputs = args.inputs
    if inputs is None:
        tmp = tempfile.TemporaryDirectory()
        inputs = tmp.name
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        subprocess.run(
            ["cargo", "run", "--release", "--quiet", "--example", "throughput", "--", "--dump", inputs],
            cwd=root,
            check=True,
        )
    messages = read_lines(os.path.join(inputs, "messages_zh.txt"))
    report = {
        "peer": "flashtext",
        "messages": len(messages),
        "avg_message_bytes": round(sum(len(m.encode()) for m in messages) / len(messages), 1),
        "bundled": measure(read_lines(os.path.join(inputs, "keywords_bundled.txt")), messages, args.seconds),
        "10k": measure(read_lines(os.path.join(inputs, "keywords_10k.txt")), messages, args.seconds),
    }
    # Left for the throughput report, which shows its ratio to flashtext when this ran.
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    os.makedirs(os.path.join(root, "target"), exist_ok=True)
    with open(os.path.join(root, "target", "flashtext_peer.json"), "w") as f:
        f.write(json.dumps(report) + "\n")
    if args.json:
        print(json.dumps(report))
    else:
        print(f"flashtext over {report['messages']} Chinese messages ({report['avg_message_bytes']} bytes on average)")
        for name in ("bundled", "10k"):
            r = report[name]
            print(f"  {name:>7} keywords ({r['keywords']}): {r['msgs_per_sec']} msgs/s, "
                  f"build {r['build_ms']} ms, {r['matches_per_msg']} matches per message")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
