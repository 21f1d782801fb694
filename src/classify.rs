//! The run pipeline up to a classification: fold, detect, scan, score; and the result types
//! it returns. `suggest` continues from the same internal [`Analysis`].

use crate::context::Context;
use crate::id::Id;
use crate::normalize::Normalized;
use crate::scan::Found;
use crate::score::{Analysis, Scored, Scores, Status};
use crate::tables::{Language, Tables};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::sync::Arc;

/// What a message is about: its language, the intents found (best first) and side signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Classification {
    /// The language the message was read in (a pack's `language`, e.g. `"zh"`).
    pub language: Id,
    /// The intents at or above their threshold, by score descending; ties in the order the
    /// packs declare the intents. Empty for a message about none of them.
    pub intents: Vec<Intent>,
    /// Side signals found (e.g. `"urgent"`, `"angry"`), in the order the packs declare them.
    pub signals: Vec<Id>,
    /// True when the message was longer than the engine's maximum message size and only its
    /// first part was read (see [`EngineBuilder::max_message_bytes`](crate::EngineBuilder::max_message_bytes)).
    pub truncated: bool,
}

impl Classification {
    /// The best intent, if any fired.
    pub fn top(&self) -> Option<&Intent> {
        self.intents.first()
    }

    /// Whether intent `id` fired.
    pub fn has(&self, id: &str) -> bool {
        self.intents.iter().any(|i| i.id == id)
    }

    /// Whether signal `id` was found.
    pub fn has_signal(&self, id: &str) -> bool {
        self.signals.iter().any(|s| *s == id)
    }
}

/// One intent found in a message, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Intent {
    /// The intent id, e.g. `"damage"`.
    pub id: Id,
    /// The sum of the weights of its evidence and context boosts.
    pub score: f64,
    /// What matched, in message order.
    pub evidence: Vec<Evidence>,
}

/// One match that counted for (or against) an intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evidence {
    /// Byte offset where the match starts in the caller's original message.
    pub start: usize,
    /// Byte offset where the match ends (exclusive) in the caller's original message.
    pub end: usize,
    /// The keyword that matched, in folded form (lowercase, simplified, full-width folded);
    /// `None` for a regex pattern.
    pub keyword: Option<Arc<str>>,
    /// The rule that matched, as `file:line intent list`: `rules/zh.toml:120 damage keywords`.
    pub rule: Arc<str>,
    /// What the match added to the intent's score (negative for an `against` keyword; 0 for
    /// the second and later keywords of a near rule, whose weight the first carries).
    pub weight: f64,
    /// True for a misspelled match (one edit from the keyword, or a known typo of it).
    pub fuzzy: bool,
    /// For an intent a [`Conversation`](crate::Conversation) carried over from an earlier
    /// turn (this turn had no cue of its own): that turn's number. The span is the whole turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<usize>,
}

impl Evidence {
    /// The matched part of `message` (the message that was classified).
    ///
    /// ```
    /// use replykit::{Context, default_engine};
    /// let message = "It arrived CRACKED";
    /// let c = default_engine().classify(message, &Context::default());
    /// assert_eq!(c.intents[0].evidence[0].text(message), "CRACKED");
    /// ```
    pub fn text<'a>(&self, message: &'a str) -> &'a str {
        message.get(self.start..self.end).unwrap_or("")
    }
}

/// Every intent that had evidence in a message, fired or not: what
/// [`Engine::explain`](crate::Engine::explain) returns, for rule authors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The classification, as [`Engine::classify`](crate::Engine::classify) returns it.
    pub classification: Classification,
    /// Each intent with evidence: the fired ones first (as in the classification), then the
    /// others by score.
    pub candidates: Vec<Candidate>,
}

/// An intent with evidence in a message and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Candidate {
    /// The intent, its score and all its evidence (against-keywords included).
    pub intent: Intent,
    /// The score at which it fires.
    pub threshold: f64,
    /// Whether it fired, and if not, why.
    pub verdict: Verdict,
}

/// Whether a [`Candidate`] was reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// Reported: its score reached its threshold.
    Fired,
    /// Its score stayed below its threshold (or it had only evidence against it).
    BelowThreshold,
    /// It reached its threshold, but an intent of its `unless` list fired too.
    Suppressed {
        /// The intent that suppressed it.
        by: Id,
    },
}

