//! replykit reads one buyer message from a Chinese, Korean or English shop chat, finds what the
//! buyer wants with keyword automata (bargaining, delivery anxiety, transport damage, a returning
//! buyer who finds this order worse than the last, ... fourteen intents in all), and suggests
//! ranked, localized reply templates plus policy hints for the agent ("apologize and compensate
//! first", "never promise an exact delivery date"). No model, no network: microseconds per message,
//! and every answer comes with the evidence (spans into the message and the rule that matched).
//!
//! # Overview
//!
//! - [`Engine`]: compiled rule packs; [`Engine::classify`] and [`Engine::suggest`].
//!   [`default_engine`] / [`Engine::default`] hold the bundled zh/ko/en packs.
//! - [`EngineBuilder`]: layers a shop's own packs over the bundled ones, sets limits.
//! - [`Context`]: what the shop knows (repeat customer, VIP, order status, days since shipped,
//!   order amount, names for the reply placeholders).
//! - Results: [`Classification`] ([`Intent`]s with [`Evidence`], signals) and [`Suggestion`]
//!   (the same plus [`Reply`]s and [`Hint`]s). All serialize with serde.
//! - [`Error`]: why a pack did not load, with file, line, column and rule.
//!
//! # Example: suggest replies for a message
//!
//! ```
//! use replykit::{Context, default_engine};
//!
//! let mut ctx = Context::default();
//! ctx.shop = Some("鲜果铺".into());
//! let s = default_engine().suggest("快递怎么还没到,急用!", &ctx);
//! assert_eq!(&*s.intents[0].intent, "delivery_anxiety");
//! assert!(s.signals.iter().any(|g| &**g == "urgent"));
//! // Hints are ordered by priority; an urgent buyer gets a faster courier offered.
//! assert!(s.hints.iter().any(|h| &*h.id == "offer_faster_courier"));
//! // Replies are rendered: no raw placeholder ever reaches a buyer.
//! assert!(!s.replies.is_empty() && s.replies.iter().all(|r| !r.text.contains('{')));
//! ```
//!
//! # Example: explain a classification
//!
//! ```
//! use replykit::{Context, default_engine};
//!
//! let message = "It arrived CRACKED and I want a refund";
//! let c = default_engine().classify(message, &Context::default());
//! let damage = c.intents.iter().find(|i| &*i.intent == "damage").unwrap();
//! let e = &damage.evidence[0];
//! // Spans point into the original text, whatever normalization did.
//! assert_eq!(&message[e.start..e.end], e.text);
//! assert!(e.rule.starts_with("rules/en.toml:"));
//! ```
//!
//! # Example: context changes the answer
//!
//! ```
//! use replykit::{Context, default_engine};
//!
//! let first_time = default_engine().classify("这次的肉少了好多", &Context::default());
//! let mut ctx = Context::default();
//! ctx.repeat_customer = true;
//! let regular = default_engine().classify("这次的肉少了好多", &ctx);
//! assert!(regular.intents.iter().any(|i| &*i.intent == "repeat_dissatisfaction"));
//! # let _ = first_time;
//! ```
//!
//! # Rule packs
//!
//! A pack is a TOML file in one language: intents made of keyword cues with weights,
//! co-occurrence groups, regex patterns and context boosts; negators; side signals; reply
//! templates with `{placeholders}`; policy hints. The full format is in `rules/FORMAT.md`
//! (also in the README). Packs layer: a later pack of the same language adds keywords to an
//! intent, adds intents, templates and hints, and replaces a template or hint by id with
//! `replace = true`. Loading validates everything and fails whole.
//!
//! # Matching, in short
//!
//! Message and keywords are folded alike (full-width to ASCII, lowercase, traditional to
//! simplified Chinese, whitespace between CJK/Hangul characters dropped). The message's
//! language is picked first; its aho-corasick automaton then finds every keyword of that
//! language's packs (and the literals its regex patterns need) in one pass; Latin keywords must sit on word
//! boundaries, CJK and Hangul keywords match anywhere. A negator just before (or, in Korean,
//! just after) a cue cancels it. An intent's score is the sum of its matched cues, complete
//! co-occurrence groups, regex patterns and context boosts; it fires at its threshold.
//!
//! Design choice: a message is read with the packs of *its* language only (detected by the
//! majority script: Han characters, Hangul syllables, Latin words; or set in the context), so
//! each language's negators, thresholds and replies stay coherent.
//!
//! # Untrusted input
//!
//! A shop feeds every raw chat message through the engine and loads rule packs its own staff
//! write: both are untrusted, and neither may crash, hang or half-load the engine.
//!
//! **Messages.** [`Engine::classify`] and [`Engine::suggest`] take any `&str` and never panic.
//! Their cost is linear in the bytes read, times a constant set by the packs (one automaton pass,
//! negators looked up only near each cue, one leftmost search per regex pattern). A message
//! longer than [`EngineBuilder::max_message_bytes`] (default 64 KiB) is not refused: only its
//! first part, cut on a character boundary, is read, and the result says `truncated: true`.
//! Every [`Evidence`] span is non-empty, lies on character boundaries of the caller's message
//! within the part read, and `message[start..end] == text`; for a keyword, that text folds to
//! exactly the evidence's `keyword`. A regex pattern counts only when its leftmost match is
//! non-empty. Answers are deterministic: the same message and context give the same result,
//! whatever was classified before and on whichever thread.
//!
//! ```
//! use replykit::{Context, Engine};
//! let engine = Engine::builder().max_message_bytes(16).build()?;
//! let message = "快递还没到,已经五天了,急用!";
//! let c = engine.classify(message, &Context::default());
//! assert!(c.truncated);
//! for e in c.intents.iter().flat_map(|i| &i.evidence) {
//!     assert!(e.end <= 16 && message[e.start..e.end] == e.text);
//! }
//! # Ok::<(), replykit::Error>(())
//! ```
//!
//! **Rule packs.** [`EngineBuilder::build`] reads, validates and compiles every pack, and fails
//! whole on the first problem with an [`Error`] naming the file, line, column and rule: syntax
//! errors, unknown fields, wrong types, invalid UTF-8, empty keywords, unknown intents, signals
//! and placeholders, duplicate ids across files, invalid regexes. A byte-order mark and CRLF line
//! ends are accepted. Deep nesting stops at the TOML parser's recursion limit, as an error, not
//! a stack overflow. What packs may cost is bounded by builder settings; past one, the build
//! fails with an error for which [`Error::is_limit`] is true, before the cost is paid:
//!
//! | setting | default | bounds |
//! |---|---|---|
//! | [`max_message_bytes`](EngineBuilder::max_message_bytes) | 64 KiB | the bytes of a message read (the rest is not) |
//! | [`max_pack_bytes`](EngineBuilder::max_pack_bytes) | 8 MiB | one pack, checked before parsing; a file is never read past it |
//! | [`max_keywords`](EngineBuilder::max_keywords) | 250,000 | keywords of all packs together, negators and signal words included |
//! | [`max_keyword_bytes`](EngineBuilder::max_keyword_bytes) | 256 | one keyword, in bytes as written |
//! | [`max_template_bytes`](EngineBuilder::max_template_bytes) | 4096 | one template text, in bytes |
//! | [`max_patterns`](EngineBuilder::max_patterns) | 1024 | regex patterns of all packs together |
//! | [`regex_size_limit`](EngineBuilder::regex_size_limit) | 256 KiB | one compiled regex (`a{5}{5}{5}{5}{5}{5}` and `\w{1000}` are refused) |
//!
//! The format itself fixes the rest: regex nesting at most 64 deep, a negation window of at
//! most 16, 2 to 64 co-occurrence groups, ids of 1 to 128 characters, finite weights between
//! -1000 and 1000.
//!
//! **Threads and data.** [`Engine`] is `Send + Sync` and cheap to clone (the clones share one
//! `Arc`); the results, [`Context`], [`EngineBuilder`] and [`Error`] are `Send + Sync` too.
//! [`default_engine`] is built once, on first use, however many threads ask at the same moment.
//! The results serialize with serde and round-trip through JSON unchanged (scores are rounded to
//! six decimals); so does a [`Context`] (an `order_amount` of more than 15 significant digits
//! comes back bit for bit only with serde_json's `float_roundtrip` feature).
//!
//! The crate's tests hold it to all this: property tests over arbitrary Unicode and a
//! brute-force matching oracle, more than 80 malformed packs with their expected errors,
//! generated giant packs, eight threads against one, and the fuzz targets in `fuzz/`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod classify;
mod compile;
mod context;
mod conversation;
mod detect;
mod engine;
mod error;
mod events;
#[cfg(feature = "eval")]
pub mod eval;
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

pub use classify::{Candidate, Classification, Evidence, Explanation, Intent, Verdict};
pub use context::{Context, OrderStatus};
pub use conversation::{Conversation, Role, Summary, Trend};
pub use engine::{Engine, EngineBuilder, RawScanner, default_engine};
pub use error::{Error, ErrorKind};
pub use events::Proactive;
pub use id::Id;
pub use lint::Warning;
pub use suggest::{Hint, Reply, Suggestion};
pub use tables::PackExample;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
