//! Batches: an Arrow string array in, Arrow column buffers out, the GIL released and the rows
//! split over threads in between.
//!
//! The bridge is hand-built and safe: Python hands the array's buffers (offsets, UTF-8 data,
//! validity bitmap) over as byte strings, the rows are answered on `threads` threads into
//! per-chunk column builders, the chunks are concatenated in row order, and each column goes
//! back as byte strings that `pyarrow` wraps without copying (`pa.Array.from_buffers`, in
//! `replykit/__init__.py`). One copy of the input text and one of the output buffers are the
//! whole cost of the bridge.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyList, PyTuple};
use replykit::{Classification, Context, Engine};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The buffers of an Arrow `string` (int32 offsets) or `large_string` (int64) array.
pub(crate) struct Input<'a> {
    pub(crate) length: usize,
    /// `length + 1` offsets, little-endian, of the array's first row on.
    pub(crate) offsets: &'a [u8],
    /// The UTF-8 bytes from the first row's start (`base`) to the last row's end.
    pub(crate) data: &'a [u8],
    /// The validity bitmap (LSB first), if the array has nulls; row `i` is bit
    /// `validity_offset + i`.
    pub(crate) validity: Option<&'a [u8]>,
    pub(crate) validity_offset: usize,
    /// The offset value of the first byte of `data`.
    pub(crate) base: i64,
    pub(crate) large: bool,
}

impl Input<'_> {
    fn offset(&self, i: usize) -> i64 {
        if self.large {
            let b = &self.offsets[8 * i..8 * i + 8];
            i64::from_le_bytes(b.try_into().expect("8 bytes"))
        } else {
            let b = &self.offsets[4 * i..4 * i + 4];
            i32::from_le_bytes(b.try_into().expect("4 bytes")) as i64
        }
    }

    fn check(&self) -> Result<(), String> {
        let width = if self.large { 8 } else { 4 };
        if self.offsets.len() < (self.length + 1) * width {
            return Err("Arrow offsets buffer too short".into());
        }
        if let Some(v) = self.validity {
            if v.len() * 8 < self.validity_offset + self.length {
                return Err("Arrow validity bitmap too short".into());
            }
        }
        Ok(())
    }

    fn is_null(&self, i: usize) -> bool {
        self.validity.is_some_and(|v| {
            let bit = self.validity_offset + i;
            v[bit / 8] & (1 << (bit % 8)) == 0
        })
    }

    /// The bytes rows `range` span, as one `&str` if they are valid UTF-8 (checked once per
    /// chunk rather than once per row), and the offset they start at. `None` when some are
    /// not: null rows may hold any bytes, so then each row is checked on its own.
    fn text_of(&self, range: &Range<usize>) -> Result<(Option<&str>, i64), String> {
        let (start, end) = (self.offset(range.start), self.offset(range.end));
        let (lo, hi) = (start - self.base, end - self.base);
        if lo < 0 || hi < lo || hi as usize > self.data.len() {
            return Err(format!("rows {range:?}: invalid Arrow offsets"));
        }
        let bytes = &self.data[lo as usize..hi as usize];
        Ok((std::str::from_utf8(bytes).ok(), start))
    }

    /// Row `i`: `None` for a null, else its text, from `text` (what [`text_of`](Self::text_of)
    /// gave for its chunk, from offset `start`) or, without it, checked on its own.
    fn row<'t>(
        &'t self,
        i: usize,
        text: Option<&'t str>,
        start: i64,
    ) -> Result<Option<&'t str>, String> {
        if self.is_null(i) {
            return Ok(None);
        }
        let invalid = || format!("row {i}: invalid Arrow offsets");
        let (a, b) = (self.offset(i) - start, self.offset(i + 1) - start);
        if a < 0 || b < a {
            return Err(invalid());
        }
        let (a, b) = (a as usize, b as usize);
        match text {
            // `get` refuses a range off the text or off a character boundary.
            Some(text) => text.get(a..b).map(Some).ok_or_else(invalid),
            None => {
                let lo = (start - self.base) as usize;
                let bytes = self.data.get(lo + a..lo + b).ok_or_else(invalid)?;
                std::str::from_utf8(bytes)
                    .map(Some)
                    .map_err(|e| format!("row {i}: not valid UTF-8 ({e})"))
            }
        }
    }
}

