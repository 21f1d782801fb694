"""A PySpark job: read a chat log, add replykit's answer to every message, write Parquet.

    spark-submit python/spark/classify_job.py INPUT OUTPUT [--packs shop.toml ...]
    python python/spark/classify_job.py INPUT OUTPUT --master 'local[2]'   # no spark-submit

INPUT is a Parquet file/folder or a CSV file/folder with a header (``--format`` or the
extension decides), with a string column of messages (``--text-column``, default ``text``);
every other column (ids, a ``conversation`` column, ...) is carried through unchanged. The job
adds these columns and writes OUTPUT as Parquet:

    language string, intent string, score double, intents array<string>,
    signals array<string>, top_reply string, top_reply_id string, hints array<string>

``intent``/``score`` are the top intent and its score (null when no intent fired),
``top_reply`` the best rendered reply and ``hints`` the policy hint ids, highest priority
first. A null message gives nulls in every added column.

How it runs: ``mapInArrow`` hands each Python worker Arrow record batches; a batch goes to
``Engine.suggest_batch`` whole (no per-row Python), the result's fields are appended as columns.
The engine is built once per Python worker process and kept at module level (``_ENGINE``), so
tasks that a reused worker runs afterwards find it built. The ``--packs`` files ship with the
job (``SparkContext.addFile``) and are read on the executors from ``SparkFiles``; they are
built once on the driver first, so a broken pack fails the job at once with its
``file:line:column``. The job file ships itself too (``addPyFile``), so that executors import
it as a module (which is what keeps the engine cache per process, not per task).

Requires pyspark (>= 3.3 for ``mapInArrow``), pyarrow and the replykit wheel on every node.
Prints one JSON line at the end: rows written, engines built on executors, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from functools import partial

# Built once per Python worker process: (key, engine).
_ENGINE = None

#: The columns the job adds, with their Spark types.
OUTPUT_COLUMNS = [
    ("language", "string", "language"),
    ("intent", "string", "top_intent"),
    ("score", "double", "top_score"),
    ("intents", "array<string>", "intents"),
    ("signals", "array<string>", "signals"),
    ("top_reply", "string", "top_reply"),
    ("top_reply_id", "string", "top_reply_id"),
    ("hints", "array<string>", "hints"),
]


def engine_for(packs, options):
    """The worker's engine for these shipped pack names and options; built on first use.

    Returns (engine, built_now).
    """
    global _ENGINE
    key = (tuple(packs), tuple(sorted(options.items())))
    if _ENGINE is not None and _ENGINE[0] == key:
        return _ENGINE[1], False
    import replykit
    from pyspark import SparkFiles

    engine = replykit.Engine([SparkFiles.get(name) for name in packs], **options)
    _ENGINE = (key, engine)
    return engine, True


def answer_batches(batches, *, text_column, packs, options, context, threads, built):
    """mapInArrow's function: each record batch with the answer columns appended."""
    import pyarrow as pa

    engine, built_now = engine_for(packs, options)
    if built_now and built is not None:
        built.add(1)
    for batch in batches:
        result = engine.suggest_batch(batch.column(text_column), threads=threads, **context)
        columns = list(batch.columns) + [result.field(field) for _, _, field in OUTPUT_COLUMNS]
        names = list(batch.schema.names) + [name for name, _, _ in OUTPUT_COLUMNS]
        yield pa.RecordBatch.from_arrays(columns, names=names)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="Parquet or CSV (with a header) file or folder")
    p.add_argument("output", help="Parquet folder to write (overwritten)")
    p.add_argument("--format", choices=["parquet", "csv"], help="input format (default: by extension)")
    p.add_argument("--text-column", default="text", help="the column of messages (default: text)")
    p.add_argument("--packs", nargs="*", default=[], metavar="TOML",
                   help="rule pack files layered over the bundled ones; shipped with the job")
    p.add_argument("--no-bundled", action="store_true", help="do not load the bundled zh/ko/en packs")
    p.add_argument("--max-replies", type=int, help="replies considered per message (default 3)")
    p.add_argument("--context", default="{}", metavar="JSON",
                   help='context for every message, e.g. \'{"order_status": "shipped", "vip": true}\'')
    p.add_argument("--threads", type=int, default=1,
                   help="threads per Python worker (default 1: Spark already runs one worker per core)")
    p.add_argument("--master", help="Spark master when not run by spark-submit, e.g. local[2]")
    p.add_argument("--partitions", type=int, help="repartition the input into this many partitions")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    context = json.loads(args.context)
    if not isinstance(context, dict):
        raise SystemExit("--context must be a JSON object")
    options = {"bundled": not args.no_bundled}
    if args.max_replies is not None:
        options["max_replies"] = args.max_replies
    packs = [os.path.abspath(p) for p in args.packs]
    names = [os.path.basename(p) for p in packs]
    if len(set(names)) != len(names):
        raise SystemExit("--packs: two files have the same name; SparkFiles keeps one per name")

    # Fail fast, on the driver, with the pack's file:line:column (and a bad --context).
    import replykit

    replykit.Engine(packs, **options).classify("", **context)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("replykit-classify")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    started = time.time()
    sc = spark.sparkContext
    for path in packs:
        sc.addFile(path)
    # Executors import this file as the module `classify_job`: functions pickle by reference
    # and `_ENGINE` lives in the worker process, not in each task's closure.
    sc.addPyFile(os.path.abspath(__file__))
    job = __import__("classify_job")

    fmt = args.format or ("csv" if args.input.rstrip("/").lower().endswith(".csv") else "parquet")
    if fmt == "csv":
        # Quotes escaped by doubling (what Python's csv and pandas write), messages may span lines.
        df = (spark.read.option("header", True).option("multiLine", True)
              .option("escape", '"').csv(args.input))
    else:
        df = spark.read.parquet(args.input)
    if args.text_column not in df.columns:
        raise SystemExit(f"{args.input}: no column {args.text_column!r} (columns: {df.columns})")
    if args.partitions:
        df = df.repartition(args.partitions)

    added = {name for name, _, _ in OUTPUT_COLUMNS}
    kept = [c for c in df.columns if c not in added]
    df = df.select(*kept)
    schema = ", ".join([f"`{f.name}` {f.dataType.simpleString()}" for f in df.schema.fields]
                       + [f"`{name}` {t}" for name, t, _ in OUTPUT_COLUMNS])
    built = sc.accumulator(0)
    func = partial(job.answer_batches, text_column=args.text_column, packs=names,
                   options=options, context=context, threads=args.threads, built=built)
    df.mapInArrow(func, schema).write.mode("overwrite").parquet(args.output)

    rows = spark.read.parquet(args.output).count()
    print(json.dumps({"rows": rows, "engines_built": built.value, "output": args.output,
                      "seconds": round(time.time() - started, 2)}))
    spark.stop()


if __name__ == "__main__":
    main()
