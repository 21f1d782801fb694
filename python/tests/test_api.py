"""The single-call API: shapes equal to the CLI's JSON, context, packs, errors, proactive."""

from __future__ import annotations

import os
import pickle

import pytest

import replykit
from conftest import EDGE_MESSAGES, SHOP_PACK


def test_suggest_is_the_cli_json_line(engine, cli):
    lines = EDGE_MESSAGES
    for got, want in zip([engine.suggest(m) for m in lines], cli(lines)):
        assert got == want


def test_classify_is_the_cli_classification(engine, cli, messages):
    sample = messages[:120]
    for m, want in zip(sample, cli(sample)):
        assert engine.classify(m) == want["classification"]


def test_result_shape(engine):
    c = engine.classify("It arrived CRACKED and I want a refund")
    assert set(c) >= {"language", "intents", "signals", "truncated"}
    assert c["language"] == "en"
    damage = next(i for i in c["intents"] if i["id"] == "damage")
    e = damage["evidence"][0]
    assert set(e) >= {"start", "end", "keyword", "rule", "weight", "fuzzy"}
    assert "It arrived CRACKED".encode()[e["start"]:e["end"]] == b"CRACKED"
    assert e["rule"].startswith("rules/en.toml:")
    s = engine.suggest("the box arrived crushed")
    assert set(s) >= {"message", "classification", "replies", "hints"}
    assert s["message"] == "the box arrived crushed"
    assert set(s["replies"][0]) >= {"intent", "id", "text", "score"}
    assert set(s["hints"][0]) >= {"id", "text", "priority"}
    assert all("{" not in r["text"] for r in s["replies"])


def test_spans_are_utf8_byte_offsets(engine):
    m = "快递怎么还没到,急用!"
    for i in engine.classify(m)["intents"]:
        for e in i["evidence"]:
            assert m.encode()[e["start"]:e["end"]].decode()


CONTEXTS = [
    ({"order_status": "shipped", "days_since_shipped": 6},
     ["--order-status", "shipped", "--days-since-shipped", "6"]),
    ({"order_status": "paid"}, ["--order-status", "paid"]),
    ({"vip": True, "repeat_customer": True}, ["--vip", "--repeat-customer"]),
    ({"order_amount": 1280.0, "currency": "€"}, ["--order-amount", "1280", "--currency", "€"]),
    ({"shop": "鲜果铺", "agent": "小王", "buyer": "Kim", "courier": "UPS",
      "vars": {"tracking": "1Z999"}},
     ["--shop", "鲜果铺", "--agent", "小王", "--buyer", "Kim", "--courier", "UPS",
      "--var", "tracking=1Z999"]),
    ({"language": "ko"}, ["--lang", "ko"]),
]


@pytest.mark.parametrize("context,flags", CONTEXTS, ids=lambda x: str(x)[:40])
def test_context_matches_the_cli_flags(engine, cli, messages, context, flags):
    sample = messages[::7]
    for m, want in zip(sample, cli(sample, *flags)):
        assert engine.suggest(m, **context) == want


def test_context_changes_the_answer(engine):
    paid = engine.suggest("when will you ship my order?", order_status="paid")
    assert paid["replies"][0]["id"] == "en.delivery_anxiety.paid"
    vip = engine.suggest("the box arrived crushed", vip=True)
    assert any(h["id"] == "vip_priority" for h in vip["hints"])
    assert not any(h["id"] == "vip_priority" for h in engine.suggest("the box arrived crushed")["hints"])


def test_none_means_not_given(engine):
    m = "where is my order?? it's been ages"
    assert engine.suggest(m, vip=None, order_status=None, vars=None) == engine.suggest(m)


def test_shop_packs_match_the_cli(cli, shop_packs, messages):
    e = replykit.Engine(packs=shop_packs, max_replies=2)
    lines = ["the peaches came squashed", "水果烂成泥了", "where is my package", *messages[:60]]
    flags = [f for p in shop_packs for f in ("--rules", str(p))] + ["--top", "2"]
    for m, want in zip(lines, cli(lines, *flags)):
        assert e.suggest(m) == want
    s = e.suggest("the peaches came squashed", buyer="Ana")
    assert s["replies"][0]["id"] == "en.damage.fruit"
    assert "Ana" in s["replies"][0]["text"]


