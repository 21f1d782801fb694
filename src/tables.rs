//! The compiled, immutable tables that `classify` and `suggest` read: everything `compile`
//! builds from the packs, indexed by small integers so that the run stages need no maps.

use crate::compile::ScanSource;
use crate::compile::regex::PatternRegex;
use crate::context::Condition;
use crate::detect::Detector;
use crate::fuzzy::FuzzyIndex;
use crate::id::Id;
use crate::rules::Strength;
use crate::template::{Money, Template};
use aho_corasick::nfa::contiguous::NFA;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The limits a build enforces on what packs may cost, and on messages.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) max_message_bytes: usize,
    pub(crate) max_pack_bytes: usize,
    pub(crate) max_keywords: usize,
    pub(crate) max_keyword_bytes: usize,
    pub(crate) max_template_bytes: usize,
    pub(crate) max_patterns: usize,
    pub(crate) regex_size_limit: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message_bytes: 64 * 1024,
            max_pack_bytes: 8 * 1024 * 1024,
            max_keywords: 250_000,
            max_keyword_bytes: 256,
            max_template_bytes: 4096,
            max_patterns: 1024,
            regex_size_limit: 256 * 1024,
        }
    }
}

/// Everything the run stages read; built once, never changed.
#[derive(Debug)]
pub(crate) struct Tables {
    pub(crate) languages: Vec<Language>,
    pub(crate) detector: Detector,
    /// The language of a message with no letters of any language's scripts.
    pub(crate) default_language: usize,
    pub(crate) limits: Limits,
}

impl Tables {
    /// The language with tag `tag`, by index.
    pub(crate) fn language(&self, tag: &str) -> Option<usize> {
        self.languages.iter().position(|l| l.tag == tag)
    }
}

/// One language: its rules, its automaton and its replies.
#[derive(Debug)]
pub(crate) struct Language {
    pub(crate) tag: Id,
    pub(crate) intents: Vec<IntentRule>,
    pub(crate) signals: Vec<SignalRule>,
    /// The name of every rule (`rules/zh.toml:120 damage keywords`), shared by the evidence
    /// that cites it: a rule is named once, at build time.
    pub(crate) rules: Vec<Arc<str>>,
    pub(crate) nears: Vec<NearRule>,
    pub(crate) patterns: Vec<Pattern>,
    pub(crate) negation_window: u32,
    /// Read through [`Language::scan`].
    pub(crate) scan: LazyScan,
    /// Per intent, its reply templates in preference order (context-specific first, then weight).
    pub(crate) replies: Vec<Vec<ReplyTemplate>>,
    /// In output order: priority descending, then declaration order.
    pub(crate) hints: Vec<HintRule>,
    pub(crate) events: Vec<EventRule>,
    pub(crate) money: Money,
    pub(crate) conversation: ConversationRules,
    /// The packs' own examples, in declaration order.
    pub(crate) examples: Vec<PackExample>,
}

/// What the scan of a message reads: the automaton, what each of its patterns counts for, the
/// regex gates and the fuzzy index.
#[derive(Debug, Default)]
pub(crate) struct ScanTables {
    /// Over `keywords` (its pattern ids index them). `None` for a language without keywords or
    /// gate literals.
    pub(crate) automaton: Option<NFA>,
    pub(crate) keywords: Vec<Keyword>,
    /// The targets of all keywords, each keyword owning a range.
    pub(crate) targets: Vec<Target>,
    /// The regex gate clauses keywords satisfy; each keyword owns a range.
    pub(crate) gates: Vec<Gate>,
    /// Per regex pattern of the language, one bit per gate clause: every match of the regex
    /// contains a literal of each clause, so it runs only when the scan saw all of them (0:
    /// always runs).
    pub(crate) pattern_gates: Vec<u8>,
    /// The gate clauses a numeric character satisfies (`\d`): a range of `gates`.
    pub(crate) digit_gates: Range<u32>,
    /// The regex patterns without a gate, which run on every message.
    pub(crate) ungated: Vec<u32>,
    /// Misspelled Latin keywords.
    pub(crate) fuzzy: FuzzyIndex,
}

