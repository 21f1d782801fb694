//! `replykit._native`: the Python bindings of the `replykit` crate.
//!
//! A thin layer: every result goes to Python through serde (`pythonize`), so the dicts have the
//! shape of the CLI's `--json` output and follow the Rust types as they gain fields; keyword
//! arguments become a `replykit::Context` through its own `Deserialize`. The batch entry point
//! (`Engine._batch_buffers`, wrapped by `replykit.Engine.classify_batch`/`suggest_batch` in Python) is in
//! `batch.rs`. The pure-Python layer (`replykit/__init__.py`) adds the Arrow plumbing.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pythonize::pythonize;
use replykit::{Context, Engine, EngineBuilder, Suggestion};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::OnceLock;

mod batch;

pyo3::create_exception!(
    replykit,
    PackError,
    PyValueError,
    "A rule pack could not be read, parsed or validated, or went past a limit.\n\n\
     Attributes: path (str | None), line (int | None, 1-based), column (int | None, 1-based, in\n\
     characters), rule (str | None, e.g. \"intent `damage`\"), kind (str: io, utf8, syntax,\n\
     invalid, empty_keyword, duplicate, unknown, placeholder, regex, limit), message (str: the\n\
     problem alone), span (tuple[int, int] | None: byte range in the file). str(error) is the\n\
     full report with the offending line and a caret under the column."
);

/// One line of the CLI's `suggest --json`: the message, then the suggestion's own fields.
#[derive(Serialize)]
struct Line<'a> {
    message: &'a str,
    #[serde(flatten)]
    suggestion: &'a Suggestion,
}

/// Compiled rule packs: classifies buyer messages and suggests replies and policy hints.
///
/// Engine(packs=None, *, bundled=True, max_message_bytes=None, max_replies=None,
///        max_pack_bytes=None, max_keywords=None, max_keyword_bytes=None,
///        max_template_bytes=None, max_patterns=None, regex_size_limit=None,
///        default_language=None)
///
/// `packs` is a list of pack files or folders (str or os.PathLike) and `(name, toml_text)`
/// pairs, layered over the bundled zh/ko/en packs (unless `bundled=False`) in the order given.
/// Raises `PackError` (with path, line, column, rule, kind) when a pack does not load.
/// Immutable and thread-safe: share one engine between threads; calls release the GIL.
#[pyclass(module = "replykit._native", name = "Engine", subclass, frozen)]
pub struct PyEngine {
    engine: Engine,
    builder: EngineBuilder,
    packs: usize,
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (packs=None, *, bundled=true, max_message_bytes=None, max_replies=None,
        max_pack_bytes=None, max_keywords=None, max_keyword_bytes=None, max_template_bytes=None,
        max_patterns=None, regex_size_limit=None, default_language=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        packs: Option<&Bound<'_, PyAny>>,
        bundled: bool,
        max_message_bytes: Option<usize>,
        max_replies: Option<usize>,
        max_pack_bytes: Option<usize>,
        max_keywords: Option<usize>,
        max_keyword_bytes: Option<usize>,
        max_template_bytes: Option<usize>,
        max_patterns: Option<usize>,
        regex_size_limit: Option<usize>,
        default_language: Option<String>,
    ) -> PyResult<PyEngine> {
        let mut b = Engine::builder();
        b.bundled(bundled);
        let mut count = 0;
        if let Some(packs) = packs.filter(|p| !p.is_none()) {
            if packs.is_instance_of::<PyString>()
                || packs.is_instance_of::<PyBytes>()
                || packs.hasattr("__fspath__")?
            {
                return Err(PyTypeError::new_err(
                    "packs must be a list of paths and (name, text) pairs, not a single path: \
                     write packs=[path]",
                ));
            }
            for item in packs.try_iter()? {
                let item = item?;
                if item.is_instance_of::<PyTuple>() {
                    let (name, text): (String, String) = item.extract().map_err(|_| {
                        PyTypeError::new_err(
                            "a pack given as a tuple must be (name: str, text: str)",
                        )
                    })?;
                    b.pack_str(&name, &text);
                } else {
                    let path: PathBuf = item.extract().map_err(|_| {
                        PyTypeError::new_err(format!(
                            "packs holds an item of type {}: expected a path (str or \
                             os.PathLike) or a (name, text) pair",
                            type_name(&item)
                        ))
                    })?;
                    b.pack_path(path);
                }
                count += 1;
            }
        }
        let sets: [(Option<usize>, Setter); 8] = [
            (max_message_bytes, EngineBuilder::max_message_bytes),
            (max_replies, EngineBuilder::max_replies),
            (max_pack_bytes, EngineBuilder::max_pack_bytes),
            (max_keywords, EngineBuilder::max_keywords),
            (max_keyword_bytes, EngineBuilder::max_keyword_bytes),
            (max_template_bytes, EngineBuilder::max_template_bytes),
            (max_patterns, EngineBuilder::max_patterns),
            (regex_size_limit, EngineBuilder::regex_size_limit),
        ];
        for (value, set) in sets {
            if let Some(v) = value {
                set(&mut b, v);
            }
        }
        if let Some(tag) = &default_language {
            b.default_language(tag);
        }
        // Reading and compiling packs takes milliseconds: let other Python threads run.
        let engine = py.detach(|| b.build()).map_err(|e| pack_error(py, &e))?;
        Ok(PyEngine {
            engine,
            builder: b,
            packs: count,
        })
    }