def test_pack_sources(tmp_path, shop_packs):
    by_text = replykit.Engine(packs=[("shop.toml", SHOP_PACK)])
    by_path = replykit.Engine(packs=[shop_packs[0]])
    by_str = replykit.Engine(packs=[str(shop_packs[0])])
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.toml").write_text(SHOP_PACK, encoding="utf-8")
    by_folder = replykit.Engine(packs=[folder])
    m = "the peaches came squashed"
    assert by_text.suggest(m)["replies"][0]["id"] == "en.damage.fruit"
    for e in (by_path, by_str, by_folder):
        assert e.suggest(m)["replies"] == by_text.suggest(m)["replies"]
    assert by_text.classify(m)["intents"][0]["evidence"][0]["rule"].startswith("shop.toml:")


def test_no_bundled_and_limits():
    only_en = replykit.Engine(packs=[("shop.toml", SHOP_PACK.replace('[[intent.delivery_anxiety.reply]]\nid = "tracking"\ntext = "Hi {buyer}, your parcel is on its way with {courier}: tracking {tracking}."\nweight = 3.0\n', '').replace('{buyer}', 'there'))], bundled=False)
    assert only_en.languages == ["en"]
    assert only_en.classify("the peaches came squashed")["intents"][0]["id"] == "damage"
    short = replykit.Engine(max_message_bytes=16)
    c = short.classify("快递还没到,已经五天了,急用!")
    assert c["truncated"] is True
    assert all(e["end"] <= 16 for i in c["intents"] for e in i["evidence"])
    one = replykit.Engine(max_replies=1)
    assert len(one.suggest("the box arrived crushed")["replies"]) == 1
    with pytest.raises(replykit.PackError) as err:
        replykit.Engine(max_keywords=10)
    assert err.value.kind == "limit"
    assert replykit.Engine(default_language="en").classify("!!!")["language"] == "en"


def test_engine_introspection(engine):
    assert engine.languages == ["zh", "ko", "en"]
    assert len(engine.intents("zh")) == 14 and "damage" in engine.intents("zh")
    assert engine.intents("xx") == []
    assert "urgent" in engine.signals("zh")
    assert "apologize_compensate_first" in engine.hints("en")
    assert "in_transit" in engine.events("zh")
    assert engine.lint() == []
    assert "zh" in repr(engine)


def test_explain(engine):
    x = engine.explain("It arrived CRACKED")
    assert x["classification"] == engine.classify("It arrived CRACKED")
    assert any(c["intent"]["id"] == "damage" and c["verdict"] == "fired" for c in x["candidates"])


@pytest.mark.parametrize("event", ["unpaid", "not_shipped", "shipped", "in_transit", "delivered", "case_closed"])
@pytest.mark.parametrize("lang", ["zh", "ko", "en"])
def test_proactive_matches_the_cli(engine, cli_event, event, lang):
    ctx = {"language": lang, "courier": "UPS", "vars": {"tracking": "1Z999"}}
    want = cli_event(event, "--lang", lang, "--courier", "UPS", "--var", "tracking=1Z999")
    assert engine.proactive(event, **ctx) == want


def test_proactive(engine):
    p = engine.proactive("shipped", language="en", courier="UPS", vars={"tracking": "1Z999"})
    assert p["event"] == "shipped" and p["language"] == "en"
    assert "UPS" in p["replies"][0]["text"] and "1Z999" in p["replies"][0]["text"]
    z = engine.proactive("in_transit", language="zh")
    assert any(h["id"] == "investigate_tell_why" for h in z["hints"])
    assert engine.proactive("no_such_event") is None
    assert engine.proactive("shipped")["language"] == "zh"  # the default language


def test_pickle_round_trip(shop_packs):
    e = replykit.Engine(packs=[("shop.toml", SHOP_PACK), shop_packs[1]], max_replies=1)
    back = pickle.loads(pickle.dumps(e))
    for m in ["the peaches came squashed", "水果烂成泥了", "快递怎么还没到"]:
        assert back.suggest(m) == e.suggest(m)
    once = replykit.Engine(iter([("shop.toml", SHOP_PACK)]))  # a one-shot iterable of packs
    again = pickle.loads(pickle.dumps(once))
    assert again.suggest("the peaches came squashed") == once.suggest("the peaches came squashed")
    assert again.suggest("the peaches came squashed")["replies"][0]["id"] == "en.damage.fruit"


# --- errors -----------------------------------------------------------------------------

BAD_PACK = 'language = "zh"\n[intent.damage]\nkeywords = ["碎了", " "]\n'