/// A validity (or boolean) bitmap under construction.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, bit: bool) {
        if self.len % 8 == 0 {
            self.bytes.push(0);
        }
        if bit {
            *self.bytes.last_mut().expect("pushed") |= 1 << (self.len % 8);
        }
        self.len += 1;
    }

    /// Appends `other`; `self.len` must be a multiple of 8 (chunks are).
    fn append(&mut self, other: &Bits) {
        debug_assert_eq!(self.len % 8, 0);
        self.bytes.extend_from_slice(&other.bytes);
        self.len += other.len;
    }
}

/// Nulls of a column: a bitmap and their count.
#[derive(Default)]
struct Validity {
    bits: Bits,
    nulls: usize,
}

impl Validity {
    fn push(&mut self, valid: bool) {
        self.bits.push(valid);
        self.nulls += usize::from(!valid);
    }

    fn append(&mut self, other: &Validity) {
        self.bits.append(&other.bits);
        self.nulls += other.nulls;
    }

    fn to_py<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        if self.nulls == 0 {
            py.None().into_bound(py)
        } else {
            PyBytes::new(py, &self.bits.bytes).into_any()
        }
    }
}

/// A string column (offsets kept as i64, narrowed to Arrow's int32 `string` when they fit).
struct Strings {
    offsets: Vec<i64>,
    data: Vec<u8>,
    valid: Validity,
}

impl Default for Strings {
    fn default() -> Strings {
        Strings {
            offsets: vec![0],
            data: Vec::new(),
            valid: Validity::default(),
        }
    }
}

impl Strings {
    fn push(&mut self, s: Option<&str>) {
        if let Some(s) = s {
            self.data.extend_from_slice(s.as_bytes());
        }
        self.offsets.push(self.data.len() as i64);
        self.valid.push(s.is_some());
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn append(&mut self, other: &Strings) {
        let shift = self.data.len() as i64;
        self.data.extend_from_slice(&other.data);
        self.offsets
            .extend(other.offsets[1..].iter().map(|o| o + shift));
        self.valid.append(&other.valid);
    }

    /// `("string" | "large_string", length, nulls, validity, offsets, data)`.
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let large = self.data.len() > i32::MAX as usize;
        let offsets = offsets_bytes(&self.offsets, large);
        (
            if large { "large_string" } else { "string" },
            self.len(),
            self.valid.nulls,
            self.valid.to_py(py),
            PyBytes::new(py, &offsets),
            PyBytes::new(py, &self.data),
        )
            .into_pyobject(py)
    }
}

fn offsets_bytes(offsets: &[i64], large: bool) -> Vec<u8> {
    if large {
        offsets.iter().flat_map(|o| o.to_le_bytes()).collect()
    } else {
        offsets
            .iter()
            .flat_map(|&o| (o as i32).to_le_bytes())
            .collect()
    }
}

/// A float64 column.
#[derive(Default)]
struct Floats {
    values: Vec<f64>,
    valid: Validity,
}

impl Floats {
    fn push(&mut self, v: Option<f64>) {
        self.values.push(v.unwrap_or(0.0));
        self.valid.push(v.is_some());
    }

    fn append(&mut self, other: &Floats) {
        self.values.extend_from_slice(&other.values);
        self.valid.append(&other.valid);
    }

    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mut bytes = Vec::with_capacity(self.values.len() * 8);
        for v in &self.values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        (
            "float64",
            self.values.len(),
            self.valid.nulls,
            self.valid.to_py(py),
            PyBytes::new(py, &bytes),
        )
            .into_pyobject(py)
    }
}

/// A bool column.
#[derive(Default)]
struct Bools {
    values: Bits,
    valid: Validity,
}

impl Bools {
    fn push(&mut self, v: Option<bool>) {
        self.values.push(v.unwrap_or(false));
        self.valid.push(v.is_some());
    }

    fn append(&mut self, other: &Bools) {
        self.values.append(&other.values);
        self.valid.append(&other.valid);
    }

    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        (
            "bool",
            self.values.len,
            self.valid.nulls,
            self.valid.to_py(py),
            PyBytes::new(py, &self.values.bytes),
        )
            .into_pyobject(py)
    }
}

/// A list column (of strings or of float64s).
struct List<T> {
    offsets: Vec<i64>,
    valid: Validity,
    values: T,
}

impl<T: Default> Default for List<T> {
    fn default() -> List<T> {
        List {
            offsets: vec![0],
            valid: Validity::default(),
            values: T::default(),
        }
    }
}

trait Child {
    fn child_len(&self) -> usize;
    fn child_append(&mut self, other: &Self);
    fn child_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>>;
}

impl Child for Strings {
    fn child_len(&self) -> usize {
        self.len()
    }
    fn child_append(&mut self, other: &Self) {
        self.append(other)
    }
    fn child_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.to_py(py)
    }
}