    /// classify(text, /, **context) -> dict
    ///
    /// What `text` is about: {"language", "intents": [{"id", "score", "evidence": [...]}],
    /// "signals", "truncated"}, the "classification" member of the CLI's `suggest --json` line.
    /// Evidence spans ("start", "end") are UTF-8 byte offsets into `text`. Context keyword
    /// arguments: repeat_customer, vip, order_status, days_since_shipped, order_amount, language,
    /// shop, agent, buyer, courier, currency, vars (None means not given).
    #[pyo3(signature = (text, /, **context))]
    fn classify<'py>(
        &self,
        py: Python<'py>,
        text: PyBackedStr,
        context: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ctx = context_of(py, context)?;
        let c = py.detach(|| self.engine.classify(&text, &ctx));
        Ok(pythonize(py, &c)?)
    }

    /// suggest(text, /, **context) -> dict
    ///
    /// `text` classified, with ranked rendered replies and policy hints: {"message",
    /// "classification", "replies": [{"intent", "id", "text", "score"}], "hints": [{"id",
    /// "text", "priority"}]}, exactly the CLI's `suggest --json` line for the message.
    #[pyo3(signature = (text, /, **context))]
    fn suggest<'py>(
        &self,
        py: Python<'py>,
        text: PyBackedStr,
        context: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ctx = context_of(py, context)?;
        let s = py.detach(|| self.engine.suggest(&text, &ctx));
        let line = Line {
            message: &text,
            suggestion: &s,
        };
        Ok(pythonize(py, &line)?)
    }

    /// explain(text, /, **context) -> dict
    ///
    /// For rule authors: {"classification", "candidates": [{"intent", "threshold",
    /// "verdict"}]}, every intent that had evidence, fired or not, and why.
    #[pyo3(signature = (text, /, **context))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: PyBackedStr,
        context: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ctx = context_of(py, context)?;
        let x = py.detach(|| self.engine.explain(&text, &ctx));
        Ok(pythonize(py, &x)?)
    }

    /// proactive(event, /, **context) -> dict | None
    ///
    /// What the shop can send first on an order event ("unpaid", "not_shipped", "shipped",
    /// "in_transit", "delivered", "case_closed", or a shop pack's): {"event", "language",
    /// "replies", "hints"}, in context `language` (else the default language), as the CLI's
    /// `suggest --event NAME --json` prints it. None when no pack of that language has the event.
    #[pyo3(signature = (event, /, **context))]
    fn proactive<'py>(
        &self,
        py: Python<'py>,
        event: PyBackedStr,
        context: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ctx = context_of(py, context)?;
        match self.engine.proactive(&event, &ctx) {
            Some(p) => Ok(pythonize(py, &p)?),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// The languages the loaded packs speak, in load order.
    #[getter]
    fn languages(&self) -> Vec<String> {
        self.engine.languages().map(|l| l.to_string()).collect()
    }

    /// The intents of `language`, in declaration order (empty for a language no pack speaks).
    fn intents(&self, language: &str) -> Vec<String> {
        self.engine
            .intents(language)
            .map(|i| i.to_string())
            .collect()
    }

    /// The side signals of `language`, in declaration order.
    fn signals(&self, language: &str) -> Vec<String> {
        self.engine
            .signals(language)
            .map(|i| i.to_string())
            .collect()
    }

    /// The policy hints of `language`, highest priority first.
    fn hints(&self, language: &str) -> Vec<String> {
        self.engine.hints(language).map(|i| i.to_string()).collect()
    }

    /// The order events of `language` that the packs have replies for.
    fn events(&self, language: &str) -> Vec<String> {
        self.engine
            .events(language)
            .map(|i| i.to_string())
            .collect()
    }

    /// lint() -> list[dict]
    ///
    /// What a pack author should fix though the packs load: [{"code", "message", "path",
    /// "line", "column", "related"}]. The bundled packs have none.
    fn lint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let warnings = py
            .detach(|| self.builder.lint())
            .map_err(|e| pack_error(py, &e))?;
        Ok(pythonize(py, &warnings)?)
    }

    fn __repr__(&self) -> String {
        let languages: Vec<String> = self.languages();
        format!(
            "<replykit.Engine languages={languages:?} extra_packs={}>",
            self.packs
        )
    }

    /// `_batch_buffers(...)`: the batch entry point behind `classify_batch`/`suggest_batch` (see `batch.rs`): takes the
    /// buffers of an Arrow string array, returns the column buffers of the result.
    #[pyo3(signature = (suggest, length, offsets, data, validity, validity_offset, base, large,
        threads, context))]
    #[allow(clippy::too_many_arguments)]
    fn _batch_buffers<'py>(
        &self,
        py: Python<'py>,
        suggest: bool,
        length: usize,
        offsets: &Bound<'py, PyBytes>,
        data: &Bound<'py, PyBytes>,
        validity: Option<&Bound<'py, PyBytes>>,
        validity_offset: usize,
        base: i64,
        large: bool,
        threads: Option<usize>,
        context: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let ctx = context_of(py, context)?;
        let input = batch::Input {
            length,
            offsets: offsets.as_bytes(),
            data: data.as_bytes(),
            validity: validity.map(|v| v.as_bytes()),
            validity_offset,
            base,
            large,
        };
        batch::run(py, &self.engine, &ctx, &input, suggest, threads)
    }
}