/// Per-thread buffers reused across calls, so a call allocates only its result.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub(crate) norm: Normalized,
    found: Found,
    pub(crate) scores: Scores,
    pub(crate) analysis: Analysis,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch buffers.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        // Only reachable if a caller re-entered the engine from inside a call, which the API
        // gives no way to do; a fresh buffer keeps that correct rather than panicking.
        Err(_) => f(&mut Scratch::default()),
    })
}

impl Tables {
    /// Folds, detects, scans and scores `message` into `s.analysis`; returns the part of the
    /// message read.
    pub(crate) fn analyze<'m>(&self, message: &'m str, ctx: &Context, s: &mut Scratch) -> &'m str {
        self.analyze_in(message, ctx, s, None)
    }

    /// As [`analyze`](Self::analyze), reading a message with no letters of any language's
    /// scripts in language `fallback` (a thread's) rather than the default one.
    pub(crate) fn analyze_in<'m>(
        &self,
        message: &'m str,
        ctx: &Context,
        s: &mut Scratch,
        fallback: Option<usize>,
    ) -> &'m str {
        let (message, truncated) = truncate(message, self.limits.max_message_bytes);
        s.norm.fold(message);
        let language = ctx
            .language
            .as_deref()
            .and_then(|tag| self.language(tag))
            .or_else(|| self.detector.detect(&s.norm.scripts))
            .or(fallback)
            .unwrap_or(self.default_language);
        let lang = &self.languages[language];
        s.found.scan(lang, &s.norm);
        s.scores
            .score(lang, &s.norm, &s.found, ctx, &mut s.analysis);
        s.analysis.language = language;
        s.analysis.truncated = truncated;
        message
    }

    /// The classification of the analysis in `s` of `message` (as [`analyze`](Self::analyze)
    /// returned it).
    pub(crate) fn classification(&self, message: &str, s: &Scratch) -> Classification {
        let a = &s.analysis;
        let lang = &self.languages[a.language];
        Classification {
            language: lang.tag.clone(),
            intents: a.candidates[..a.fired]
                .iter()
                .map(|c| self.intent(lang, message, s, c))
                .collect(),
            signals: a
                .signals
                .iter()
                .map(|&g| lang.signals[g as usize].id.clone())
                .collect(),
            truncated: a.truncated,
        }
    }

    /// The public form of candidate `c`.
    fn intent(&self, lang: &Language, message: &str, s: &Scratch, c: &Scored) -> Intent {
        let clues = &s.analysis.clues[c.clues.start as usize..c.clues.end as usize];
        Intent {
            id: lang.intents[c.intent as usize].id.clone(),
            score: c.score,
            evidence: clues
                .iter()
                .map(|clue| {
                    let (start, end) =
                        s.norm
                            .original_span(message, clue.start as usize, clue.end as usize);
                    let rule = match clue.carried_from {
                        // Named per call: only a thread's carried-over intents are.
                        Some(turn) => Arc::from(format!("thread: carried over from turn {turn}")),
                        None => lang.rules[clue.rule as usize].clone(),
                    };
                    Evidence {
                        start,
                        end,
                        keyword: clue
                            .keyword
                            .map(|k| lang.scan().keywords[k as usize].text.clone()),
                        rule,
                        weight: crate::score::round(clue.weight),
                        fuzzy: clue.fuzzy,
                        carried_from: clue.carried_from,
                    }
                })
                .collect(),
        }
    }

    /// Every candidate of the analysis in `s`, for [`Engine::explain`](crate::Engine::explain).
    pub(crate) fn candidates(&self, message: &str, s: &Scratch) -> Vec<Candidate> {
        let lang = &self.languages[s.analysis.language];
        s.analysis
            .candidates
            .iter()
            .map(|c| {
                let rule = &lang.intents[c.intent as usize];
                Candidate {
                    intent: self.intent(lang, message, s, c),
                    threshold: rule.threshold,
                    verdict: match c.status {
                        Status::Fired => Verdict::Fired,
                        Status::Below => Verdict::BelowThreshold,
                        Status::Suppressed(by) => Verdict::Suppressed {
                            by: lang.intents[by as usize].id.clone(),
                        },
                    },
                }
            })
            .collect()
    }
}