/// A language's scan tables, built at load or on first use.
///
/// Computing the regex gates, merging the keyword table and building the automaton and the
/// fuzzy index were two thirds of the bundled build, though most services read one language.
/// So for a language of bundled packs only (whose tables
/// `compile::keywords::tests::every_bundled_language_builds` builds in CI) they are built
/// from the validated keyword table the first time a message is read in it; a language with a
/// shop's pack is built at load, so that an automaton over the limits is an error then.
#[derive(Debug)]
pub(crate) struct LazyScan {
    built: OnceLock<ScanTables>,
    /// What they are built from, until they are.
    source: Mutex<Option<ScanSource>>,
}

impl LazyScan {
    /// Tables built already.
    pub(crate) fn ready(tables: ScanTables) -> LazyScan {
        LazyScan {
            built: OnceLock::from(tables),
            source: Mutex::new(None),
        }
    }

    /// Tables to build from `source` on first use.
    pub(crate) fn deferred(source: ScanSource) -> LazyScan {
        LazyScan {
            built: OnceLock::new(),
            source: Mutex::new(Some(source)),
        }
    }

    /// Whether the tables are built.
    #[cfg(test)]
    pub(crate) fn is_built(&self) -> bool {
        self.built.get().is_some()
    }
}

impl Language {
    /// The scan tables, built on first use if deferred (thread-safe: one thread builds, others
    /// wait). A build that fails here, which the bundled packs' test rules out, leaves tables
    /// that find nothing rather than panic in a caller's thread.
    pub(crate) fn scan(&self) -> &ScanTables {
        self.scan.built.get_or_init(|| {
            let source = self
                .scan
                .source
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            source
                .and_then(|s| s.build(&self.patterns).ok())
                .unwrap_or_default()
        })
    }
}

/// One pattern of a language's automaton: a keyword, a gate literal, or both.
#[derive(Debug)]
pub(crate) struct Keyword {
    /// The folded keyword (without a trailing `*`): what the message's folded text matched.
    pub(crate) text: Arc<str>,
    /// Latin keywords must start/end on a word boundary.
    pub(crate) boundary_start: bool,
    pub(crate) boundary_end: bool,
    /// What a match counts for: a range of [`ScanTables::targets`]. Empty for a text that is
    /// only a gate literal.
    pub(crate) targets: Range<u32>,
    /// The regex patterns this text is a gate literal of: a range of [`ScanTables::gates`].
    pub(crate) gates: Range<u32>,
}

/// What a keyword match counts for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub(crate) kind: TargetKind,
    pub(crate) negatable: bool,
    /// The rule it belongs to: an index of [`Language::rules`].
    pub(crate) rule: u32,
    /// A typo variant of the keyword as written (`[fuzzy] typos`): its matches are fuzzy.
    pub(crate) fuzzy: bool,
}

