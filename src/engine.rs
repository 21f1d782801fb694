//! The engine: the entry points `classify`, `suggest`, `explain` and `proactive`, and what
//! the loaded packs hold.

use crate::builder::EngineBuilder;
use crate::classify::{Classification, Explanation, with_scratch};
use crate::context::Context;
use crate::events::Proactive;
use crate::id::Id;
use crate::suggest::Suggestion;
use crate::tables::{Language, PackExample, Tables};
use once_cell::sync::Lazy;
use std::sync::Arc;

/// A compiled set of rule packs: classifies messages and suggests replies.
///
/// Immutable once built; cheap to clone (an `Arc` inside) and safe to share between threads.
/// [`Engine::default`] and [`default_engine`] give the bundled zh/ko/en packs;
/// [`Engine::builder`] layers a shop's own packs over them.
///
/// ```
/// use replykit::{Context, Engine};
/// let engine = Engine::default();
/// let s = engine.suggest("碎成这样了,直接给我退款吧", &Context::default());
/// assert_eq!(s.classification.language, "zh");
/// assert!(s.classification.has("damage") && s.classification.has("return_refund"));
/// assert!(s.has_hint("apologize_compensate_first"));
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tables: Tables,
    max_replies: usize,
}

impl Engine {
    /// An engine over compiled tables, answering with at most `max_replies` replies.
    pub(crate) fn from_tables(tables: Tables, max_replies: usize) -> Engine {
        Engine {
            inner: Arc::new(Inner {
                tables,
                max_replies,
            }),
        }
    }

    /// A builder that starts from the bundled packs.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// What `message` is about: language, intents with evidence, and side signals.
    ///
    /// Never panics; cost is linear in the message's length (up to the engine's maximum
    /// message size). Evidence spans are byte offsets into `message`.
    ///
    /// ```
    /// use replykit::{Context, default_engine};
    /// let c = default_engine().classify("箱子完好无损,一个都没坏", &Context::default());
    /// assert!(!c.has("damage"));
    /// let c = default_engine().classify("3일째 배송조회가 안 돼요", &Context::default());
    /// assert_eq!(c.language, "ko");
    /// assert_eq!(c.top().unwrap().id, "delivery_anxiety");
    /// ```
    pub fn classify(&self, message: &str, ctx: &Context) -> Classification {
        let tables = &self.inner.tables;
        with_scratch(|s| {
            let read = tables.analyze(message, ctx, s);
            tables.classification(read, s)
        })
    }

    /// Classifies `message` and adds ranked replies, rendered with `ctx`'s names and the packs'
    /// defaults, and the policy hints that apply.
    ///
    /// ```
    /// use replykit::{Context, OrderStatus, default_engine};
    /// let mut ctx = Context::default();
    /// ctx.order_status = Some(OrderStatus::Shipped);
    /// ctx.days_since_shipped = Some(6);
    /// let s = default_engine().suggest("where is my order?? it's been ages", &ctx);
    /// assert_eq!(s.classification.top().unwrap().id, "delivery_anxiety");
    /// assert_eq!(s.hints[0].id, "check_tracking_explain");
    /// assert!(s.replies.iter().all(|r| !r.text.contains('{')));
    /// ```
    pub fn suggest(&self, message: &str, ctx: &Context) -> Suggestion {
        let tables = &self.inner.tables;
        with_scratch(|s| {
            let read = tables.analyze(message, ctx, s);
            let none = crate::suggest::ThreadFacts::default();
            tables.suggestion(read, ctx, s, self.inner.max_replies, &none)
        })
    }

    /// Every intent that had evidence in `message`, fired or not, with all its evidence and
    /// why it was or was not reported: for rule authors asking "why not?".
    ///
    /// ```
    /// use replykit::{Context, Verdict, default_engine};
    /// let e = default_engine().explain("It arrived CRACKED", &Context::default());
    /// assert!(e.classification.has("damage"));
    /// assert!(e.candidates.iter().any(|c| c.intent.id == "damage" && c.verdict == Verdict::Fired));
    /// ```
    pub fn explain(&self, message: &str, ctx: &Context) -> Explanation {
        let tables = &self.inner.tables;
        with_scratch(|s| {
            let read = tables.analyze(message, ctx, s);
            Explanation {
                classification: tables.classification(read, s),
                candidates: tables.candidates(read, s),
            }
        })
    }