impl Child for Floats {
    fn child_len(&self) -> usize {
        self.values.len()
    }
    fn child_append(&mut self, other: &Self) {
        self.append(other)
    }
    fn child_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.to_py(py)
    }
}

impl<T: Child> List<T> {
    /// Closes the row: its items are the values pushed since the last close (none for a null).
    fn close(&mut self, valid: bool) {
        self.offsets.push(self.values.child_len() as i64);
        self.valid.push(valid);
    }

    fn append(&mut self, other: &List<T>) {
        let shift = self.values.child_len() as i64;
        self.values.child_append(&other.values);
        self.offsets
            .extend(other.offsets[1..].iter().map(|o| o + shift));
        self.valid.append(&other.valid);
    }

    /// `("list" | "large_list", length, nulls, validity, offsets, child)`.
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let large = self.values.child_len() > i32::MAX as usize;
        (
            if large { "large_list" } else { "list" },
            self.offsets.len() - 1,
            self.valid.nulls,
            self.valid.to_py(py),
            PyBytes::new(py, &offsets_bytes(&self.offsets, large)),
            self.values.child_py(py)?,
        )
            .into_pyobject(py)
    }
}

/// The result columns of a chunk of rows (or, once merged, of the batch).
#[derive(Default)]
struct Columns {
    rows: Validity,
    language: Strings,
    intents: List<Strings>,
    scores: List<Floats>,
    top_intent: Strings,
    top_score: Floats,
    signals: List<Strings>,
    truncated: Bools,
    // suggest_batch only:
    top_reply: Strings,
    top_reply_id: Strings,
    hints: List<Strings>,
}

impl Columns {
    fn push(&mut self, c: Option<&Classification>) {
        self.rows.push(c.is_some());
        self.language.push(c.map(|c| c.language.as_str()));
        if let Some(c) = c {
            for i in &c.intents {
                self.intents.values.push(Some(&i.id));
                self.scores.values.push(Some(i.score));
            }
            for s in &c.signals {
                self.signals.values.push(Some(s));
            }
        }
        self.intents.close(c.is_some());
        self.scores.close(c.is_some());
        self.signals.close(c.is_some());
        let top = c.and_then(|c| c.intents.first());
        self.top_intent.push(top.map(|t| t.id.as_str()));
        self.top_score.push(top.map(|t| t.score));
        self.truncated.push(c.map(|c| c.truncated));
    }

    fn push_suggestion(&mut self, s: Option<&replykit::Suggestion>) {
        self.push(s.map(|s| &s.classification));
        let top = s.and_then(|s| s.replies.first());
        self.top_reply.push(top.map(|r| r.text.as_str()));
        self.top_reply_id.push(top.map(|r| r.id.as_str()));
        if let Some(s) = s {
            for h in &s.hints {
                self.hints.values.push(Some(&h.id));
            }
        }
        self.hints.close(s.is_some());
    }

    fn append(&mut self, o: &Columns, suggest: bool) {
        self.rows.append(&o.rows);
        self.language.append(&o.language);
        self.intents.append(&o.intents);
        self.scores.append(&o.scores);
        self.top_intent.append(&o.top_intent);
        self.top_score.append(&o.top_score);
        self.signals.append(&o.signals);
        self.truncated.append(&o.truncated);
        if suggest {
            self.top_reply.append(&o.top_reply);
            self.top_reply_id.append(&o.top_reply_id);
            self.hints.append(&o.hints);
        }
    }

    /// `[(row_nulls, row_validity), (name, column), ...]` for `replykit/__init__.py`.
    fn to_py<'py>(&self, py: Python<'py>, suggest: bool) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        out.append((self.rows.nulls, self.rows.to_py(py)))?;
        out.append(("language", self.language.to_py(py)?))?;
        out.append(("intents", self.intents.to_py(py)?))?;
        out.append(("scores", self.scores.to_py(py)?))?;
        out.append(("top_intent", self.top_intent.to_py(py)?))?;
        out.append(("top_score", self.top_score.to_py(py)?))?;
        out.append(("signals", self.signals.to_py(py)?))?;
        out.append(("truncated", self.truncated.to_py(py)?))?;
        if suggest {
            out.append(("top_reply", self.top_reply.to_py(py)?))?;
            out.append(("top_reply_id", self.top_reply_id.to_py(py)?))?;
            out.append(("hints", self.hints.to_py(py)?))?;
        }
        Ok(out)
    }
}

