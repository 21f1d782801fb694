//! Load stage 1, parse: a rule pack as written (TOML), read into spanned values and checked on
//! its own (`check.rs`). Checks that need the packs loaded before it (unknown intents,
//! duplicate ids across files) are in `compile`.
//!
//! The format is documented in `rules/FORMAT.md` (the crate's `format` docs).

mod check;

pub(crate) use check::THREAD_TRIGGERS;

use crate::context::Condition;
use crate::error::{Error, Problem};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use toml::Spanned;

/// A list of strings as written, with the span of the list and of each string.
pub(crate) type Words = Spanned<Vec<Spanned<String>>>;

/// A rule pack file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackFile {
    pub(crate) language: Spanned<String>,
    /// The scripts a message in this language is written in, for detection.
    pub(crate) scripts: Option<Words>,
    /// Whether negators may cancel this pack's keywords unless an intent says otherwise.
    pub(crate) negatable: Option<Spanned<bool>>,
    #[serde(default)]
    pub(crate) defaults: BTreeMap<String, Spanned<String>>,
    pub(crate) money: Option<MoneyDef>,
    pub(crate) negation: Option<NegationDef>,
    pub(crate) fuzzy: Option<FuzzyDef>,
    pub(crate) style: Option<StyleDef>,
    pub(crate) conversation: Option<ConversationDef>,
    #[serde(default)]
    pub(crate) intent: Ordered<IntentDef>,
    #[serde(default)]
    pub(crate) signal: Ordered<SignalDef>,
    #[serde(default)]
    pub(crate) hint: Ordered<HintDef>,
    #[serde(default)]
    pub(crate) event: Ordered<EventDef>,
    pub(crate) none: Option<NoneDef>,
    /// The 0.1 form's top-level `[[template]]` blocks: read only to say where they went.
    pub(crate) template: Option<Spanned<toml::Value>>,
}

/// How `{order_amount}` is written: `¥1,280`, `1,280원`, `$1,280.00`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MoneyDef {
    pub(crate) symbol: Option<String>,
    #[serde(default)]
    pub(crate) symbol_after: bool,
    pub(crate) decimals: Option<Spanned<u8>>,
    /// `¥1,280` rather than `¥1,280.00` for a whole amount.
    #[serde(default)]
    pub(crate) whole_without_decimals: bool,
    pub(crate) thousands: Option<String>,
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
pub(crate) struct FuzzyDef {
    /// Latin keywords of 5+ letters also match one edit away (default true).
    pub(crate) edits: Option<bool>,
    /// `"券" = ["卷"]`: a keyword holding the key also matches with each value in its place.
    #[serde(default)]
    pub(crate) typos: BTreeMap<String, Words>,
}

/// How a thread is read in this language (`Conversation`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConversationDef {
    /// How long a buyer may wait for an answer before the agent should apologize (default 6 s).
    pub(crate) reply_target_seconds: Option<Spanned<u32>>,
    /// Marks of a follow-up: a short buyer turn with one (and no intent of its own) takes the
    /// thread's open topic.
    #[serde(default)]
    pub(crate) followups: Vec<Spanned<String>>,
    /// Marks of a seller turn that closes the open topics ("还有其他问题吗").
    #[serde(default)]
    pub(crate) resolved: Vec<Spanned<String>>,
    /// Marks a buyer turn starts with when it accepts what was said ("行", "那好吧"): such a
    /// turn, unless it asks something, is no follow-up ("行 那我拍两个" is not bargaining again).
    #[serde(default)]
    pub(crate) accepted: Vec<Spanned<String>>,
    /// Intents and signals whose presence in a buyer turn is anger (for `rising_anger`).
    #[serde(default)]
    pub(crate) anger: Vec<Spanned<String>>,
    /// Intents that, alone in a buyer turn, close the open topics (a thanks).
    #[serde(default)]
    pub(crate) closing: Vec<Spanned<String>>,
    /// Intents that open a topic a follow-up may carry on (default: every intent not closing
    /// and not opening).
    pub(crate) topics: Option<Vec<Spanned<String>>>,
    /// Intents that only open a chat (a greeting): once the seller has answered, a buyer turn
    /// that says only this ("hello??") is a ping, not a greeting.
    #[serde(default)]
    pub(crate) opening: Vec<Spanned<String>>,
}

