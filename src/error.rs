//! The one error type of the crate: why an engine could not be built.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// Why an [`Engine`](crate::Engine) could not be built: a rule pack that could not be read,
/// parsed or validated, or a limit it went past.
///
/// The error is opaque: read it through its accessors or its `Display`, which reads like
/// `rules/shop.toml:12:14: intent `damage`: empty keyword` followed by the offending line and a
/// caret under the column. When building fails nothing is loaded: there is no half-built engine.
///
/// ```
/// let err = replykit::Engine::builder()
///     .bundled(false)
///     .pack_str("shop.toml", "language = \"zh\"\n[intent.damage]\nkeywords = [\"碎了\", \" \"]\n")
///     .build()
///     .unwrap_err();
/// assert_eq!(err.path(), Some("shop.toml"));
/// assert_eq!((err.line(), err.column()), (Some(3), Some(19)));
/// assert_eq!(err.rule(), Some("intent `damage`"));
/// assert!(err.to_string().starts_with("shop.toml:3:19: intent `damage`: empty keyword"));
/// ```
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    problem: Problem,
    path: Option<String>,
    position: Option<Position>,
    rule: Option<String>,
    /// The I/O error behind a [`Problem::Io`], for [`std::error::Error::source`].
    io: Option<Arc<std::io::Error>>,
}

#[derive(Clone)]
struct Position {
    /// Byte range in the pack's source.
    span: Range<usize>,
    line: usize,
    column: usize,
    /// The line as shown under the message: cut to a window around the column and with
    /// control characters replaced, so a one-line 8 MB pack or a stray ESC can neither flood
    /// nor corrupt a terminal.
    source_line: String,
    /// The column within `source_line` (they differ when the line was cut).
    caret_column: usize,
}

/// How many characters of a long line to show on each side of the column.
const EXCERPT_RADIUS: usize = 60;

/// `line` cut to at most `EXCERPT_RADIUS` characters each side of `column` (1-based), with `…`
/// where it was cut and control characters shown as U+FFFD; and the column within it.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let first = column.saturating_sub(EXCERPT_RADIUS + 1);
    let mut out = String::new();
    let mut caret = column - first;
    if first > 0 {
        out.push('…');
        caret += 1;
    }
    let mut chars = line.chars().skip(first);
    for c in chars.by_ref().take(2 * EXCERPT_RADIUS) {
        out.push(if c.is_control() && c != '\t' {
            '\u{FFFD}'
        } else {
            c
        });
    }
    if chars.next().is_some() {
        out.push('…');
    }
    (out, caret)
}

/// What kind of problem an [`Error`] is, for callers that react differently to each (a shop's
/// editor may underline a [`Syntax`](ErrorKind::Syntax) error but show a
/// [`Limit`](ErrorKind::Limit) as a setting to raise). New kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A pack file or folder could not be read ([`std::error::Error::source`] has the cause).
    Io,
    /// A pack is not valid UTF-8.
    Utf8,
    /// A pack is not valid TOML, or a field has the wrong type or is unknown.
    Syntax,
    /// A value is out of its allowed range or form (an id, a weight, a threshold, a list).
    Invalid,
    /// A keyword that folds to nothing.
    EmptyKeyword,
    /// Two definitions with one id where only one may be.
    Duplicate,
    /// A reference to an intent, signal or event no loaded pack of the language declares.
    Unknown,
    /// A template placeholder that is unknown or has no value.
    Placeholder,
    /// An invalid regex pattern.
    Regex,
    /// A builder limit that the packs went past (see [`Error::is_limit`]).
    Limit,
}

