//! Load stages 2 and 3, validate and compile: the parsed packs, layered per language
//! (`language.rs`), into the immutable [`Tables`]: per language one automaton over its keywords
//! and its regex patterns' gate literals (`keywords.rs`, `gate.rs`) and flat rule tables; the
//! patterns themselves are compiled now or on first use (`regex.rs`).

pub(crate) mod gate;
mod keywords;
mod language;
pub(crate) mod regex;

use crate::detect::{Detector, Script};
use crate::error::{Error, Problem};
use crate::rules::RulePack;
use crate::tables::{Limits, Tables};
pub(crate) use keywords::ScanSource;
use language::LanguageBuilder;
use std::collections::HashMap;
use std::ops::Range;
use toml::Spanned;

/// What the whole build may still spend, against the builder's limits.
pub(crate) struct Budget<'a> {
    pub(crate) limits: &'a Limits,
    keywords: usize,
    patterns: usize,
}

impl Budget<'_> {
    /// Spends `n` keywords (variants included) on `word`, of `rule`.
    fn keywords(
        &mut self,
        n: usize,
        pack: &RulePack,
        word: &Spanned<String>,
        rule: &str,
    ) -> Result<(), Error> {
        self.keywords += n;
        if self.keywords > self.limits.max_keywords {
            let max = self.limits.max_keywords;
            return Err(pack.error(
                Problem::Limit(format!("more than {max} keywords")),
                word.span(),
                rule,
            ));
        }
        Ok(())
    }

    /// Spends one regex pattern on `regex`.
    fn pattern(
        &mut self,
        pack: &RulePack,
        regex: &Spanned<String>,
        rule: &str,
    ) -> Result<(), Error> {
        self.patterns += 1;
        if self.patterns > self.limits.max_patterns {
            let max = self.limits.max_patterns;
            return Err(pack.error(
                Problem::Limit(format!("more than {max} regex patterns")),
                regex.span(),
                rule,
            ));
        }
        Ok(())
    }
}

/// Layers `packs` in order into the run tables.
pub(crate) fn compile(
    packs: &[RulePack],
    limits: Limits,
    default_language: Option<&str>,
) -> Result<Tables, Error> {
    let mut languages: Vec<LanguageBuilder> = Vec::new();
    let mut budget = Budget {
        limits: &limits,
        keywords: 0,
        patterns: 0,
    };
    for pack in packs {
        let tag = pack.file.language.get_ref();
        let i = match languages.iter().position(|l| l.tag == tag.as_str()) {
            Some(i) => i,
            None => {
                if languages.len() >= u16::MAX as usize {
                    let problem = Problem::Limit("too many languages".into());
                    return Err(Error::new(problem).with_path(&pack.path));
                }
                languages.push(LanguageBuilder::new(tag));
                languages.len() - 1
            }
        };
        languages[i].add_pack(pack, &mut budget)?;
    }
    if languages.is_empty() {
        return Err(Error::new(Problem::Invalid(
            "no rule packs: enable the bundled packs or add one of your own".into(),
        )));
    }
    let default_language = match default_language {
        None => 0,
        Some(tag) => languages.iter().position(|l| l.tag == tag).ok_or_else(|| {
            Error::new(Problem::Invalid(format!(
                "default language `{tag}` has no rule pack"
            )))
        })?,
    };
    let detector = Detector::new(languages.iter().map(|l| match &l.scripts {
        Some((scripts, _)) => scripts.clone(),
        None => Script::defaults(&l.tag),
    }));
    let languages = languages
        .into_iter()
        .map(LanguageBuilder::finish)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Tables {
        languages,
        detector,
        default_language,
        limits,
    })
}

/// Puts `value` under `id` in `slots`: a new id is appended; an id seen before is replaced
/// (keeping its place) when `replace` is set, and an error otherwise, as is `replace` on a new
/// id. The one layering rule of replies, event replies and hints.
#[allow(clippy::too_many_arguments)]
pub(crate) fn layer<T>(
    slots: &mut Vec<T>,
    ids: &mut HashMap<String, (usize, String)>,
    id: String,
    value: T,
    replace: bool,
    pack: &RulePack,
    span: Range<usize>,
    what: &'static str,
    rule: &str,
) -> Result<(), Error> {
    match (ids.get(&id), replace) {
        (Some((at, _)), true) => slots[*at] = value,
        (None, false) => {
            ids.insert(id, (slots.len(), pack.path.clone()));
            slots.push(value);
        }
        (Some((_, path)), false) => {
            let hint = if *path == pack.path {
                " in this file (rename one)"
            } else {
                " (set `replace = true` to replace the earlier one)"
            };
            return Err(pack.error(Problem::Duplicate { what, id, hint }, span, rule));
        }
        (None, true) => {
            let problem = Problem::Invalid(format!(
                "`replace = true` but no earlier {what} has id `{id}`"
            ));
            return Err(pack.error(problem, span, rule));
        }
    }
    Ok(())
}

/// The span of byte `offset` of a string value's contents. A TOML string's span starts at its
/// opening quote; escapes can shift later offsets, so this points at the value if unsure.
pub(crate) fn text_offset(pack: &RulePack, value: &Spanned<String>, offset: usize) -> Range<usize> {
    let span = value.span();
    let raw = &pack.source[span.clone()];
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        // TOML drops a newline right after the opening quotes of a multi-line string.
        3 + ["\r\n", "\n"]
            .iter()
            .find(|nl| raw[3..].starts_with(**nl))
            .map_or(0, |nl| nl.len())
    } else {
        1
    };
    let body = raw.get(quote..).unwrap_or("");
    if body.get(..offset) == value.get_ref().get(..offset) {
        let at = span.start + quote + offset;
        at..at
    } else {
        span
    }
}
