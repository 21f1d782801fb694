"""Type stubs of replykit (the Python bindings of the replykit crate)."""

from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union

import pyarrow as pa

from .types import (
    Candidate as Candidate,
    Classification as Classification,
    Evidence as Evidence,
    Explanation as Explanation,
    Hint as Hint,
    Intent as Intent,
    LintWarning as LintWarning,
    OrderStatus as OrderStatus,
    PackSource as PackSource,
    Proactive as Proactive,
    Reply as Reply,
    Suggestion as Suggestion,
)

__all__ = [
    "Engine", "PackError", "CLASSIFY_FIELDS", "SUGGEST_FIELDS", "__version__",
    "Candidate", "Classification", "Evidence", "Explanation", "Hint", "Intent", "LintWarning",
    "OrderStatus", "PackSource", "Proactive", "Reply", "Suggestion",
]

__version__: str

#: The fields of a classify_batch struct, in order.
CLASSIFY_FIELDS: Tuple[str, ...]
#: The fields of a suggest_batch struct, in order.
SUGGEST_FIELDS: Tuple[str, ...]

class PackError(ValueError):
    """A rule pack could not be read, parsed or validated, or went past a limit."""

    path: Optional[str]
    line: Optional[int]
    column: Optional[int]
    rule: Optional[str]
    #: io, utf8, syntax, invalid, empty_keyword, duplicate, unknown, placeholder, regex, limit
    kind: str
    message: str
    span: Optional[Tuple[int, int]]

class Engine:
    """Compiled rule packs: classifies buyer messages and suggests replies and policy hints.

    Context keyword arguments (``**context``): repeat_customer, vip, order_status,
    days_since_shipped, order_amount, language, shop, agent, buyer, courier, currency, vars.
    Unknown names raise TypeError; None means not given.
    """

    def __init__(
        self,
        packs: Optional[Iterable[PackSource]] = None,
        *,
        bundled: bool = True,
        max_message_bytes: Optional[int] = None,
        max_replies: Optional[int] = None,
        max_pack_bytes: Optional[int] = None,
        max_keywords: Optional[int] = None,
        max_keyword_bytes: Optional[int] = None,
        max_template_bytes: Optional[int] = None,
        max_patterns: Optional[int] = None,
        regex_size_limit: Optional[int] = None,
        default_language: Optional[str] = None,
    ) -> None: ...
    def classify(
        self,
        text: str,
        /,
        *,
        repeat_customer: Optional[bool] = ...,
        vip: Optional[bool] = ...,
        order_status: Optional[OrderStatus] = ...,
        days_since_shipped: Optional[int] = ...,
        order_amount: Optional[float] = ...,
        language: Optional[str] = ...,
        shop: Optional[str] = ...,
        agent: Optional[str] = ...,
        buyer: Optional[str] = ...,
        courier: Optional[str] = ...,
        currency: Optional[str] = ...,
        vars: Optional[Mapping[str, str]] = ...,
    ) -> Classification:
        """What ``text`` is about: the "classification" member of the CLI's JSON line."""
    def suggest(
        self,
        text: str,
        /,
        *,
        repeat_customer: Optional[bool] = ...,
        vip: Optional[bool] = ...,
        order_status: Optional[OrderStatus] = ...,
        days_since_shipped: Optional[int] = ...,
        order_amount: Optional[float] = ...,
        language: Optional[str] = ...,
        shop: Optional[str] = ...,
        agent: Optional[str] = ...,
        buyer: Optional[str] = ...,
        courier: Optional[str] = ...,
        currency: Optional[str] = ...,
        vars: Optional[Mapping[str, str]] = ...,
    ) -> Suggestion:
        """``text`` classified, with replies and hints: the CLI's ``suggest --json`` line."""
    def explain(self, text: str, /, **context: Any) -> Explanation:
        """Every intent with evidence, fired or not, and why (for rule authors)."""
    def proactive(
        self,
        event: str,
        /,
        *,
        repeat_customer: Optional[bool] = ...,
        vip: Optional[bool] = ...,
        order_status: Optional[OrderStatus] = ...,
        days_since_shipped: Optional[int] = ...,
        order_amount: Optional[float] = ...,
        language: Optional[str] = ...,
        shop: Optional[str] = ...,
        agent: Optional[str] = ...,
        buyer: Optional[str] = ...,
        courier: Optional[str] = ...,
        currency: Optional[str] = ...,
        vars: Optional[Mapping[str, str]] = ...,
    ) -> Optional[Proactive]:
        """What to send first on an order event; None when no pack of the language has it."""
    def classify_batch(
        self,
        texts: Union[Iterable[Optional[str]], pa.Array, pa.ChunkedArray],
        /,
        *,
        threads: Optional[int] = None,
        **context: Any,
    ) -> pa.StructArray:
        """Many messages on all cores, the GIL released: a StructArray of CLASSIFY_FIELDS.

        A null message gives a null row (every field null).
        """
    def suggest_batch(
        self,
        texts: Union[Iterable[Optional[str]], pa.Array, pa.ChunkedArray],
        /,
        *,
        threads: Optional[int] = None,
        **context: Any,
    ) -> pa.StructArray:
        """As classify_batch, with top_reply, top_reply_id and hints (SUGGEST_FIELDS)."""
    @property
    def languages(self) -> List[str]:
        """The languages the loaded packs speak, in load order."""
    def intents(self, language: str) -> List[str]: ...
    def signals(self, language: str) -> List[str]: ...
    def hints(self, language: str) -> List[str]: ...
    def events(self, language: str) -> List[str]: ...
    def lint(self) -> List[LintWarning]:
        """What a pack author should fix though the packs load (empty for the bundled ones)."""