/// What went wrong, without the where. Private so that its details can change freely.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum Problem {
    #[error("cannot read rule pack: {0}")]
    Io(String),
    #[error("rule pack is not valid UTF-8")]
    Utf8,
    #[error("{0}")]
    Syntax(String),
    #[error("{0}")]
    Invalid(String),
    #[error("empty keyword")]
    EmptyKeyword,
    #[error("duplicate {what} id `{id}`{hint}")]
    Duplicate {
        what: &'static str,
        id: String,
        hint: &'static str,
    },
    #[error(
        "unknown {what} `{id}` (declare it in this pack or an earlier one of the same language)"
    )]
    Unknown { what: &'static str, id: String },
    #[error("unknown placeholder `{{{0}}}` (give it a value in [defaults])")]
    UnknownPlaceholder(String),
    #[error("placeholder `{{{0}}}` has no value: give it a default in [defaults]{1}")]
    NoDefault(String, &'static str),
    #[error("invalid regex: {0}")]
    Regex(String),
    #[error("limit exceeded: {0}")]
    Limit(String),
}

impl Problem {
    fn kind(&self) -> ErrorKind {
        match self {
            Problem::Io(_) => ErrorKind::Io,
            Problem::Utf8 => ErrorKind::Utf8,
            Problem::Syntax(_) => ErrorKind::Syntax,
            Problem::Invalid(_) => ErrorKind::Invalid,
            Problem::EmptyKeyword => ErrorKind::EmptyKeyword,
            Problem::Duplicate { .. } => ErrorKind::Duplicate,
            Problem::Unknown { .. } => ErrorKind::Unknown,
            Problem::UnknownPlaceholder(_) | Problem::NoDefault(..) => ErrorKind::Placeholder,
            Problem::Regex(_) => ErrorKind::Regex,
            Problem::Limit(_) => ErrorKind::Limit,
        }
    }
}

impl Error {
    pub(crate) fn new(problem: Problem) -> Error {
        Error {
            inner: Box::new(Inner {
                problem,
                path: None,
                position: None,
                rule: None,
                io: None,
            }),
        }
    }

    /// An I/O error reading `path`, keeping the cause as the error's source.
    pub(crate) fn io(path: &str, cause: std::io::Error) -> Error {
        let mut e = Error::new(Problem::Io(cause.to_string())).with_path(path);
        e.inner.io = Some(Arc::new(cause));
        e
    }

    pub(crate) fn with_path(mut self, path: &str) -> Error {
        self.inner.path = Some(path.to_string());
        self
    }

    pub(crate) fn with_rule(mut self, rule: impl Into<String>) -> Error {
        self.inner.rule = Some(rule.into());
        self
    }

    /// Sets line and column from a byte offset into `source`.
    pub(crate) fn at(self, source: &str, offset: usize) -> Error {
        self.at_span(source, offset..offset)
    }

    /// Sets the span, and line and column from its start.
    pub(crate) fn at_span(mut self, source: &str, span: Range<usize>) -> Error {
        let offset = floor_char_boundary(source, span.start.min(source.len()));
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let column = source[line_start..offset].chars().count() + 1;
        let line = source[line_start..line_end].trim_end_matches('\r');
        let (source_line, caret_column) = excerpt(line, column);
        self.inner.position = Some(Position {
            span: offset..span.end.clamp(offset, source.len()),
            line: source[..offset].matches('\n').count() + 1,
            column,
            source_line,
            caret_column,
        });
        self
    }

    /// The file (or the name given to [`EngineBuilder::pack_str`](crate::EngineBuilder::pack_str))
    /// the error is in, if it is in one.
    pub fn path(&self) -> Option<&str> {
        self.inner.path.as_deref()
    }

    /// The 1-based line of the error in its file, if it has one.
    pub fn line(&self) -> Option<usize> {
        self.inner.position.as_ref().map(|p| p.line)
    }

    /// The 1-based column (in characters) of the error in its line, if it has one.
    pub fn column(&self) -> Option<usize> {
        self.inner.position.as_ref().map(|p| p.column)
    }

    /// The rule the error is in, e.g. ``intent `damage` `` or ``template `zh.damage.sorry` ``.
    pub fn rule(&self) -> Option<&str> {
        self.inner.rule.as_deref()
    }

    /// The byte range of the error in its file's text (after a leading byte-order mark, which
    /// is dropped), if it has one: for an editor to underline.
    pub fn span(&self) -> Option<Range<usize>> {
        self.inner.position.as_ref().map(|p| p.span.clone())
    }

    /// The message alone, without file, position or rule: e.g. `empty keyword`.
    pub fn message(&self) -> String {
        self.inner.problem.to_string()
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.problem.kind()
    }

    /// True when the error is a limit of the builder that the packs went past (size, count,
    /// length, regex size), as opposed to a mistake in a pack.
    pub fn is_limit(&self) -> bool {
        self.kind() == ErrorKind::Limit
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        if let Some(path) = &inner.path {
            write!(f, "{path}:")?;
            if let Some(p) = &inner.position {
                write!(f, "{}:{}:", p.line, p.column)?;
            }
            f.write_str(" ")?;
        }
        if let Some(rule) = &inner.rule {
            write!(f, "{rule}: ")?;
        }
        write!(f, "{}", inner.problem)?;
        if let Some(p) = &inner.position {
            let gutter = p.line.to_string().len();
            // The caret goes under the column, counting wide (CJK) characters as two cells so
            // that it lines up in a terminal.
            let pad: usize = p
                .source_line
                .chars()
                .take(p.caret_column - 1)
                .map(|c| if is_wide(c) { 2 } else { 1 })
                .sum();
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {:pad$}^",
                "", p.line, p.source_line, "", ""
            )?;
        }
        Ok(())
    }
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("path", &self.path())
            .field("line", &self.line())
            .field("column", &self.column())
            .field("rule", &self.rule())
            .field("kind", &self.kind())
            .field("message", &self.message())
            .finish()
    }
}

// An `Error` is never changed once built, so a panic cannot leave one half-updated; only the
// `std::io::Error` it may hold as its source (whose inner `dyn Error` could be anything) keeps
// the compiler from seeing that.
impl std::panic::UnwindSafe for Error {}
impl std::panic::RefUnwindSafe for Error {}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .io
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let source = format!("x = [{}\"\"]", "\"a\", ".repeat(10_000));
        let offset = source.len() - 3;
        let err = Error::new(Problem::EmptyKeyword).at(&source, offset);
        assert_eq!(err.column(), Some(offset + 1));
        let shown = err.to_string();
        assert!(shown.len() < 400, "{shown}");
        let lines: Vec<&str> = shown.lines().collect();
        let caret = lines[3].find('^').unwrap() - lines[3].find('|').unwrap() - 2;
        let code = &lines[2][lines[2].find('|').unwrap() + 2..];
        assert_eq!(code.chars().nth(caret), Some('"'), "{shown}");
    }

    #[test]
    fn control_characters_are_not_echoed() {
        let err = Error::new(Problem::EmptyKeyword).at("a = \"\u{1b}[31m\"\r\n", 4);
        assert!(!err.to_string().contains('\u{1b}'));
    }
}