def test_pack_error_has_file_line_column(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_PACK, encoding="utf-8")
    with pytest.raises(replykit.PackError) as err:
        replykit.Engine(packs=[path])
    e = err.value
    assert e.path == str(path)
    assert (e.line, e.column) == (3, 19)
    assert e.rule == "intent `damage`"
    assert e.kind == "empty_keyword"
    assert e.message == "empty keyword"
    assert isinstance(e.span, tuple) and len(e.span) == 2
    assert str(e).startswith(f"{path}:3:19: intent `damage`: empty keyword")
    assert "^" in str(e)
    assert isinstance(e, ValueError)


@pytest.mark.parametrize("text,kind,line", [
    ('language = "en"\n[intent.damage\n', "syntax", 2),
    ('language = "en"\n[intent.damage]\nkeywords = ["x"]\nbogus = 1\n', "syntax", 4),
    ('language = "en"\n[intent.damage]\npatterns = ["(unclosed"]\n', "regex", 3),
    ('language = "en"\n[intent.damage]\nkeywords = ["ok"]\nunless = ["no_such_intent"]\n', "unknown", 4),
])
def test_pack_error_kinds(text, kind, line):
    with pytest.raises(replykit.PackError) as err:
        replykit.Engine(packs=[("shop.toml", text)])
    assert err.value.kind == kind, str(err.value)
    assert err.value.path == "shop.toml"
    assert err.value.line == line, str(err.value)
    assert err.value.column >= 1


def test_missing_pack_file(tmp_path):
    with pytest.raises(replykit.PackError) as err:
        replykit.Engine(packs=[tmp_path / "nope.toml"])
    assert err.value.kind == "io"
    assert err.value.path.endswith("nope.toml")
    assert err.value.line is None and err.value.column is None


def test_pack_argument_types():
    with pytest.raises(TypeError, match="single path"):
        replykit.Engine(packs="shop.toml")
    with pytest.raises(TypeError):
        replykit.Engine(packs=[42])
    with pytest.raises(TypeError):
        replykit.Engine(packs=[("name-only",)])
    with pytest.raises(TypeError):
        replykit.Engine(no_such_option=1)
    with pytest.raises((TypeError, OverflowError)):
        replykit.Engine(max_replies=-1)
    with pytest.raises(TypeError):
        replykit.Engine(max_replies="3")


def test_unknown_context_kwargs_raise_type_error_naming_them(engine):
    with pytest.raises(TypeError) as err:
        engine.classify("hi", vip=True, colour="red", size=3)
    assert "colour" in str(err.value) and "size" in str(err.value)
    for method in (engine.suggest, engine.explain, engine.classify_batch, engine.suggest_batch):
        with pytest.raises(TypeError, match="colour"):
            method("hi" if method in (engine.suggest, engine.explain) else ["hi"], colour="red")
    with pytest.raises(TypeError, match="colour"):
        engine.proactive("shipped", colour="red")


@pytest.mark.parametrize("kwargs,error,name", [
    ({"vip": "yes"}, TypeError, "vip"),
    ({"repeat_customer": 1}, TypeError, "repeat_customer"),
    ({"order_status": 3}, TypeError, "order_status"),
    ({"order_status": "sent"}, ValueError, "order_status"),
    ({"days_since_shipped": -1}, ValueError, "days_since_shipped"),
    ({"days_since_shipped": 1.5}, TypeError, "days_since_shipped"),
    ({"order_amount": "12"}, TypeError, "order_amount"),
    ({"order_amount": float("nan")}, ValueError, "order_amount"),
    ({"language": 5}, TypeError, "language"),
    ({"vars": {"tracking": 1}}, TypeError, "vars"),
    ({"vars": ["tracking"]}, TypeError, "vars"),
    ({"shop": object()}, TypeError, "shop"),
])
def test_wrong_context_values(engine, kwargs, error, name):
    with pytest.raises(error, match=name):
        engine.suggest("where is my order", **kwargs)


def test_wrong_text_types(engine):
    for bad in (None, 42, b"bytes", ["list"]):
        with pytest.raises(TypeError):
            engine.classify(bad)
        with pytest.raises(TypeError):
            engine.suggest(bad)
    with pytest.raises(TypeError):
        engine.proactive(None)


def test_surrogates_are_refused(engine):
    with pytest.raises(UnicodeEncodeError):
        engine.classify("\ud800")


def test_long_message_is_truncated_not_refused(engine):
    m = "快递怎么还没到 " * 20000
    c = engine.classify(m)
    assert c["truncated"] is True
    assert c["intents"][0]["id"] == "delivery_anxiety"