/// An `EngineBuilder` setter of a `usize` limit.
type Setter = fn(&mut EngineBuilder, usize) -> &mut EngineBuilder;

/// `PackError` from a crate error, with its parts as attributes.
fn pack_error(py: Python<'_>, e: &replykit::Error) -> PyErr {
    let err = PackError::new_err(e.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("path", e.path())?;
        value.setattr("line", e.line())?;
        value.setattr("column", e.column())?;
        value.setattr("rule", e.rule())?;
        value.setattr("kind", snake_case(&format!("{:?}", e.kind())))?;
        value.setattr("message", e.message())?;
        value.setattr("span", e.span().map(|s| (s.start, s.end)))?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(other) => other,
    }
}

/// `EmptyKeyword` -> `empty_keyword`: the kind's name, whatever kinds the crate adds.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The name of `obj`'s type, e.g. `int`.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".into(), |n| n.to_string())
}

/// The context fields, as `replykit::Context` serializes them (every field, so the list follows
/// the crate's type as it gains fields).
fn context_fields(py: Python<'_>) -> PyResult<&'static [String]> {
    static FIELDS: OnceLock<Vec<String>> = OnceLock::new();
    if let Some(f) = FIELDS.get() {
        return Ok(f);
    }
    let dict = pythonize(py, &Context::default())?;
    let dict = dict.cast::<PyDict>()?;
    let fields = dict
        .keys()
        .iter()
        .map(|k| k.extract::<String>())
        .collect::<PyResult<Vec<String>>>()?;
    Ok(FIELDS.get_or_init(|| fields))
}

/// The context of keyword arguments: unknown names are a `TypeError` naming them all; `None`
/// means not given; a value of the wrong type is a `TypeError`, an out-of-range one (a
/// negative day count, an unknown order status) a `ValueError`, each naming the argument.
/// The values go through JSON so that `Context`'s own `Deserialize` (strict, unlike
/// pythonize's truthy bools) decides, with the messages serde_json gives.
pub(crate) fn context_of(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Context> {
    let Some(kwargs) = kwargs.filter(|k| !k.is_empty()) else {
        return Ok(Context::default());
    };
    let fields = context_fields(py)?;
    let mut given = serde_json::Map::new();
    let mut unknown = Vec::new();
    for (key, value) in kwargs.iter() {
        let name: String = key.extract()?;
        if !fields.contains(&name) {
            unknown.push(name);
        } else if !value.is_none() {
            let json = to_json(&value).map_err(|e| {
                let text = format!("context argument {name}: {}", e.value(py));
                if e.is_instance_of::<PyTypeError>(py) {
                    PyTypeError::new_err(text)
                } else {
                    PyValueError::new_err(text)
                }
            })?;
            given.insert(name, json);
        }
    }
    if !unknown.is_empty() {
        return Err(PyTypeError::new_err(format!(
            "unknown context argument{} {} (the context arguments are: {})",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.join(", "),
            fields.join(", ")
        )));
    }
    let value = serde_json::Value::Object(given);
    Context::deserialize(&value).map_err(|whole| {
        // serde does not say which field failed: find it, one field at a time.
        let serde_json::Value::Object(fields) = value else {
            unreachable!("a dict converts to an object")
        };
        let failing = fields.into_iter().find_map(|(name, v)| {
            let one = serde_json::Value::Object([(name.clone(), v)].into_iter().collect());
            serde_json::from_value::<Context>(one)
                .err()
                .map(|e| (name, e.to_string()))
        });
        let (name, message) = failing.unwrap_or_else(|| ("context".into(), whole.to_string()));
        let text = format!("context argument {name}: {message}");
        if message.starts_with("invalid type") {
            PyTypeError::new_err(text)
        } else {
            PyValueError::new_err(text)
        }
    })
}

/// A keyword argument's value as JSON, strictly typed (so that `vip="yes"` is an error, not
/// truthy): bool, int, float, str, None, and dicts and lists of them.
fn to_json(obj: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    use serde_json::Value;
    if obj.is_none() {
        Ok(Value::Null)
    } else if obj.is_instance_of::<PyBool>() {
        Ok(Value::Bool(obj.extract()?))
    } else if obj.is_instance_of::<PyInt>()
        || (!obj.is_instance_of::<PyFloat>() && obj.hasattr("__index__")?)
    {
        let int = obj.call_method0("__index__")?;
        if let Ok(v) = int.extract::<i64>() {
            Ok(Value::from(v))
        } else if let Ok(v) = int.extract::<u64>() {
            Ok(Value::from(v))
        } else {
            Ok(Value::from(int.extract::<f64>()?))
        }
    } else if obj.is_instance_of::<PyFloat>() {
        let v: f64 = obj.extract()?;
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err(format!("{v} is not a finite number")))
    } else if obj.is_instance_of::<PyString>() {
        Ok(Value::String(obj.extract()?))
    } else if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in dict.iter() {
            let key: String = k.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "context dict keys must be str, not {}",
                    type_name(&k)
                ))
            })?;
            map.insert(key, to_json(&v)?);
        }
        Ok(Value::Object(map))
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?
            .map(|item| to_json(&item?))
            .collect::<PyResult<Vec<Value>>>()
            .map(Value::Array)
    } else {
        Err(PyTypeError::new_err(format!(
            "context values must be bool, int, float, str, None, or dicts and lists of them, not {}",
            type_name(obj)
        )))
    }
}

/// `replykit._native`: the compiled part of the `replykit` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()?;
    m.add("PackError", m.py().get_type::<PackError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(batch::_rust_classify_rate, m)?)?;
    m.add_function(wrap_pyfunction!(batch::_rust_suggest_rate, m)?)?;
    Ok(())
}
