"""Batches: every row equals the single call; Arrow inputs of every kind; nulls; consumers."""

from __future__ import annotations

import pyarrow as pa
import pytest

import replykit


def expected_row(engine, text, suggest, **context):
    """The batch row a single call implies (None for a null message)."""
    if text is None:
        return None
    if suggest:
        s = engine.suggest(text, **context)
        c = s["classification"]
    else:
        c = engine.classify(text, **context)
    top = c["intents"][0] if c["intents"] else None
    row = {
        "language": c["language"],
        "intents": [i["id"] for i in c["intents"]],
        "scores": [i["score"] for i in c["intents"]],
        "top_intent": top["id"] if top else None,
        "top_score": top["score"] if top else None,
        "signals": c["signals"],
        "truncated": c["truncated"],
    }
    if suggest:
        reply = s["replies"][0] if s["replies"] else None
        row["top_reply"] = reply["text"] if reply else None
        row["top_reply_id"] = reply["id"] if reply else None
        row["hints"] = [h["id"] for h in s["hints"]]
    return row


@pytest.fixture(scope="module")
def batch_messages(messages):
    """Some hundreds of messages with empty strings and nulls among them."""
    out = []
    for i, m in enumerate(messages):
        out.append(m)
        if i % 17 == 0:
            out.append(None)
        if i % 23 == 0:
            out.append("")
    return out


@pytest.mark.parametrize("suggest", [False, True], ids=["classify", "suggest"])
def test_batch_equals_single_calls(engine, batch_messages, suggest):
    method = engine.suggest_batch if suggest else engine.classify_batch
    got = method(batch_messages)
    assert isinstance(got, pa.StructArray)
    assert len(got) == len(batch_messages)
    want = [expected_row(engine, m, suggest) for m in batch_messages]
    assert got.to_pylist() == want
    fields = replykit.SUGGEST_FIELDS if suggest else replykit.CLASSIFY_FIELDS
    assert [f.name for f in got.type] == list(fields)


def test_batch_schema(engine):
    got = engine.suggest_batch(["the box arrived crushed"])
    t = got.type
    assert t.field("language").type == pa.string()
    assert t.field("intents").type == pa.list_(pa.string())
    assert t.field("scores").type == pa.list_(pa.float64())
    assert t.field("top_intent").type == pa.string()
    assert t.field("top_score").type == pa.float64()
    assert t.field("signals").type == pa.list_(pa.string())
    assert t.field("truncated").type == pa.bool_()
    assert t.field("top_reply").type == pa.string()
    assert t.field("hints").type == pa.list_(pa.string())
    got.validate(full=True)


def test_batch_with_context(engine, batch_messages):
    ctx = {"order_status": "shipped", "days_since_shipped": 6, "vip": True, "buyer": "Kim"}
    got = engine.suggest_batch(batch_messages[:150], **ctx)
    assert got.to_pylist() == [expected_row(engine, m, True, **ctx) for m in batch_messages[:150]]


def test_null_rows_are_null_in_every_field(engine):
    got = engine.suggest_batch([None, "hi", None])
    assert got.null_count == 2
    assert got.to_pylist()[0] is None
    for name in replykit.SUGGEST_FIELDS:
        child = got.field(name)
        assert child[0].as_py() is None and child[2].as_py() is None
        assert child.null_count >= 2
    # flatten() (what pandas/Polars/Spark read) keeps the nulls.
    assert [c.null_count >= 2 for c in got.flatten()] == [True] * len(replykit.SUGGEST_FIELDS)


def test_empty_string_is_a_message(engine):
    row = engine.classify_batch([""]).to_pylist()[0]
    assert row == expected_row(engine, "", False)
    assert row["language"] == "zh" and row["intents"] == [] and row["top_intent"] is None


@pytest.mark.parametrize("kind", ["list", "tuple", "generator", "string", "large_string",
                                  "chunked", "sliced", "sliced_large", "string_view", "dictionary"])
