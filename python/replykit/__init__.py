"""replykit: classify buyer messages (zh/ko/en), suggest localized replies and policy hints.

Python bindings of the ``replykit`` Rust crate: keyword automata, no model, no network,
microseconds per message, and every answer comes with its evidence.

    >>> import replykit
    >>> engine = replykit.Engine()
    >>> engine.classify("快递怎么还没到,急用!")["intents"][0]["id"]
    'delivery_anxiety'
    >>> s = engine.suggest("the box arrived crushed", vip=True)
    >>> s["hints"][0]["id"]
    'apologize_compensate_first'

Single calls (:meth:`Engine.classify`, :meth:`Engine.suggest`, :meth:`Engine.explain`,
:meth:`Engine.proactive`) return plain dicts shaped exactly like the CLI's JSON
(``cargo run --release --example suggest -- --json MESSAGE``). Batches
(:meth:`Engine.classify_batch`, :meth:`Engine.suggest_batch`) take a list of str or a pyarrow
string array and return a ``pyarrow.StructArray``, answered on all cores with the GIL released.
"""

from __future__ import annotations

import os
import struct
from typing import Any, Iterable, Optional, Union

from . import _native
from ._native import PackError, __version__
from .types import (
    Candidate,
    Classification,
    Evidence,
    Explanation,
    Hint,
    Intent,
    LintWarning,
    OrderStatus,
    PackSource,
    Proactive,
    Reply,
    Suggestion,
)

__all__ = [
    "Engine", "PackError", "CLASSIFY_FIELDS", "SUGGEST_FIELDS", "__version__",
    "Candidate", "Classification", "Evidence", "Explanation", "Hint", "Intent", "LintWarning",
    "OrderStatus", "PackSource", "Proactive", "Reply", "Suggestion",
]

#: The fields of a :meth:`Engine.classify_batch` struct, in order.
CLASSIFY_FIELDS = (
    "language",
    "intents",
    "scores",
    "top_intent",
    "top_score",
    "signals",
    "truncated",
)
#: The fields of a :meth:`Engine.suggest_batch` struct, in order.
SUGGEST_FIELDS = CLASSIFY_FIELDS + ("top_reply", "top_reply_id", "hints")


