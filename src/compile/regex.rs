//! Load stage 3 for regex patterns: each is compiled within the size limit, now or on first use.
//!
//! Compiling every bundled pattern at load was 40% of the bundled build (264 patterns, about
//! 46 ms), though a message runs one or two patterns and most services read one language. So
//! the patterns of the bundled packs, which `tests::every_bundled_pattern_compiles` compiles in
//! CI, are compiled the first time a message opens their gate; a shop's own patterns are
//! compiled at load, so that a bad one is an error naming its place, never a surprise later.

use crate::error::{Error, Problem};
use crate::rules::RulePack;
use crate::tables::Limits;
use regex::{Regex, RegexBuilder};
use std::sync::OnceLock;
use toml::Spanned;

/// A pack's regex pattern and, once compiled, its [`Regex`].
#[derive(Debug)]
pub(crate) struct PatternRegex {
    source: Box<str>,
    size_limit: usize,
    /// `None` inside: the first-use compile failed, which the bundled packs' test rules out;
    /// the pattern then never matches rather than panic in a caller's thread.
    compiled: OnceLock<Option<Regex>>,
}

impl PatternRegex {
    /// The pattern of `raw` (of `rule` in `pack`): compiled now, with the errors naming its
    /// place, unless the pack is bundled and the size limit no lower than the default one the
    /// test compiles it under.
    pub(crate) fn new(
        pack: &RulePack,
        raw: &Spanned<String>,
        rule: &str,
        limits: &Limits,
    ) -> Result<PatternRegex, Error> {
        let pattern = PatternRegex {
            source: raw.get_ref().as_str().into(),
            size_limit: limits.regex_size_limit,
            compiled: OnceLock::new(),
        };
        if !pack.bundled || limits.regex_size_limit < Limits::default().regex_size_limit {
            let regex = pattern
                .compile()
                .map_err(|p| pack.error(p, raw.span(), rule))?;
            // Just made: the cell is empty.
            let _ = pattern.compiled.set(Some(regex));
        }
        Ok(pattern)
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled regex, compiling it on first use (thread-safe: one thread compiles, others
    /// wait for it).
    pub(crate) fn get(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| self.compile().ok()).as_ref()
    }

    /// Compiles the pattern within the size limit; one that matches the empty string would fire
    /// on every message and is refused.
    fn compile(&self) -> Result<Regex, Problem> {
        let regex = RegexBuilder::new(&self.source)
            .size_limit(self.size_limit)
            // The lazy DFA's transition cache (per regex, per thread, grown only as used) is
            // memory of another kind: at 256 KiB the Unicode-heavy CJK patterns keep clearing
            // it and recompute states on every message; 1 MiB holds them.
            .dfa_size_limit(self.size_limit.max(1 << 20))
            .nest_limit(64)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => Problem::Limit(format!(
                    "regex compiles to more than {} bytes",
                    self.size_limit
                )),
                // regex's message ends in a line "error: <what>"; the caret shows the pattern.
                other => Problem::Regex(
                    other
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .trim_start_matches("error: ")
                        .to_string(),
                ),
            })?;
        if regex.is_match("") {
            return Err(Problem::Regex(
                "pattern matches the empty string, so it would fire on every message".into(),
            ));
        }
        Ok(regex)
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    /// What lets the bundled patterns compile on first use: each compiles within the default
    /// limits and does not match the empty string.
    #[test]
    fn every_bundled_pattern_compiles() {
        let engine = Engine::builder().build().unwrap();
        let mut n = 0;
        for lang in &engine.tables().0.languages {
            for p in &lang.patterns {
                if let Err(problem) = p.regex.compile() {
                    panic!("{} pattern {}: {problem}", lang.tag, p.regex.as_str());
                }
                n += 1;
            }
        }
        assert!(n > 0, "the bundled packs have patterns");
    }

    /// Under a lower size limit than that test's, the bundled patterns are compiled at load
    /// too, so one the limit refuses fails the build instead of never matching.
    #[test]
    fn a_lower_size_limit_compiles_the_bundled_patterns_at_load() {
        let err = Engine::builder()
            .regex_size_limit(1_000)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("rules/"), "{err}");
    }

    /// A shop's pattern is compiled at load: a bad one fails the build, naming its place.
    #[test]
    fn a_shop_pattern_is_checked_at_load() {
        let pack = "language = \"en\"\n[intent.damage]\npatterns = [\"a{99999}{99999}\"]\n";
        let err = Engine::builder()
            .bundled(false)
            .pack_str("shop.toml", pack)
            .build()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("shop.toml") && text.contains("regex"),
            "{text}"
        );
    }
}
