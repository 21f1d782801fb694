"""Batch throughput from Python against the Rust classify rate, on the same messages, in one run.

    python python/bench.py                 # a table, 5 interleaved rounds
    python python/bench.py --json          # one JSON object
    python python/bench.py --example       # also run `cargo run --release --example throughput`

The messages are the bench fixtures of the crate (benches/data/{zh,ko,en}.txt, interleaved zh,
ko, en: the "mixed" set of examples/throughput.rs). In each round, in this order:

- rust classify: Engine::classify in a plain Rust loop over the messages on one thread, inside
  the extension (`replykit._native._rust_classify_rate`: same build, no Python in the loop);
- batch, 1 thread: `classify_batch(pyarrow_array, threads=1)`, Arrow in and out, timed from
  Python around the call (buffer hand-over and result assembly included);
- batch from a list, 1 thread: the same from a Python list of str (pyarrow converts it);
- rust, all cores: that Rust loop on every core at once (per core: the sum over the cores);
- batch, all cores: `classify_batch(array)` with one thread per core, divided by the cores for
  the per-core figure;
- a Python loop of single `classify` calls (what a batch saves);
- the same three for suggest.

Each figure is messages per second: median, min and max over the rounds. The ratios are taken
per round (batch over the Rust rate of the same round) so that load on the machine affects both
sides alike; "best over best" divides the best rounds, as examples/throughput.rs reports its
figures (the least disturbed run of each).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as `python python/bench.py`, this folder is first on sys.path, and its replykit/ (the
# source, without the compiled module) would shadow the installed wheel.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import replykit  # noqa: E402
from replykit import _native  # noqa: E402


def messages() -> list[str]:
    langs = []
    for lang in ("zh", "ko", "en"):
        text = (ROOT / "benches" / "data" / f"{lang}.txt").read_text(encoding="utf-8")
        langs.append([l for l in text.splitlines() if l])
    n = min(map(len, langs))
    return [m for i in range(n) for m in (langs[0][i], langs[1][i], langs[2][i])]


def timed_rate(n: int, budget: float, f) -> float:
    """Messages per second of `f()` (which answers `n` messages), whole calls until `budget` s."""
    done, t0 = 0, time.perf_counter()
    while True:
        f()
        done += n
        elapsed = time.perf_counter() - t0
        if elapsed >= budget:
            return done / elapsed


def rust_all_cores(engine, msgs, budget, cores) -> float:
    """The Rust loop on every core at once (one Python thread each; the loop releases the GIL)."""
    rates = []
    threads = [threading.Thread(target=lambda: rates.append(_native._rust_classify_rate(engine, msgs, budget)))
               for _ in range(cores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(rates)


def summary(xs):
    return {"median": round(statistics.median(xs)), "min": round(min(xs)), "max": round(max(xs))}


def ratio_summary(xs):
    return {"median": round(statistics.median(xs), 3), "min": round(min(xs), 3), "max": round(max(xs), 3)}


def run(rounds: int, budget: float) -> dict:
    engine = replykit.Engine()
    msgs = messages()
    array = pa.array(msgs, type=pa.string())
    cores = os.cpu_count() or 1
    # Warm up: scratch buffers, page cache, CPU clocks.
    engine.classify_batch(array)
    engine.suggest_batch(array[:2000])
    keys = ["rust_classify", "rust_all_per_core", "batch_1t", "batch_list_1t", "batch_all_per_core", "batch_all_total",
            "single_calls", "rust_suggest", "suggest_batch_1t", "suggest_batch_all_per_core"]
    r = {k: [] for k in keys}
    for _ in range(rounds):
        r["rust_classify"].append(_native._rust_classify_rate(engine, msgs, budget))
        r["rust_all_per_core"].append(rust_all_cores(engine, msgs, budget, cores) / cores)
        r["batch_1t"].append(timed_rate(len(msgs), budget, lambda: engine.classify_batch(array, threads=1)))
        r["batch_list_1t"].append(timed_rate(len(msgs), budget, lambda: engine.classify_batch(msgs, threads=1)))
        total = timed_rate(len(msgs), budget, lambda: engine.classify_batch(array))
        r["batch_all_total"].append(total)
        r["batch_all_per_core"].append(total / cores)
        few = msgs[:3000]
        r["single_calls"].append(timed_rate(len(few), budget / 2, lambda: [engine.classify(m) for m in few]))
        r["rust_suggest"].append(_native._rust_suggest_rate(engine, msgs, budget))
        r["suggest_batch_1t"].append(timed_rate(len(msgs), budget, lambda: engine.suggest_batch(array, threads=1)))
        r["suggest_batch_all_per_core"].append(
            timed_rate(len(msgs), budget, lambda: engine.suggest_batch(array)) / cores)
    ratios = {
        "batch_1t_over_rust": [b / a for a, b in zip(r["rust_classify"], r["batch_1t"])],
        "batch_list_1t_over_rust": [b / a for a, b in zip(r["rust_classify"], r["batch_list_1t"])],
        "batch_all_per_core_over_rust": [b / a for a, b in zip(r["rust_classify"], r["batch_all_per_core"])],
        "batch_all_over_rust_all": [b / a for a, b in zip(r["rust_all_per_core"], r["batch_all_per_core"])],
        "single_calls_over_rust": [b / a for a, b in zip(r["rust_classify"], r["single_calls"])],
        "suggest_batch_1t_over_rust": [b / a for a, b in zip(r["rust_suggest"], r["suggest_batch_1t"])],
        "suggest_batch_all_per_core_over_rust": [
            b / a for a, b in zip(r["rust_suggest"], r["suggest_batch_all_per_core"])],
    }
    best = {
        "batch_1t_over_rust": max(r["batch_1t"]) / max(r["rust_classify"]),
        "batch_all_over_rust_all": max(r["batch_all_per_core"]) / max(r["rust_all_per_core"]),
        "suggest_batch_1t_over_rust": max(r["suggest_batch_1t"]) / max(r["rust_suggest"]),
    }
    return {
        "messages": len(msgs),
        "avg_message_bytes": round(sum(len(m.encode()) for m in msgs) / len(msgs), 1),
        "cores": cores,
        "rounds": rounds,
        "seconds_per_figure": budget,
        "python": sys.version.split()[0],
        "pyarrow": pa.__version__,
        "msgs_per_sec": {k: summary(v) for k, v in r.items()},
        "ratios": {k: ratio_summary(v) for k, v in ratios.items()},
        "best_over_best": {k: round(v, 3) for k, v in best.items()},
    }


def throughput_example() -> dict:
    out = subprocess.run(
        ["cargo", "run", "--release", "--quiet", "--example", "throughput", "--", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    return {"classify_msgs_per_sec": report["classify_msgs_per_sec"],
            "suggest_msgs_per_sec": report["suggest_msgs_per_sec"]}


def print_table(report: dict) -> None:
    print(f"{report['messages']} messages (mixed zh/ko/en, {report['avg_message_bytes']} bytes on average), "
          f"{report['cores']} cores, {report['rounds']} rounds, Python {report['python']}, pyarrow {report['pyarrow']}")
    print(f"{'msgs/s':<34}{'median':>12}{'min':>12}{'max':>12}")
    for k, v in report["msgs_per_sec"].items():
        print(f"{k:<34}{v['median']:>12}{v['min']:>12}{v['max']:>12}")
    print(f"{'ratio (same round)':<34}{'median':>12}{'min':>12}{'max':>12}")
    for k, v in report["ratios"].items():
        print(f"{k:<34}{v['median']:>12}{v['min']:>12}{v['max']:>12}")
    print("best over best:", json.dumps(report["best_over_best"]))
    if "throughput_example" in report:
        print("examples/throughput (cargo, one thread):", json.dumps(report["throughput_example"]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--seconds", type=float, default=0.5, help="time per figure per round")
    p.add_argument("--example", action="store_true",
                   help="also run the crate's examples/throughput (builds it with cargo)")
    p.add_argument("--min-ratio", type=float,
                   help="exit 1 unless the median batch_1t_over_rust ratio is at least this")
    args = p.parse_args()
    report = run(args.rounds, args.seconds)
    if args.example:
        report["throughput_example"] = throughput_example()
    if args.json:
        print(json.dumps(report))
    else:
        print_table(report)
    if args.min_ratio is not None and report["ratios"]["batch_1t_over_rust"]["median"] < args.min_ratio:
        sys.exit(f"batch/rust ratio {report['ratios']['batch_1t_over_rust']['median']} < {args.min_ratio}")


if __name__ == "__main__":
    main()
