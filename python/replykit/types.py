"""The shapes of replykit's results, for type checkers (and readers).

The dicts that :class:`replykit.Engine` returns are plain ``dict``; these ``TypedDict`` classes
name the fields they have today. The Rust results may gain fields (the dicts follow them through
serde), so treat these as a floor, not a ceiling.
"""

from __future__ import annotations

import os
from typing import Any, List, Literal, Mapping, Optional, Tuple, TypedDict, Union

__all__ = [
    "PackSource", "OrderStatus", "Evidence", "Intent", "Classification", "Reply", "Hint",
    "Suggestion", "Candidate", "Explanation", "Proactive", "LintWarning",
]

PackSource = Union[str, "os.PathLike[str]", Tuple[str, str]]
"""A pack for ``Engine(packs=[...])``: a file or folder path, or a ``(name, toml_text)`` pair."""
OrderStatus = Literal["unpaid", "paid", "shipped", "delivered"]

# Results: plain dicts shaped like the CLI's JSON. The Rust types may gain fields; these
# TypedDicts list the ones there are today.


class Evidence(TypedDict, total=False):
    start: int  # UTF-8 byte offset into the message
    end: int
    keyword: Optional[str]  # folded form; None for a regex pattern
    rule: str  # "rules/zh.toml:120 damage keywords"
    weight: float
    fuzzy: bool


class Intent(TypedDict):
    id: str
    score: float
    evidence: List[Evidence]


class Classification(TypedDict):
    language: str
    intents: List[Intent]
    signals: List[str]
    truncated: bool


class Reply(TypedDict):
    intent: str
    id: str
    text: str
    score: float


class Hint(TypedDict, total=False):
    id: str
    text: str
    priority: int
    turns: List[int]  # only for a hint a conversation thread calls for


class Suggestion(TypedDict):
    message: str
    classification: Classification
    replies: List[Reply]
    hints: List[Hint]


class Candidate(TypedDict):
    intent: Intent
    threshold: float
    verdict: Union[str, Mapping[str, Any]]  # "fired", "below_threshold", {"suppressed": {"by": id}}


class Explanation(TypedDict):
    classification: Classification
    candidates: List[Candidate]


class Proactive(TypedDict):
    event: str
    language: str
    replies: List[Reply]
    hints: List[Hint]


class LintWarning(TypedDict):
    code: str
    message: str
    path: str
    line: int
    column: int
    related: Optional[str]