    /// What the shop can send first when an order event happens (`unpaid`, `not_shipped`,
    /// `shipped`, `in_transit`, `delivered`, `case_closed`, or an event of a shop's pack):
    /// replies rendered with `ctx` and the hints for it, in `ctx.language` (else the default
    /// language). `None` when no pack of that language has the event.
    ///
    /// ```
    /// use replykit::{Context, OrderStatus, default_engine};
    /// let mut ctx = Context::default();
    /// ctx.language = Some("en".into());
    /// ctx.courier = Some("UPS".into());
    /// ctx.vars.insert("tracking".into(), "1Z999".into());
    /// let p = default_engine().proactive("shipped", &ctx).unwrap();
    /// assert!(p.replies[0].text.contains("UPS") && p.replies[0].text.contains("1Z999"));
    /// assert!(default_engine().proactive("no_such_event", &ctx).is_none());
    /// ```
    pub fn proactive(&self, event: &str, ctx: &Context) -> Option<Proactive> {
        self.inner
            .tables
            .proactive(event, ctx, self.inner.max_replies)
    }

    /// The languages the loaded packs speak, in load order.
    pub fn languages(&self) -> impl Iterator<Item = &Id> {
        self.inner.tables.languages.iter().map(|l| &l.tag)
    }

    /// The intents of `language`, in declaration order (none for a language no pack speaks).
    ///
    /// ```
    /// let intents: Vec<_> = replykit::default_engine().intents("zh").collect();
    /// assert_eq!(intents.len(), 14);
    /// assert!(intents.iter().any(|i| *i == "damage"));
    /// ```
    pub fn intents(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.intents.iter().map(|i| &i.id))
    }

    /// The signals of `language`, in declaration order.
    pub fn signals(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.signals.iter().map(|s| &s.id))
    }

    /// The hints of `language`, highest priority first.
    pub fn hints(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.hints.iter().map(|h| &h.id))
    }

    /// The order events of `language` the packs have replies for.
    pub fn events(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.events.iter().map(|e| &e.id))
    }

    /// The example messages the packs of `language` give (`examples = [...]`), with the
    /// intents each must be read as: the packs' own regression tests.
    pub fn examples(&self, language: &str) -> &[PackExample] {
        self.language(language).map_or(&[], |l| &l.examples[..])
    }

    /// The distinct folded keywords of all languages (negators and signal words included),
    /// in byte order.
    pub fn keywords(&self) -> impl Iterator<Item = &str> {
        let mut all: Vec<&str> = self
            .inner
            .tables
            .languages
            .iter()
            .flat_map(|l| &l.scan().keywords)
            .filter(|k| k.targets.start != k.targets.end)
            .map(|k| &*k.text)
            .collect();
        all.sort_unstable();
        all.dedup();
        all.into_iter()
    }

    /// For the throughput report: classifies `messages` with timers between the stages and
    /// counts the regex searches run. Not part of the stable API.
    #[doc(hidden)]
    pub fn profile(&self, messages: &[&str], ctx: &Context) -> crate::classify::Profile {
        self.inner.tables.profile(messages, ctx)
    }

    /// Whether `other` is this engine or a clone of it (they share their tables). Not part of
    /// the stable API.
    #[doc(hidden)]
    pub fn shares_tables_with(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The run tables and the reply count, for the layers above classify.
    pub(crate) fn tables(&self) -> (&Tables, usize) {
        (&self.inner.tables, self.inner.max_replies)
    }

    fn language(&self, tag: &str) -> Option<&Language> {
        self.inner.tables.languages.iter().find(|l| l.tag == tag)
    }

    /// For benchmarks: the plain leftmost scan of `language`'s automaton, the floor `classify`
    /// builds on. `None` for a language no pack speaks or one without keywords. Not part of
    /// the stable API.
    #[doc(hidden)]
    pub fn raw_scanner(&self, language: &str) -> Option<RawScanner<'_>> {
        self.language(language)?
            .scan()
            .automaton
            .as_ref()
            .map(RawScanner)
    }
}

/// For benchmarks: a language's automaton, to time a bare scan with (see
/// [`Engine::raw_scanner`]). Not part of the stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct RawScanner<'a>(&'a aho_corasick::nfa::contiguous::NFA);

impl RawScanner<'_> {
    /// How many keywords (and gate literals) a leftmost-first scan of `text` finds.
    pub fn count(&self, text: &str) -> usize {
        use aho_corasick::{Input, automaton::Automaton};
        self.0
            .try_find_iter(Input::new(text))
            .map_or(0, |it| it.count())
    }

    /// The automaton's heap memory, in bytes.
    pub fn memory_usage(&self) -> usize {
        use aho_corasick::automaton::Automaton;
        self.0.memory_usage()
    }
}

impl Default for Engine {
    /// The bundled zh/ko/en packs: a clone of [`default_engine`] (cheap, shares its tables).
    fn default() -> Engine {
        default_engine().clone()
    }
}

static DEFAULT: Lazy<Engine> = Lazy::new(|| {
    Engine::builder()
        .build()
        .expect("the bundled rule packs are valid: tests/engine.rs checks them")
});

/// The engine of the bundled packs, built once on first use (thread-safe).
pub fn default_engine() -> &'static Engine {
    &DEFAULT
}
