//! Stage 0: a rule pack as written (TOML), read and checked on its own. Checks that need the
//! packs loaded before it (unknown intents, duplicate ids across files) are in `compile`.
//!
//! The format is documented in `rules/FORMAT.md` and the crate docs.

use crate::context::Condition;
use crate::error::{Error, ErrorKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// A rule pack file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackFile {
    pub(crate) language: Spanned<String>,
    #[serde(default)]
    pub(crate) defaults: BTreeMap<String, Spanned<String>>,
    pub(crate) negation: Option<NegationDef>,
    #[serde(default, rename = "intent")]
    pub(crate) intents: Vec<IntentDef>,
    #[serde(default, rename = "signal")]
    pub(crate) signals: Vec<SignalDef>,
    #[serde(default, rename = "template")]
    pub(crate) templates: Vec<TemplateDef>,
    #[serde(default, rename = "hint")]
    pub(crate) hints: Vec<HintDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NegationDef {
    #[serde(default)]
    pub(crate) before: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) after: Vec<Spanned<String>>,
    pub(crate) window: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IntentDef {
    pub(crate) id: Spanned<String>,
    pub(crate) threshold: Option<Spanned<f64>>,
    #[serde(default)]
    pub(crate) cue: Vec<CueDef>,
    #[serde(default)]
    pub(crate) all: Vec<AllDef>,
    #[serde(default)]
    pub(crate) pattern: Vec<PatternDef>,
    #[serde(default)]
    pub(crate) boost: Vec<BoostDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CueDef {
    pub(crate) keywords: Spanned<Vec<Spanned<String>>>,
    pub(crate) weight: Option<Spanned<f64>>,
    #[serde(default = "yes")]
    pub(crate) negatable: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AllDef {
    pub(crate) groups: Spanned<Vec<Spanned<Vec<Spanned<String>>>>>,
    pub(crate) weight: Option<Spanned<f64>>,
    #[serde(default = "yes")]
    pub(crate) negatable: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatternDef {
    pub(crate) regex: Spanned<String>,
    pub(crate) weight: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoostDef {
    pub(crate) when: Spanned<Condition>,
    pub(crate) weight: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignalDef {
    pub(crate) id: Spanned<String>,
    pub(crate) keywords: Spanned<Vec<Spanned<String>>>,
    #[serde(default = "yes")]
    pub(crate) negatable: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateDef {
    pub(crate) id: Spanned<String>,
    pub(crate) intent: Spanned<String>,
    pub(crate) text: Spanned<String>,
    pub(crate) weight: Option<Spanned<f64>>,
    pub(crate) when: Option<Spanned<Condition>>,
    #[serde(default)]
    pub(crate) replace: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HintDef {
    pub(crate) id: Spanned<String>,
    pub(crate) text: Spanned<String>,
    #[serde(default)]
    pub(crate) priority: i32,
    #[serde(default)]
    pub(crate) intents: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) signals: Vec<Spanned<String>>,
    pub(crate) when: Option<Spanned<Condition>>,
    #[serde(default)]
    pub(crate) replace: bool,
}

fn yes() -> bool {
    true
}

/// A parsed pack with what it takes to point at its lines in errors.
#[derive(Debug)]
pub(crate) struct RulePack {
    pub(crate) path: String,
    pub(crate) source: String,
    pub(crate) file: PackFile,
}

impl RulePack {
    /// Parses `bytes` read from `path`, checking what can be checked in one file alone.
    pub(crate) fn parse(path: &str, bytes: Vec<u8>) -> Result<RulePack, Error> {
        let source = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let good = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                // The lossy text has the same bytes up to the first invalid one.
                return Err(Error::new(ErrorKind::Utf8).with_path(path).at(&lossy, good));
            }
        };
        // A BOM is invisible in every editor: accept it rather than fail on "line 1, column 1".
        let source = match source.strip_prefix('\u{FEFF}') {
            Some(rest) => rest.to_string(),
            None => source,
        };
        let file: PackFile = toml::from_str(&source).map_err(|e| {
            let err =
                Error::new(ErrorKind::Syntax(e.message().trim_end().to_string())).with_path(path);
            match e.span() {
                Some(span) => err.at(&source, span.start),
                None => err,
            }
        })?;
        let pack = RulePack {
            path: path.to_string(),
            source,
            file,
        };
        pack.check()?;
        Ok(pack)
    }

    /// An error at `span` of this pack, in `rule`.
    pub(crate) fn error(
        &self,
        kind: ErrorKind,
        span: Range<usize>,
        rule: impl Into<String>,
    ) -> Error {
        Error::new(kind)
            .with_path(&self.path)
            .with_rule(rule)
            .at(&self.source, span.start)
    }

    /// Checks that need nothing but this file.
    fn check(&self) -> Result<(), Error> {
        let f = &self.file;
        let lang = f.language.get_ref();
        if lang.is_empty()
            || lang.len() > 16
            || !lang
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(self.error(
                ErrorKind::Invalid(format!(
                    "invalid language `{lang}`: expected a short lowercase tag such as \"zh\""
                )),
                f.language.span(),
                "language",
            ));
        }
        for (name, value) in &f.defaults {
            if !is_placeholder_name(name) {
                return Err(self.error(
                    ErrorKind::Invalid(format!(
                        "invalid placeholder name `{name}`: use [a-z_][a-z0-9_]*"
                    )),
                    value.span(),
                    "defaults",
                ));
            }
        }
        if let Some(neg) = &f.negation {
            if let Some(w) = &neg.window {
                if *w.get_ref() > 16 {
                    return Err(self.error(
                        ErrorKind::Invalid("negation window must be at most 16".into()),
                        w.span(),
                        "negation",
                    ));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for intent in &f.intents {
            let rule = format!("intent `{}`", intent.id.get_ref());
            self.check_id(&intent.id, "intent")?;
            if !seen.insert(intent.id.get_ref()) {
                return Err(self.error(
                    ErrorKind::Duplicate {
                        what: "intent",
                        id: intent.id.get_ref().clone(),
                        hint: "",
                    },
                    intent.id.span(),
                    rule,
                ));
            }
            if let Some(t) = &intent.threshold {
                if !(t.get_ref().is_finite() && *t.get_ref() > 0.0) {
                    return Err(self.error(
                        ErrorKind::Invalid("threshold must be a finite number above 0".into()),
                        t.span(),
                        rule,
                    ));
                }
            }
            let weights = intent
                .cue
                .iter()
                .map(|c| &c.weight)
                .chain(intent.all.iter().map(|a| &a.weight))
                .chain(intent.pattern.iter().map(|p| &p.weight))
                .flatten()
                .chain(intent.boost.iter().map(|b| &b.weight));
            for w in weights {
                self.check_weight(w, &rule)?;
            }
            for cue in &intent.cue {
                if cue.keywords.get_ref().is_empty() {
                    return Err(self.error(
                        ErrorKind::Invalid("a cue needs at least one keyword".into()),
                        cue.keywords.span(),
                        rule,
                    ));
                }
            }
            for all in &intent.all {
                let groups = all.groups.get_ref();
                if groups.len() < 2 || groups.len() > 64 {
                    return Err(self.error(
                        ErrorKind::Invalid("co-occurrence needs 2 to 64 groups".into()),
                        all.groups.span(),
                        rule,
                    ));
                }
                if let Some(g) = groups.iter().find(|g| g.get_ref().is_empty()) {
                    return Err(self.error(
                        ErrorKind::Invalid("empty keyword group".into()),
                        g.span(),
                        rule,
                    ));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for signal in &f.signals {
            self.check_id(&signal.id, "signal")?;
            if !seen.insert(signal.id.get_ref()) {
                return Err(self.error(
                    ErrorKind::Duplicate {
                        what: "signal",
                        id: signal.id.get_ref().clone(),
                        hint: "",
                    },
                    signal.id.span(),
                    format!("signal `{}`", signal.id.get_ref()),
                ));
            }
            if signal.keywords.get_ref().is_empty() {
                return Err(self.error(
                    ErrorKind::Invalid("a signal needs at least one keyword".into()),
                    signal.keywords.span(),
                    format!("signal `{}`", signal.id.get_ref()),
                ));
            }
        }
        for t in &self.file.templates {
            self.check_id(&t.id, "template")?;
            if let Some(w) = &t.weight {
                self.check_weight(w, &format!("template `{}`", t.id.get_ref()))?;
            }
            if t.text.get_ref().trim().is_empty() {
                return Err(self.error(
                    ErrorKind::Invalid("empty template text".into()),
                    t.text.span(),
                    format!("template `{}`", t.id.get_ref()),
                ));
            }
        }
        for h in &self.file.hints {
            self.check_id(&h.id, "hint")?;
            let rule = format!("hint `{}`", h.id.get_ref());
            if h.text.get_ref().trim().is_empty() {
                return Err(self.error(
                    ErrorKind::Invalid("empty hint text".into()),
                    h.text.span(),
                    rule,
                ));
            }
            if h.intents.is_empty() && h.signals.is_empty() {
                return Err(self.error(
                    ErrorKind::Invalid(
                        "a hint needs `intents` or `signals` to say when it applies".into(),
                    ),
                    h.id.span(),
                    rule,
                ));
            }
        }
        Ok(())
    }

    fn check_id(&self, id: &Spanned<String>, what: &str) -> Result<(), Error> {
        let s = id.get_ref();
        if s.is_empty() || s.len() > 128 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(self.error(
                ErrorKind::Invalid(format!(
                    "invalid {what} id `{s}`: 1-128 characters, no spaces"
                )),
                id.span(),
                what.to_string(),
            ));
        }
        Ok(())
    }

    fn check_weight(&self, w: &Spanned<f64>, rule: &str) -> Result<(), Error> {
        if !w.get_ref().is_finite() || w.get_ref().abs() > 1000.0 {
            return Err(self.error(
                ErrorKind::Invalid("weight must be a finite number between -1000 and 1000".into()),
                w.span(),
                rule.to_string(),
            ));
        }
        Ok(())
    }
}

/// `[a-z_][a-z0-9_]*`: a name a template may write as `{name}`.
pub(crate) fn is_placeholder_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.len() <= 64
}