class Engine(_native.Engine):
    """Compiled rule packs: classifies buyer messages and suggests replies and policy hints.

    ``Engine(packs=None, *, bundled=True, max_message_bytes=None, max_replies=None,
    max_pack_bytes=None, max_keywords=None, max_keyword_bytes=None, max_template_bytes=None,
    max_patterns=None, regex_size_limit=None, default_language=None)``

    ``packs`` lists pack files or folders of ``*.toml`` packs (``str`` or ``os.PathLike``) and
    ``(name, toml_text)`` pairs, layered over the bundled zh/ko/en packs (unless
    ``bundled=False``) in the order given. The limits are those of the Rust
    ``EngineBuilder`` (``max_replies`` defaults to 3, ``max_message_bytes`` to 64 KiB).
    A pack that does not load raises :class:`PackError` with ``path``, ``line``, ``column``,
    ``rule``, ``kind`` and ``message``.

    An engine is immutable and thread-safe: share one between threads. Every call releases
    the GIL while it works.

    Context keyword arguments (of every method taking ``**context``) are the fields of
    ``replykit::Context``: ``repeat_customer`` (bool), ``vip`` (bool), ``order_status``
    (``"unpaid" | "paid" | "shipped" | "delivered"``), ``days_since_shipped`` (int >= 0),
    ``order_amount`` (float), ``language`` (read in this language instead of detecting it),
    ``shop``, ``agent``, ``buyer``, ``courier``, ``currency`` (str) and ``vars``
    (dict[str, str], values for any other placeholder). ``None`` means not given. An unknown
    name raises ``TypeError`` naming it; a value of the wrong type ``TypeError``; an
    out-of-range value (an unknown order status, a negative day count) ``ValueError``.
    """

    def __new__(cls, packs: Optional[Iterable[Any]] = None, **options: Any) -> "Engine":
        # Keep the arguments for pickling; a one-shot iterable of packs is read once, here.
        if packs is not None and not isinstance(packs, (str, bytes, os.PathLike)):
            packs = list(packs)
        self = super().__new__(cls, packs, **options)
        self._args = (packs, options)
        return self

    def __reduce__(self):
        packs, options = self._args
        return (_rebuild, (packs, options))

    def classify_batch(self, texts: Any, /, *, threads: Optional[int] = None, **context: Any):
        """Classify many messages at once: one row of a ``pyarrow.StructArray`` per message.

        ``texts`` is a ``list`` (or other iterable) of ``str``/``None``, or a pyarrow
        ``StringArray``, ``LargeStringArray``, string-view array or ``ChunkedArray`` of them.
        The rows are answered on ``threads`` threads (default: one per core) with the GIL
        released; each row equals what :meth:`classify` gives for that message and ``context``.

        Fields (see :data:`CLASSIFY_FIELDS`): ``language`` (string), ``intents``
        (list<string>, best first), ``scores`` (list<double>, aligned with ``intents``),
        ``top_intent`` (string, null when no intent fired), ``top_score`` (double, null when no
        intent fired), ``signals`` (list<string>), ``truncated`` (bool).

        A null (``None``) message gives a null row: the struct entry and every field of it are
        null. An empty string is a message like any other (no intent, the default language).
        """
        return self._batch(False, texts, threads, context)

    def suggest_batch(self, texts: Any, /, *, threads: Optional[int] = None, **context: Any):
        """As :meth:`classify_batch`, with the suggestion's fields added.

        Extra fields (see :data:`SUGGEST_FIELDS`): ``top_reply`` (string: the best reply's
        rendered text, null when none), ``top_reply_id`` (string, e.g.
        ``"zh.damage.compensate"``), ``hints`` (list<string>: the policy hint ids, highest
        priority first). Each row equals what :meth:`suggest` gives for that message.
        """
        return self._batch(True, texts, threads, context)

    def _batch(self, suggest: bool, texts: Any, threads: Optional[int], context: dict):
        import pyarrow as pa

        if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool)):
            raise TypeError(f"threads must be an int, not {type(threads).__name__}")
        array = _string_array(pa, texts)
        large = pa.types.is_large_string(array.type)
        width = 8 if large else 4
        n, offset = len(array), array.offset
        validity_buf, offsets_buf, data_buf = array.buffers()[:3]
        # Only the rows' part of each buffer crosses over (a slice of a big array stays small).
        offsets = offsets_buf[offset * width:(offset + n + 1) * width] if offsets_buf else None
        fmt = "<q" if large else "<i"
        if offsets is None or n == 0:
            offsets_bytes, base, data_bytes = bytes((n + 1) * width), 0, b""
        else:
            offsets_bytes = offsets.to_pybytes()
            base = struct.unpack_from(fmt, offsets_bytes, 0)[0]
            end = struct.unpack_from(fmt, offsets_bytes, n * width)[0]
            data_bytes = data_buf[base:end].to_pybytes() if data_buf is not None else b""
        validity, validity_offset = None, 0
        if validity_buf is not None and array.null_count:
            validity = validity_buf[offset // 8:(offset + n + 7) // 8].to_pybytes()
            validity_offset = offset % 8
        columns = self._batch_buffers(
            suggest, n, offsets_bytes, data_bytes, validity, validity_offset, base, large,
            threads, context,
        )
        return _struct(pa, n, columns)


def _rebuild(packs, options):
    return Engine(packs, **options)


def _string_array(pa, texts):
    """``texts`` as one pyarrow string or large_string array."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be a list of str or a pyarrow string array, not a single str")
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks != 1 else texts.chunk(0)
    if not isinstance(texts, pa.Array):
        if hasattr(texts, "__arrow_c_array__") or hasattr(texts, "__arrow_c_stream__"):
            texts = pa.array(texts)  # Polars, nanoarrow, ... through the Arrow PyCapsule interface
            if isinstance(texts, pa.ChunkedArray):
                texts = texts.combine_chunks()
        else:
            try:
                texts = pa.array(texts if isinstance(texts, (list, tuple)) else list(texts), type=pa.string())
            except (pa.ArrowTypeError, pa.ArrowInvalid) as e:
                raise TypeError(f"texts must hold only str or None: {e}") from None
    if isinstance(texts, pa.ChunkedArray):  # over 2 GiB of text: pa.array splits it
        texts = texts.cast(pa.large_string()).combine_chunks()
    t = texts.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return texts
    if pa.types.is_null(t) or getattr(pa.types, "is_string_view", lambda _: False)(t):
        return texts.cast(pa.large_string())
    if pa.types.is_dictionary(t) and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)):
        return texts.cast(t.value_type)
    raise TypeError(f"texts must be an Arrow array of strings, not of {t}")


_TYPES = {}


def _array(pa, spec):
    """A pyarrow array from the column buffers the native module returns."""
    kind, length, nulls, validity, *rest = spec
    valid = pa.py_buffer(validity) if validity is not None else None
    if kind in ("string", "large_string"):
        offsets, data = rest
        typ = pa.string() if kind == "string" else pa.large_string()
        buffers = [valid, pa.py_buffer(offsets), pa.py_buffer(data)]
        return pa.Array.from_buffers(typ, length, buffers, null_count=nulls)
    if kind == "float64":
        return pa.Array.from_buffers(pa.float64(), length, [valid, pa.py_buffer(rest[0])], null_count=nulls)
    if kind == "bool":
        return pa.Array.from_buffers(pa.bool_(), length, [valid, pa.py_buffer(rest[0])], null_count=nulls)
    if kind in ("list", "large_list"):
        offsets, child_spec = rest
        child = _array(pa, child_spec)
        typ = pa.list_(child.type) if kind == "list" else pa.large_list(child.type)
        return pa.Array.from_buffers(typ, length, [valid, pa.py_buffer(offsets)], null_count=nulls, children=[child])
    raise AssertionError(f"unknown column kind {kind}")


def _struct(pa, n, columns):
    (row_nulls, row_validity), *named = columns
    children = [_array(pa, spec) for _, spec in named]
    fields = [pa.field(name, child.type) for (name, _), child in zip(named, children)]
    valid = pa.py_buffer(row_validity) if row_validity is not None else None
    return pa.Array.from_buffers(pa.struct(fields), n, [valid], null_count=row_nulls, children=children)