/// Answers rows `range` of `input` into fresh columns.
fn answer(
    engine: &Engine,
    ctx: &Context,
    input: &Input<'_>,
    range: Range<usize>,
    suggest: bool,
) -> Result<Columns, String> {
    let mut cols = Columns::default();
    let (chunk, start) = input.text_of(&range)?;
    for i in range {
        let text = input.row(i, chunk, start)?;
        if suggest {
            let s = text.map(|t| engine.suggest(t, ctx));
            cols.push_suggestion(s.as_ref());
        } else {
            let c = text.map(|t| engine.classify(t, ctx));
            cols.push(c.as_ref());
        }
    }
    Ok(cols)
}

/// How many threads a batch uses when the caller does not say: one per core.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Answers every row of `input` on `threads` threads (default: one per core), the GIL
/// released, and returns the result columns.
pub(crate) fn run<'py>(
    py: Python<'py>,
    engine: &Engine,
    ctx: &Context,
    input: &Input<'_>,
    suggest: bool,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyList>> {
    input.check().map_err(PyValueError::new_err)?;
    let n = input.length;
    let threads = match threads {
        Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
        Some(t) => t,
        None => default_threads(),
    };
    let merged = py.detach(|| -> Result<Columns, String> {
        // Chunks of a multiple of 8 rows (so bitmaps concatenate bytewise), several per thread
        // so that a thread with slow rows does not hold the others up.
        let chunk = (n.div_ceil(threads * 8).clamp(64, 16_384)).div_ceil(8) * 8;
        let chunks = n.div_ceil(chunk).max(1);
        let range = |c: usize| c * chunk..((c + 1) * chunk).min(n);
        if threads == 1 || chunks == 1 {
            return answer(engine, ctx, input, 0..n, suggest);
        }
        let next = AtomicUsize::new(0);
        let mut done: Vec<(usize, Result<Columns, String>)> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads.min(chunks))
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let c = next.fetch_add(1, Ordering::Relaxed);
                            if c >= chunks {
                                return mine;
                            }
                            mine.push((c, answer(engine, ctx, input, range(c), suggest)));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| {
                    w.join()
                        .unwrap_or_else(|_| vec![(0, Err("a batch thread panicked".into()))])
                })
                .collect()
        });
        done.sort_by_key(|(c, _)| *c);
        let mut merged = Columns::default();
        for (_, cols) in done {
            merged.append(&cols?, suggest);
        }
        Ok(merged)
    });
    let merged = merged.map_err(|e| {
        if e.contains("panicked") {
            PyRuntimeError::new_err(e)
        } else {
            PyValueError::new_err(e)
        }
    })?;
    merged.to_py(py, suggest)
}

/// Messages per second of a plain Rust loop over `texts` calling `f`, in whole passes until
/// `seconds` have passed, the GIL released: the reference rate `bench.py` compares with.
fn rate(texts: &[PyBackedStr], seconds: f64, f: impl Fn(&str) -> usize) -> f64 {
    let budget = Duration::from_secs_f64(seconds.max(0.01));
    let (mut done, mut sink) = (0usize, 0usize);
    let t = Instant::now();
    loop {
        for m in texts {
            sink = sink.wrapping_add(f(std::hint::black_box(m)));
        }
        done += texts.len();
        let elapsed = t.elapsed();
        if elapsed >= budget || texts.is_empty() {
            std::hint::black_box(sink);
            return done as f64 / elapsed.as_secs_f64().max(1e-9);
        }
    }
}

/// _rust_classify_rate(engine, texts, seconds) -> float: Engine::classify's messages per second
/// on one thread over `texts` in pure Rust (no Python in the loop), for `bench.py`.
#[pyfunction]
pub(crate) fn _rust_classify_rate(
    py: Python<'_>,
    engine: &Bound<'_, crate::PyEngine>,
    texts: Vec<PyBackedStr>,
    seconds: f64,
) -> f64 {
    let engine = &engine.get().engine;
    let ctx = Context::default();
    py.detach(|| rate(&texts, seconds, |m| engine.classify(m, &ctx).intents.len()))
}

/// _rust_suggest_rate(engine, texts, seconds) -> float: as `_rust_classify_rate`, for suggest.
#[pyfunction]
pub(crate) fn _rust_suggest_rate(
    py: Python<'_>,
    engine: &Bound<'_, crate::PyEngine>,
    texts: Vec<PyBackedStr>,
    seconds: f64,
) -> f64 {
    let engine = &engine.get().engine;
    let ctx = Context::default();
    py.detach(|| rate(&texts, seconds, |m| engine.suggest(m, &ctx).replies.len()))
}
