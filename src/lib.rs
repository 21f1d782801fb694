//! replykit reads buyer messages from Chinese, Korean and English shop chats, finds what the
//! buyer wants with keyword automata (bargaining, delivery anxiety, transport damage, a returning
//! buyer who finds this order worse than the last, ... fourteen intents in all, see
//! [`taxonomy`]), and suggests ranked, localized reply templates plus policy hints for the agent
//! ("apologize and compensate first", "never promise an exact delivery date"). No model, no
//! network: microseconds per message, and every answer comes with its evidence (spans into the
//! message and the pack line that matched). It reads whole chat threads too, and speaks first
//! when an order changes.
//!
//! # Overview
//!
//! - [`Engine`]: compiled rule packs; [`Engine::classify`], [`Engine::suggest`],
//!   [`Engine::explain`] and [`Engine::proactive`]. [`default_engine`] / [`Engine::default`]
//!   hold the bundled zh/ko/en packs; [`Engine::builder`] layers a shop's own packs over them,
//!   sets limits, and [lints](EngineBuilder::lint) the packs.
//! - [`Context`]: what the shop knows (repeat customer, VIP, order status, days since shipped,
//!   order amount, names and values for the reply placeholders).
//! - Results: [`Classification`] ([`Intent`]s with [`Evidence`], signals, [`Classification::top`],
//!   [`Classification::has`]), [`Suggestion`] (a classification plus [`Reply`]s and [`Hint`]s),
//!   [`Explanation`] (every candidate intent and its [`Verdict`]), [`Proactive`] (what to send
//!   on an order event). Ids are [`Id`]s: `intent.id == "damage"`. All serialize with serde.
//! - [`Conversation`]: a bounded chat thread; a buyer turn is read with the turns before it.
//! - [`Error`] ([`ErrorKind`]): why a pack did not load, with file, line, column and rule;
//!   [`Warning`]: what lint says of a pack that loads.
//! - [`eval`] (feature `eval`, on by default): corpora, reports, mining, for pack authors.
//!
//! # Example: suggest replies for a message
//!
//! ```
//! use replykit::{Context, default_engine};
//!
//! let mut ctx = Context::default();
//! ctx.shop = Some("鲜果铺".into());
//! let s = default_engine().suggest("快递怎么还没到,急用!", &ctx);
//! assert_eq!(s.classification.top().unwrap().id, "delivery_anxiety");
//! assert!(s.classification.has_signal("urgent"));
//! // Hints are ordered by priority; an urgent buyer gets a faster courier offered.
//! assert!(s.has_hint("offer_faster_courier"));
//! // Replies are rendered: no raw placeholder ever reaches a buyer.
//! assert!(!s.replies.is_empty() && s.replies.iter().all(|r| !r.text.contains('{')));
//! ```
//!
//! # Example: explain a classification
//!
//! ```
//! use replykit::{Context, Verdict, default_engine};
//!
//! let message = "It arrived CRACKED and I want a refund";
//! let c = default_engine().classify(message, &Context::default());
//! let damage = c.intents.iter().find(|i| i.id == "damage").unwrap();
//! let e = &damage.evidence[0];
//! // Spans point into the original text, whatever folding did.
//! assert_eq!(e.text(message), "CRACKED");
//! assert!(e.rule.starts_with("rules/en.toml:"));
//! // `explain` also shows the intents that did not fire, and why.
//! let x = default_engine().explain(message, &Context::default());
//! assert!(x.candidates.iter().all(|c| c.verdict == Verdict::Fired || c.intent.score < c.threshold
//!     || matches!(c.verdict, Verdict::Suppressed { .. })));
//! ```
//!
//! # Example: context changes the answer
//!
//! ```
//! use replykit::{Context, OrderStatus, default_engine};
//!
//! let mut ctx = Context::default();
//! ctx.order_status = Some(OrderStatus::Paid);
//! let paid = default_engine().suggest("when will you ship my order?", &ctx);
//! // Paid, not shipped: the reply is about shipping soon, not about tracking.
//! assert_eq!(paid.replies[0].id, "en.delivery_anxiety.paid");
//! ctx.vip = true;
//! let vip = default_engine().suggest("the box arrived crushed", &ctx);
//! assert!(vip.has_hint("vip_priority"));
//! ```
//!
//! # Example: a thread and an order event
//!
//! ```
//! use replykit::{Context, Conversation, default_engine};
//!
//! let ctx = Context::default();
//! let mut thread = Conversation::new(default_engine());
//! thread.buyer("배송 언제 와요?", Some(0), &ctx);
//! thread.seller("확인해 드릴게요", Some(3));
//! let s = thread.buyer("내일은 와요?", Some(30), &ctx);
//! assert_eq!(s.classification.top().unwrap().id, "delivery_anxiety");
//!
//! let mut ctx = Context::default();
//! ctx.language = Some("zh".into());
//! let p = default_engine().proactive("in_transit", &ctx).unwrap();
//! assert!(p.hints.iter().any(|h| h.id == "investigate_tell_why"));
//! ```
//!
//! # Rule packs
//!
//! A pack is a TOML file in one language: keyword lists by strength under each intent, near
//! rules, gated regex patterns, context boosts, `unless`; negators; side signals; replies with
//! `{placeholders}` (and Korean particles that agree with them); order events; policy hints;
//! examples that are the pack's own tests. The format is in [`format`](mod@format) (`rules/FORMAT.md`).
//! Packs layer: a later pack of the same language adds keywords to an intent, adds intents,
//! replies and hints, and replaces a reply or hint by id with `replace = true`. Loading
//! validates everything and fails whole; [`EngineBuilder::lint`] then says what still looks
//! wrong. How the pipeline works, and why, is in `DESIGN.md`.
//!
//! ```
//! let shop_pack = r#"
//! language = "en"
//! [intent.damage]
//! keywords = ["squashed"]
//! examples = ["the peaches came squashed"]
//! [[intent.damage.reply]]
//! id = "fruit"
//! text = "So sorry your fruit arrived squashed, {buyer}! We'll send a fresh box today."
//! weight = 2.0
//! "#;
//! let engine = replykit::Engine::builder().pack_str("shop.toml", shop_pack).build()?;
//! let s = engine.suggest("the peaches came squashed", &replykit::Context::default());
//! assert_eq!(s.replies[0].id, "en.damage.fruit");
//! # Ok::<(), replykit::Error>(())
//! ```
//!
//! # Matching, in short
//!
//! Message and keywords are folded alike (full-width to ASCII, lowercase, traditional to
//! simplified Chinese, whitespace between CJK/Hangul characters dropped). The message's
//! language is picked by the scripts its packs declare; that language's automaton then finds
//! every keyword (and the literals its regex patterns need) in one pass; Latin keywords sit on
//! word boundaries and also match one edit away, CJK and Hangul keywords match anywhere. A
//! negator just before (or, in Korean, just after) a keyword cancels it. A strong keyword adds
//! 1 to its intent, a weak one 0.5, an `against` one takes 1 away; an intent fires at 0.9.
//!
//! # Untrusted input
//!
//! A shop feeds every raw chat message through the engine and loads rule packs its own staff
//! write: both are untrusted, and neither may crash, hang or half-load the engine.
//!
//! **Messages.** [`Engine::classify`] and [`Engine::suggest`] take any `&str` and never panic.
//! Their cost is linear in the bytes read, times a constant set by the packs (one automaton pass,
//! negators looked up only near each keyword, one leftmost search per regex pattern whose gate
//! opened). A message longer than [`EngineBuilder::max_message_bytes`] (default 64 KiB) is not
//! refused: only its first part, cut on a character boundary, is read, and the result says
//! `truncated: true`. Every [`Evidence`] span is non-empty, lies on character boundaries of the
//! caller's message within the part read; for an exact keyword match, `e.text(message)` folds
//! to exactly the evidence's `keyword`. Answers are deterministic: the same message and context
//! give the same result, whatever was classified before and on whichever thread.
//!
//! ```
//! use replykit::{Context, Engine};
//! let engine = Engine::builder().max_message_bytes(16).build()?;
//! let message = "快递还没到,已经五天了,急用!";
//! let c = engine.classify(message, &Context::default());
//! assert!(c.truncated);
//! for e in c.intents.iter().flat_map(|i| &i.evidence) {
//!     assert!(e.end <= 16 && !e.text(message).is_empty());
//! }
//! # Ok::<(), replykit::Error>(())
//! ```
//!
//! **Rule packs.** [`EngineBuilder::build`] reads, validates and compiles every pack, and fails
//! whole on the first problem with an [`Error`] naming the file, line, column and rule: syntax
//! errors, unknown fields, wrong types, invalid UTF-8, empty keywords, unknown intents, signals
//! and placeholders, duplicate ids, invalid regexes. A byte-order mark and CRLF line ends are
//! accepted. Deep nesting stops at the TOML parser's recursion limit, as an error, not a stack
//! overflow. What packs may cost is bounded by builder settings; past one, the build fails with
//! an error of [`ErrorKind::Limit`], before the cost is paid:
//!
//! | setting | default | bounds |
//! |---|---|---|
//! | [`max_message_bytes`](EngineBuilder::max_message_bytes) | 64 KiB | the bytes of a message read (the rest is not) |
//! | [`max_pack_bytes`](EngineBuilder::max_pack_bytes) | 8 MiB | one pack, checked before parsing; a file is never read past it |
//! | [`max_keywords`](EngineBuilder::max_keywords) | 250,000 | keywords of all packs together (typo variants, negators and signal words included) |
//! | [`max_keyword_bytes`](EngineBuilder::max_keyword_bytes) | 256 | one keyword, in bytes as written |
//! | [`max_template_bytes`](EngineBuilder::max_template_bytes) | 4096 | one reply text, in bytes |
//! | [`max_patterns`](EngineBuilder::max_patterns) | 1024 | regex patterns of all packs together |
//! | [`regex_size_limit`](EngineBuilder::regex_size_limit) | 256 KiB | one compiled regex (`a{5}{5}{5}{5}{5}{5}` and `\w{1000}` are refused) |
//!
//! The format itself fixes the rest: regex nesting at most 64 deep, a negation window of at
//! most 16, near rules of 2 to 8 groups within at most 64 units, ids of 1 to 128 characters,
//! finite weights between -1000 and 1000.
//!
//! **Threads and data.** [`Engine`] is `Send + Sync` and cheap to clone (the clones share one
//! `Arc`); the results, [`Context`], [`EngineBuilder`], [`Conversation`] and [`Error`] are
//! `Send + Sync` too. [`default_engine`] is built once, on first use, however many threads ask
//! at the same moment. The results serialize with serde and round-trip through JSON unchanged
//! (scores are rounded to six decimals).
//!
//! The crate's tests hold it to all this: property tests over arbitrary Unicode and a
//! brute-force matching oracle, more than 100 malformed packs with their expected errors,
//! generated giant packs, eight threads against one, and the fuzz targets in `fuzz/`.
//!
//! # Crate features
//!
//! - `eval` (default): the [`eval`] module (corpora, reports, mining) and its one dependency,
//!   `serde_json` (labeled threads are JSON lines). Leave it out with `default-features = false`
//!   in a service that only classifies.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod builder;
mod classify;
mod compile;
mod context;
mod conversation;
mod detect;
mod engine;
mod error;
#[cfg(feature = "eval")]
pub mod eval;
mod events;
mod fuzzy;
mod id;
mod lint;
mod normalize;
mod rules;
mod scan;
mod score;
mod suggest;
mod tables;
mod template;

pub use builder::EngineBuilder;
pub use classify::{
    Candidate, Classification, Evidence, Explanation, Intent, PatternCost, Profile, Verdict,
};
pub use context::{Context, OrderStatus};
pub use conversation::{Conversation, Role, Summary, Trend};
pub use engine::{Engine, RawScanner, default_engine};
pub use error::{Error, ErrorKind};
pub use events::Proactive;
pub use id::Id;
pub use lint::Warning;
pub use suggest::{Hint, Reply, Suggestion};
pub use tables::PackExample;

pub mod format {
    //! The rule pack format (`rules/FORMAT.md` of the crate).
    #![doc = include_str!("../rules/FORMAT.md")]
}

pub mod taxonomy {
    //! The fourteen intents, the labeled corpus format and the evaluation report
    //! (`rules/TAXONOMY.md` of the crate, the team's binding definition).
    #![doc = include_str!("../rules/TAXONOMY.md")]
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