def test_input_kinds(engine, batch_messages, kind):
    msgs = batch_messages[:200]
    want = engine.classify_batch(msgs)
    if kind == "list":
        texts = list(msgs)
    elif kind == "tuple":
        texts = tuple(msgs)
    elif kind == "generator":
        texts = (m for m in msgs)
    elif kind == "string":
        texts = pa.array(msgs, type=pa.string())
    elif kind == "large_string":
        texts = pa.array(msgs, type=pa.large_string())
    elif kind == "chunked":
        texts = pa.chunked_array([pa.array(msgs[:37], pa.string()), pa.array(msgs[37:], pa.string())])
    elif kind in ("sliced", "sliced_large"):
        t = pa.string() if kind == "sliced" else pa.large_string()
        big = pa.array(["x", None, "碎了"] * 3 + msgs + ["tail", None], type=t)
        texts = big.slice(9, len(msgs))
        assert texts.offset == 9
    elif kind == "string_view":
        if not hasattr(pa, "string_view"):
            pytest.skip("pyarrow without string_view")
        texts = pa.array(msgs, type=pa.string()).cast(pa.string_view())
    elif kind == "dictionary":
        texts = pa.array(msgs, type=pa.string()).dictionary_encode()
    got = engine.classify_batch(texts)
    assert got.equals(want)


def test_odd_slices(engine):
    base = pa.array([None if i % 5 == 0 else f"where is my order {i}" for i in range(100)])
    for start in range(0, 17):
        for length in (0, 1, 7, 8, 9, 50):
            part = base.slice(start, length)
            got = engine.classify_batch(part)
            assert got.to_pylist() == [expected_row(engine, m, False) for m in part.to_pylist()]


def test_empty_and_all_null_inputs(engine):
    assert len(engine.classify_batch([])) == 0
    assert len(engine.suggest_batch(pa.array([], pa.string()))) == 0
    got = engine.classify_batch([None, None])
    assert got.to_pylist() == [None, None]
    got = engine.classify_batch(pa.array([None, None]))  # a null-typed array
    assert got.to_pylist() == [None, None]
    assert engine.classify_batch(["", "", ""]).to_pylist() == [expected_row(engine, "", False)] * 3


def test_threads_give_the_same_rows(engine, batch_messages):
    msgs = batch_messages * 20  # several chunks per thread
    one = engine.suggest_batch(msgs, threads=1)
    for threads in (2, 3, 8):
        assert engine.suggest_batch(msgs, threads=threads).equals(one)
    assert engine.suggest_batch(msgs).equals(one)
    with pytest.raises(ValueError):
        engine.classify_batch(msgs, threads=0)
    with pytest.raises(TypeError):
        engine.classify_batch(msgs, threads="2")


def test_bad_inputs(engine):
    with pytest.raises(TypeError):
        engine.classify_batch("a single string")
    with pytest.raises(TypeError):
        engine.classify_batch(["ok", 42])
    with pytest.raises(TypeError):
        engine.classify_batch(pa.array([1, 2, 3]))
    with pytest.raises(TypeError):
        engine.classify_batch(42)
    bad = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(b"\x00\x00\x00\x00\x02\x00\x00\x00"), pa.py_buffer(b"\xff\xfe")])
    with pytest.raises(ValueError, match="row 0: not valid UTF-8"):
        engine.classify_batch(bad)
    offsets = pa.py_buffer(b"\x00\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00")
    bad_second = pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"hi\xff\xfe")])
    with pytest.raises(ValueError, match="row 1: not valid UTF-8"):
        engine.classify_batch(bad_second)
    # A null slot may hold any bytes: only the valid rows are read.
    null_garbage = pa.Array.from_buffers(
        pa.string(), 2, [pa.py_buffer(bytes([0b10])), offsets, pa.py_buffer(b"\xff\xfehi")], null_count=1)
    assert engine.classify_batch(null_garbage).to_pylist() == [None, expected_row(engine, "hi", False)]


def test_consumers_read_it_without_python_rows(engine, batch_messages):
    got = engine.suggest_batch(batch_messages)
    table = pa.Table.from_arrays(got.flatten(), names=list(replykit.SUGGEST_FIELDS))
    assert table.num_rows == len(batch_messages)
    pd = pytest.importorskip("pandas")
    df = table.to_pandas()
    assert list(df.columns) == list(replykit.SUGGEST_FIELDS)
    assert df["top_intent"].iloc[0] == expected_row(engine, batch_messages[0], True)["top_intent"]
    assert isinstance(pd.DataFrame, type)


def test_polars_if_installed(engine, batch_messages):
    pl = pytest.importorskip("polars")
    s = pl.Series("text", [m for m in batch_messages])
    got = engine.classify_batch(s.to_arrow())
    df = pl.from_arrow(pa.Table.from_arrays(got.flatten(), names=list(replykit.CLASSIFY_FIELDS)))
    assert df.height == len(batch_messages)
    direct = engine.classify_batch(s)  # through the Arrow PyCapsule interface
    assert direct.equals(got)