/// What lint asks of this pack's replies; the engine itself ignores it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StyleDef {
    pub(crate) min_reply_units: Option<Spanned<u32>>,
    #[serde(default)]
    pub(crate) openers: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) closers: Vec<Spanned<String>>,
}

/// How much a rule counts: a strong one fires its intent alone, a weak one needs another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Strength {
    Strong,
    Weak,
    Against,
}

impl Strength {
    /// The weight a match adds to its intent's score.
    pub(crate) fn weight(self) -> f64 {
        match self {
            Strength::Strong => 1.0,
            Strength::Weak => 0.5,
            Strength::Against => -1.0,
        }
    }

    /// The name of the list this strength is written in, for rule names.
    pub(crate) fn list(self) -> &'static str {
        match self {
            Strength::Strong => "keywords",
            Strength::Weak => "weak",
            Strength::Against => "against",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IntentDef {
    pub(crate) keywords: Option<Words>,
    pub(crate) weak: Option<Words>,
    pub(crate) against: Option<Words>,
    #[serde(default)]
    pub(crate) near: Vec<Spanned<NearDef>>,
    /// Words that fire the intent when the message holds nothing else ("你好", "在吗?").
    pub(crate) alone: Option<Words>,
    /// Words that may stand beside `alone` words without spoiling it ("呀", "please").
    pub(crate) alone_with: Option<Words>,
    pub(crate) patterns: Option<Words>,
    pub(crate) weak_patterns: Option<Words>,
    pub(crate) against_patterns: Option<Words>,
    #[serde(default)]
    pub(crate) unless: Vec<Spanned<String>>,
    pub(crate) negatable: Option<Spanned<bool>>,
    pub(crate) threshold: Option<Spanned<f64>>,
    #[serde(default)]
    pub(crate) boost: Vec<BoostDef>,
    #[serde(default)]
    pub(crate) examples: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) reply: Replies,
}

impl IntentDef {
    /// The keyword lists with their strength.
    pub(crate) fn lists(&self) -> impl Iterator<Item = (Strength, &Words)> {
        [
            (Strength::Strong, &self.keywords),
            (Strength::Weak, &self.weak),
            (Strength::Against, &self.against),
        ]
        .into_iter()
        .filter_map(|(s, l)| l.as_ref().map(|l| (s, l)))
    }

    /// The regex pattern lists with their strength.
    pub(crate) fn pattern_lists(&self) -> impl Iterator<Item = (Strength, &Words)> {
        [
            (Strength::Strong, &self.patterns),
            (Strength::Weak, &self.weak_patterns),
            (Strength::Against, &self.against_patterns),
        ]
        .into_iter()
        .filter_map(|(s, l)| l.as_ref().map(|l| (s, l)))
    }
}

/// Keywords of two or more groups in one message, optionally within `within` units of each
/// other and in order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NearDef {
    pub(crate) groups: Spanned<Vec<Words>>,
    pub(crate) within: Option<Spanned<u32>>,
    #[serde(default)]
    pub(crate) ordered: bool,
    pub(crate) strength: Option<Strength>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoostDef {
    pub(crate) when: Spanned<Condition>,
    pub(crate) weight: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyDef {
    pub(crate) id: Spanned<String>,
    pub(crate) text: Spanned<String>,
    pub(crate) weight: Option<Spanned<f64>>,
    pub(crate) when: Option<Spanned<Condition>>,
    #[serde(default)]
    pub(crate) replace: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignalDef {
    pub(crate) keywords: Words,
    pub(crate) negatable: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HintDef {
    pub(crate) text: Spanned<String>,
    #[serde(default)]
    pub(crate) priority: i32,
    #[serde(default)]
    pub(crate) intents: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) signals: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) events: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) unless: Vec<Spanned<String>>,
    /// Hints that say the opposite: when both apply, only the higher-priority one is given.
    #[serde(default)]
    pub(crate) contradicts: Vec<Spanned<String>>,
    /// What in a thread calls for the hint: `repeated`, `rising_anger`, `waited`.
    #[serde(default)]
    pub(crate) thread: Vec<Spanned<String>>,
    pub(crate) when: Option<Spanned<Condition>>,
    #[serde(default)]
    pub(crate) replace: bool,
}

/// An order event the shop speaks first on (`unpaid`, `shipped`, ...): its replies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventDef {
    #[serde(default)]
    pub(crate) reply: Replies,
}