impl Target {
    /// A target of a keyword as written (its typo variants are made from it in the keyword table).
    pub(crate) fn written(kind: TargetKind, negatable: bool, rule: u32) -> Target {
        Target {
            kind,
            negatable,
            rule,
            fuzzy: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TargetKind {
    Intent {
        intent: u16,
        strength: Strength,
    },
    /// Group `group` of near rule `near`.
    Near {
        near: u32,
        group: u8,
    },
    /// A word of the intent's `alone` list (`filler`: of its `alone_with` list).
    Alone {
        intent: u16,
        filler: bool,
    },
    Signal(u16),
    NegatorBefore,
    NegatorAfter,
}

/// A gate literal's part in a regex pattern's gate: seeing it satisfies the clause of pattern
/// `pattern` whose bit is `clause`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gate {
    pub(crate) pattern: u32,
    pub(crate) clause: u8,
    /// The pattern's whole gate (a copy of its entry of [`ScanTables::pattern_gates`], so
    /// that opening gates, which happens many times per message, reads no other table).
    pub(crate) full: u8,
}

#[derive(Debug)]
pub(crate) struct IntentRule {
    pub(crate) id: Id,
    pub(crate) threshold: f64,
    pub(crate) boosts: Vec<(Condition, f64)>,
    /// Intents whose firing suppresses this one.
    pub(crate) unless: Vec<u16>,
    /// The rule of its `alone` list, if it has one.
    pub(crate) alone_rule: Option<u32>,
}

/// Keywords of every group in one message: anywhere (`within: None`) or each within
/// `within` units of the previous one, in group order if `ordered`.
#[derive(Debug)]
pub(crate) struct NearRule {
    pub(crate) intent: u16,
    pub(crate) strength: Strength,
    /// One bit per group.
    pub(crate) full_mask: u8,
    pub(crate) within: Option<u32>,
    pub(crate) ordered: bool,
    pub(crate) rule: u32,
}

#[derive(Debug)]
pub(crate) struct Pattern {
    pub(crate) intent: u16,
    pub(crate) strength: Strength,
    /// Compiled at load, or on first use for a bundled pack.
    pub(crate) regex: PatternRegex,
    pub(crate) rule: u32,
}

#[derive(Debug)]
pub(crate) struct SignalRule {
    pub(crate) id: Id,
}

#[derive(Debug)]
pub(crate) struct ReplyTemplate {
    pub(crate) id: Id,
    pub(crate) template: Template,
    pub(crate) weight: f64,
    pub(crate) when: Option<Condition>,
}

#[derive(Debug)]
pub(crate) struct HintRule {
    pub(crate) id: Id,
    pub(crate) text: Arc<str>,
    pub(crate) priority: i32,
    pub(crate) intents: Vec<u16>,
    pub(crate) signals: Vec<u16>,
    pub(crate) events: Vec<u16>,
    /// Intents whose presence keeps the hint away.
    pub(crate) unless: Vec<u16>,
    /// Hint ids it contradicts: of two that both apply, only the higher priority is given.
    pub(crate) contradicts: Vec<Id>,
    /// The thread triggers that call for it (bits of `rules::THREAD_TRIGGERS`); 0: none.
    pub(crate) thread: u8,
    pub(crate) when: Option<Condition>,
}

/// How a thread is read in a language.
#[derive(Debug, Clone)]
pub(crate) struct ConversationRules {
    pub(crate) reply_target_seconds: u32,
    /// Folded follow-up marks.
    pub(crate) followups: Vec<String>,
    /// Folded marks of a seller turn that closes the open topics.
    pub(crate) resolved: Vec<String>,
    /// Folded marks a buyer turn that accepts what was said starts with.
    pub(crate) accepted: Vec<String>,
    /// Intents and signals that are anger in a buyer turn.
    pub(crate) anger_intents: Vec<u16>,
    pub(crate) anger_signals: Vec<u16>,
    /// Intents that, alone, close the open topics.
    pub(crate) closing: Vec<u16>,
    /// Intents that open a topic; `None`: every intent neither closing nor opening.
    pub(crate) topics: Option<Vec<u16>>,
    /// Intents that only open a chat.
    pub(crate) opening: Vec<u16>,
}

impl Default for ConversationRules {
    fn default() -> Self {
        ConversationRules {
            reply_target_seconds: 6,
            followups: Vec::new(),
            resolved: Vec::new(),
            accepted: Vec::new(),
            anger_intents: Vec::new(),
            anger_signals: Vec::new(),
            closing: Vec::new(),
            topics: None,
            opening: Vec::new(),
        }
    }
}

impl ConversationRules {
    /// Whether intent `i` opens a topic a follow-up may carry on.
    pub(crate) fn is_topic(&self, i: u16) -> bool {
        match &self.topics {
            Some(t) => t.contains(&i),
            None => !self.closing.contains(&i) && !self.opening.contains(&i),
        }
    }
}

/// An order event and the replies the shop sends first on it.
#[derive(Debug)]
pub(crate) struct EventRule {
    pub(crate) id: Id,
    pub(crate) replies: Vec<ReplyTemplate>,
}

/// An example message a pack gives with the intents it must be read as: the pack's own
/// regression tests ([`Engine::examples`](crate::Engine::examples)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackExample {
    /// The message.
    pub text: String,
    /// The intents it must be read as, in declaration order (empty: `[none]`, no intent).
    pub intents: Vec<Id>,
    /// Where it is first written, as `file:line`.
    pub place: String,
}