/// Where classify's time goes, stage by stage, over a set of messages: see
/// [`Engine::profile`](crate::Engine::profile). Not part of the stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Profile {
    /// Messages classified.
    pub messages: u64,
    /// Nanoseconds per message in each stage: folding, detecting and scanning (the automaton
    /// walk, fuzzy look-ups and negation), the rules without regex (keyword lists, near rules,
    /// boosts, thresholds), the regex patterns, and building the result.
    pub fold_ns: f64,
    pub scan_ns: f64,
    pub rules_ns: f64,
    pub regex_ns: f64,
    pub result_ns: f64,
    /// Regex searches run per message (only patterns whose gates opened run).
    pub regex_runs: f64,
    /// The patterns that ran, costliest first: how often each ran and matched.
    pub patterns: Vec<PatternCost>,
}

/// One regex pattern's share of a [`Profile`]. Not part of the stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatternCost {
    /// The rule, as evidence names it (`rules/zh.toml:65 greeting patterns`).
    pub rule: String,
    /// Messages it ran on, and of those, how many it matched.
    pub runs: u64,
    pub matches: u64,
}

impl Tables {
    /// Classifies `messages` with timers between the stages.
    pub(crate) fn profile(&self, messages: &[&str], ctx: &Context) -> Profile {
        let mut s = Scratch::default();
        s.scores.timing = true;
        let (mut fold, mut scan, mut rules, mut result) = (0u64, 0u64, 0u64, 0u64);
        // (language, pattern) -> (runs, matches)
        let mut costs: std::collections::BTreeMap<(usize, u32), (u64, u64)> = Default::default();
        for m in messages {
            let t0 = std::time::Instant::now();
            let (message, _) = truncate(m, self.limits.max_message_bytes);
            s.norm.fold(message);
            let t1 = std::time::Instant::now();
            let language = self
                .detector
                .detect(&s.norm.scripts)
                .unwrap_or(self.default_language);
            let lang = &self.languages[language];
            s.found.scan(lang, &s.norm);
            let t2 = std::time::Instant::now();
            s.scores
                .score(lang, &s.norm, &s.found, ctx, &mut s.analysis);
            s.analysis.language = language;
            let t3 = std::time::Instant::now();
            for &(pattern, matched) in &s.scores.ran {
                let cost = costs.entry((language, pattern)).or_default();
                cost.0 += 1;
                cost.1 += u64::from(matched);
            }
            std::hint::black_box(self.classification(message, &s));
            let t4 = std::time::Instant::now();
            fold += (t1 - t0).as_nanos() as u64;
            scan += (t2 - t1).as_nanos() as u64;
            rules += (t3 - t2).as_nanos() as u64;
            result += (t4 - t3).as_nanos() as u64;
        }
        let n = messages.len().max(1) as f64;
        let per = |ns: u64| (ns as f64 / n * 10.0).round() / 10.0;
        Profile {
            messages: messages.len() as u64,
            fold_ns: per(fold),
            scan_ns: per(scan),
            rules_ns: per(rules.saturating_sub(s.scores.regex_ns)),
            regex_ns: per(s.scores.regex_ns),
            result_ns: per(result),
            regex_runs: (s.scores.regex_runs as f64 / n * 100.0).round() / 100.0,
            patterns: {
                let mut patterns: Vec<PatternCost> = costs
                    .into_iter()
                    .map(|((language, pattern), (runs, matches))| {
                        let lang = &self.languages[language];
                        let rule = lang.patterns[pattern as usize].rule;
                        PatternCost {
                            rule: lang.rules[rule as usize].to_string(),
                            runs,
                            matches,
                        }
                    })
                    .collect();
                patterns.sort_by_key(|p| std::cmp::Reverse(p.runs));
                patterns
            },
        }
    }
}

/// The longest prefix of `message` of at most `max` bytes that ends on a character boundary.
pub(crate) fn truncate(message: &str, max: usize) -> (&str, bool) {
    if message.len() <= max {
        return (message, false);
    }
    let mut end = max;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    (&message[..end], true)
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("快递", 4), ("快", true));
        assert_eq!(truncate("快递", 6), ("快递", false));
        assert_eq!(truncate("快递", 2), ("", true));
    }
}
