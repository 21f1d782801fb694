"""One Engine shared by many Python threads gives the answers it gives serially."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import replykit

CONTEXTS = [{}, {"vip": True}, {"order_status": "shipped", "days_since_shipped": 6}, {"language": "en"}]


def test_eight_threads_on_one_engine_equal_serial(engine, messages):
    jobs = [(m, ctx) for m in messages for ctx in CONTEXTS]
    serial = [(engine.classify(m, **c), engine.suggest(m, **c)) for m, c in jobs]

    def work(job):
        m, c = job
        return engine.classify(m, **c), engine.suggest(m, **c)

    for _ in range(2):
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(work, jobs)) == serial


def test_batches_from_eight_threads(engine, messages):
    serial = engine.suggest_batch(messages)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: engine.suggest_batch(messages, threads=2), range(16)))
    assert all(r.equals(serial) for r in results)


def test_engines_built_in_threads(messages):
    with ThreadPoolExecutor(max_workers=8) as pool:
        engines = list(pool.map(lambda _: replykit.Engine(max_replies=2), range(8)))
    answers = [[e.suggest(m) for m in messages[:40]] for e in engines]
    assert all(a == answers[0] for a in answers)


def test_calls_release_the_gil(engine):
    """A long batch on one thread leaves the interpreter free for another."""
    import pyarrow as pa

    msgs = pa.array(["快递怎么还没到,急用! 已经五天了"] * 200_000)
    ticks = 0
    done = threading.Event()

    def tick():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0)

    t = threading.Thread(target=tick)
    t.start()
    try:
        t0 = time.perf_counter()
        engine.classify_batch(msgs, threads=1)
        elapsed = time.perf_counter() - t0
    finally:
        done.set()
        t.join()
    # With the GIL held for the whole batch the ticker could not run at all meanwhile.
    assert elapsed > 0.05 and ticks > 1000, (elapsed, ticks)
