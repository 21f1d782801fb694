"""Shared fixtures: the installed package, the Rust CLI to compare with, messages, a shop pack."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

import replykit

PYTHON_DIR = Path(__file__).resolve().parent.parent
ROOT = PYTHON_DIR.parent
CLI = Path(os.environ.get("REPLYKIT_CLI", ROOT / "target" / "release" / "examples" / "suggest"))

# The tests run against the installed wheel, never the source folder (which has no _native).
assert "site-packages" in replykit.__file__ or os.environ.get("REPLYKIT_ALLOW_SOURCE"), replykit.__file__

SHOP_PACK = """\
language = "en"
[defaults]
tracking = "(tracking number)"
[intent.damage]
keywords = ["squashed", "bruised"]
[[intent.damage.reply]]
id = "fruit"
text = "So sorry your fruit arrived squashed, {buyer}! We'll send a fresh box today."
weight = 2.0
[[intent.delivery_anxiety.reply]]
id = "tracking"
text = "Hi {buyer}, your parcel is on its way with {courier}: tracking {tracking}."
weight = 3.0
"""

SHOP_PACK_ZH = """\
language = "zh"
[intent.damage]
keywords = ["烂成泥"]
[[intent.damage.reply]]
id = "fruit"
text = "亲，水果烂成这样真的很抱歉！我们今天就给您补发一箱新鲜的🙏"
weight = 2.0
"""

# Messages that exercise every path: three languages, several intents, signals, negation,
# typos, context-dependent replies, none at all, emptiness, odd characters.
EDGE_MESSAGES = [
    "快递怎么还没到,急用!",
    "碎成这样了,直接给我退款吧",
    "箱子完好无损,一个都没坏",
    "3일째 배송조회가 안 돼요",
    "배송 언제 와요?",
    "It arrived CRACKED and I want a refund",
    "the peaches came squashed",
    "when will you ship my order?",
    "where is my order?? it's been ages",
    "水果烂成泥了",
    "",
    " ",
    "!!!",
    "😊😊😊",
    "ｆｕｌｌ－ｗｉｄｔｈ ＲＥＦＵＮＤ please",
    "這次的肉少了,上次不是這樣的",
    "Can you do $99 for the tea set",
    "hello",
    "a\tb",
]


def fixture_lines(language: str) -> list[str]:
    path = ROOT / "benches" / "data" / f"{language}.txt"
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l]


@pytest.fixture(scope="session")
def messages() -> list[str]:
    """A few hundred real-looking messages (the bench fixtures) plus the edge cases."""
    rng = random.Random(7)
    out = list(EDGE_MESSAGES)
    for lang in ("zh", "ko", "en"):
        out += rng.sample(fixture_lines(lang), 100)
    return out


@pytest.fixture(scope="session")
def engine() -> replykit.Engine:
    return replykit.Engine()


@pytest.fixture(scope="session")
def shop_packs(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("packs")
    en, zh = d / "shop_en.toml", d / "shop_zh.toml"
    en.write_text(SHOP_PACK, encoding="utf-8")
    zh.write_text(SHOP_PACK_ZH, encoding="utf-8")
    return [en, zh]


def _ensure_cli() -> Path:
    if not CLI.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--example", "suggest"], cwd=ROOT, check=True
        )
    return CLI


@pytest.fixture(scope="session")
def cli():
    """`cli(lines, *flags)`: the Rust CLI's `--json` answers, one dict per line of input."""
    path = _ensure_cli()

    def run(lines: list[str], *flags: str) -> list[dict]:
        for l in lines:
            assert "\n" not in l and not l.endswith("\r"), "one message per line"
        out = subprocess.run(
            [str(path), "--json", *flags],
            input="".join(l + "\n" for l in lines).encode("utf-8"),
            capture_output=True,
            cwd=ROOT,
            check=True,
        )
        answers = [json.loads(l) for l in out.stdout.decode("utf-8").splitlines()]
        assert len(answers) == len(lines)
        return answers

    return run


@pytest.fixture(scope="session")
def cli_event():
    """`cli_event(name, *flags)`: the CLI's `--event NAME --json` answer."""
    path = _ensure_cli()

    def run(name: str, *flags: str) -> dict:
        out = subprocess.run(
            [str(path), "--json", "--event", name, *flags],
            capture_output=True, cwd=ROOT, check=True,
        )
        return json.loads(out.stdout)

    return run