/// The replies of an intent or event: `[[...reply]]` blocks (an array of tables).
#[derive(Debug, Default)]
pub(crate) struct Replies(pub(crate) Vec<ReplyDef>);

impl<'a> IntoIterator for &'a Replies {
    type Item = &'a ReplyDef;
    type IntoIter = std::slice::Iter<'a, ReplyDef>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'de> Deserialize<'de> for Replies {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Replies;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`[[...reply]]` blocks")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Replies, A::Error> {
                let mut replies = Vec::new();
                while let Some(r) = seq.next_element()? {
                    replies.push(r);
                }
                Ok(Replies(replies))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Replies, A::Error> {
                Err(de::Error::custom(
                    "write `[[intent.<id>.reply]]` with double brackets: an intent may have several replies",
                ))
            }
        }
        d.deserialize_seq(List)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoneDef {
    #[serde(default)]
    pub(crate) examples: Vec<Spanned<String>>,
}

/// The entries of a TOML table such as `[intent.damage]`, `[intent.praise]` in the order they
/// are written (ties between intents go to the one declared first).
#[derive(Debug)]
pub(crate) struct Ordered<T>(pub(crate) Vec<(Spanned<String>, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Entries<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of entries keyed by id, e.g. `[intent.damage]`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut entries: Vec<(Spanned<String>, T)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                // The parser hands tables over sorted by key: put them back in written order.
                entries.sort_by_key(|(k, _)| k.span().start);
                Ok(Ordered(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Ordered<T>, A::Error> {
                Err(de::Error::custom(
                    "`[[intent]]`, `[[signal]]`, `[[hint]]` blocks are the replykit 0.1 form: \
                     write `[intent.<id>]` (see \"Migrating from 0.1\" in rules/FORMAT.md)",
                ))
            }
        }
        d.deserialize_map(Entries(PhantomData))
    }
}

/// A parsed pack with what it takes to point at its lines in errors.
#[derive(Debug)]
pub(crate) struct RulePack {
    pub(crate) path: String,
    pub(crate) source: String,
    pub(crate) file: PackFile,
    /// One of the crate's own packs, whose regex patterns its tests compile: they are
    /// compiled on first use, not at load (`compile/regex.rs`).
    pub(crate) bundled: bool,
    /// Byte offsets of the source's line ends, for line numbers in rule names.
    newlines: Vec<usize>,
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
                return Err(Error::new(Problem::Utf8).with_path(path).at(&lossy, good));
            }
        };
        // A BOM is invisible in every editor: accept it rather than fail on "line 1, column 1".
        let source = match source.strip_prefix('\u{FEFF}') {
            Some(rest) => rest.to_string(),
            None => source,
        };
        let file: PackFile = toml::from_str(&source).map_err(|e| {
            let err =
                Error::new(Problem::Syntax(e.message().trim_end().to_string())).with_path(path);
            match e.span() {
                Some(span) => err.at_span(&source, span),
                None => err,
            }
        })?;
        let newlines = source
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i)
            .collect();
        let pack = RulePack {
            path: path.to_string(),
            source,
            file,
            bundled: false,
            newlines,
        };
        pack.check()?;
        Ok(pack)
    }

    /// An error at `span` of this pack, in `rule`.
    pub(crate) fn error(
        &self,
        problem: Problem,
        span: Range<usize>,
        rule: impl Into<String>,
    ) -> Error {
        Error::new(problem)
            .with_path(&self.path)
            .with_rule(rule)
            .at_span(&self.source, span)
    }

    /// The 1-based line of byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < offset) + 1
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
