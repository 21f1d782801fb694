"""The Spark job in local mode on generated messages, row for row against the Rust CLI."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import PYTHON_DIR

# python/ci.sh sets REPLYKIT_REQUIRE_SPARK=1: there a missing pyspark or Java fails, not skips.
REQUIRED = os.environ.get("REPLYKIT_REQUIRE_SPARK") == "1"
if not REQUIRED:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime (python/ci.sh installs one)", allow_module_level=True)
else:
    import pyspark  # noqa: F401
    assert shutil.which("java") or os.environ.get("JAVA_HOME"), "no Java runtime"

JOB = PYTHON_DIR / "spark" / "classify_job.py"

# Templates per language; {p} a product, {d} a day count, {n} a price. Some fire one intent,
# some two, some none; "squashed" and "烂成泥" are the shop packs' own keywords.
TEMPLATES = {
    "zh": [
        "{p}什么时候发货", "快递怎么还没到,已经{d}天了", "{p}碎了,要退款", "能便宜点吗,别家才卖{n}",
        "你好", "这次的{p}比上次差多了", "收到了,{p}很好吃,谢谢", "地址写错了,能改一下吗",
        "{p}怎么用?", "我要取消订单", "箱子压坏了,急用!", "{p}烂成泥了", "有没有顺丰", "嗯嗯",
        "{p}完好无损,一个都没坏", "什麼時候到貨啊??", "{p}有没有大一点的",
    ],
    "ko": [
        "배송 언제 와요?", "{d}일째 배송조회가 안 돼요", "{p} 깨져서 왔어요", "환불해 주세요",
        "좀 깎아 주세요 {n}원에 안 돼요?", "안녕하세요", "{p} 사용법 알려주세요", "주문 취소할게요",
        "배송지 변경 가능한가요", "너무 맛있어요 감사합니다", "지난번보다 {p} 양이 적어요",
        "빨리 처리해주세요ㅠㅠ", "네",
    ],
    "en": [
        "where is my order?? it's been {d} days", "the {p} arrived crushed", "can you do ${n} for the {p}",
        "I want a refund", "hi there", "the {p} came squashed", "how do I use the {p}",
        "please cancel my order", "can I change my address", "love the {p}, thanks!",
        "does the {p} come in black", "It arrived CRACKED and I want a refund",
        "worse than last time, the {p} is tiny", "ok",
    ],
}
PRODUCTS = {"zh": ["苹果", "大米", "羽绒服", "手机壳", "桃子"],
            "ko": ["원두", "사과", "케이스", "니트"],
            "en": ["peaches", "tea set", "phone case", "jacket"]}


def generate(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = ("zh", "ko", "en")[i % 3]
        t = rng.choice(TEMPLATES[lang])
        out.append(t.format(p=rng.choice(PRODUCTS[lang]), d=rng.randint(1, 14), n=rng.choice([9, 99, 1280])))
    return out


def run_job(input_path, output, packs, *extra) -> dict:
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable,
               PYSPARK_DRIVER_PYTHON=sys.executable)
    cmd = [sys.executable, str(JOB), str(input_path), str(output), "--master", "local[2]",
           "--partitions", "6", "--packs", *map(str, packs), *extra]
    # Not from python/: Spark's workers (`python -m pyspark.daemon`) put their working folder
    # first on sys.path, where the source package (without its compiled module) would shadow
    # the installed wheel.
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600,
                          cwd=Path(output).parent)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(rows: dict, texts: dict, cli_answers: dict):
    """Each output row (by id) against the CLI's answer to the same line."""
    mismatches = []
    for i, row in rows.items():
        text = texts[i]
        if text is None:
            want = dict(intent=None, score=None, top_reply=None, hints=None)
        else:
            a = cli_answers[i]
            c = a["classification"]
            want = dict(
                intent=c["intents"][0]["id"] if c["intents"] else None,
                score=c["intents"][0]["score"] if c["intents"] else None,
                top_reply=a["replies"][0]["text"] if a["replies"] else None,
                hints=[h["id"] for h in a["hints"]],
            )
        got = {k: row[k] for k in want}
        if got != want:
            mismatches.append((i, text, got, want))
    assert not mismatches, mismatches[:5]


def test_spark_job_parquet_equals_cli(tmp_path, cli, shop_packs):
    texts = generate(450)
    texts[5] = ""
    texts[50] = None
    texts[51] = "   "
    ids = list(range(len(texts)))
    src = tmp_path / "chat.parquet"
    pq.write_table(pa.table({"id": ids, "conversation": [f"c{i % 40}" for i in ids], "text": texts}), src)
    out = tmp_path / "out"
    context = {"order_status": "shipped", "days_since_shipped": 6, "buyer": "Kim"}
    summary = run_job(src, out, shop_packs, "--context", json.dumps(context), "--max-replies", "2")
    assert summary["rows"] == len(texts)
    # One engine per Python worker process, not per task or batch (6 partitions, 2 workers).
    assert 1 <= summary["engines_built"] <= 2, summary

    table = pq.read_table(out)
    assert {"id", "conversation", "text", "intent", "score", "top_reply", "hints"} <= set(table.column_names)
    rows = {r["id"]: r for r in table.to_pylist()}
    assert sorted(rows) == ids
    assert all(rows[i]["conversation"] == f"c{i % 40}" and rows[i]["text"] == texts[i] for i in ids)

    lines = [t for t in texts if t is not None]
    flags = [f for p in shop_packs for f in ("--rules", str(p))]
    flags += ["--order-status", "shipped", "--days-since-shipped", "6", "--buyer", "Kim", "--top", "2"]
    answers = iter(cli(lines, *flags))
    cli_answers = {i: next(answers) for i in ids if texts[i] is not None}
    compare(rows, dict(enumerate(texts)), cli_answers)
    # The shop packs shipped with the job were used.
    assert any(r["top_reply_id"] == "en.damage.fruit" for r in rows.values())
    assert any(r["top_reply_id"] == "zh.damage.fruit" for r in rows.values())
    assert sum(r["intent"] is not None for r in rows.values()) > len(texts) // 2


def test_spark_job_csv_equals_cli(tmp_path, cli, shop_packs):
    texts = generate(300, seed=5)
    texts[7] = 'she said "it\'s broken", refund please'
    src = tmp_path / "chat.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows(enumerate(texts))
    out = tmp_path / "out"
    summary = run_job(src, out, shop_packs)
    assert summary["rows"] == len(texts)
    rows = {int(r["id"]): r for r in pq.read_table(out).to_pylist()}
    assert sorted(rows) == list(range(len(texts)))
    assert all(rows[i]["text"] == texts[i] for i in rows)
    flags = [f for p in shop_packs for f in ("--rules", str(p))]
    compare(rows, dict(enumerate(texts)), dict(enumerate(cli(texts, *flags))))


def test_spark_job_bad_pack_fails_with_its_position(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('language = "zh"\n[intent.damage]\nkeywords = ["碎了", " "]\n', encoding="utf-8")
    src = tmp_path / "chat.parquet"
    pq.write_table(pa.table({"text": ["hi"]}), src)
    proc = subprocess.run([sys.executable, str(JOB), str(src), str(tmp_path / "out"), "--packs", str(bad)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode != 0
    assert f"{bad}:3:19" in proc.stderr
