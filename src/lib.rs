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
//! simplified Chinese, whitespace between CJK/Hangul characters dropped). One aho-corasick
//! automaton finds every keyword of every pack in one pass; Latin keywords must sit on word
//! boundaries, CJK and Hangul keywords match anywhere. A negator just before (or, in Korean,
//! just after) a cue cancels it. An intent's score is the sum of its matched cues, complete
//! co-occurrence groups, regex patterns and context boosts; it fires at its threshold.
//!
//! Design choice: a message is read with the packs of *its* language only (detected by the
//! majority script: Han characters, Hangul syllables, Latin words; or set in the context), so
//! each language's negators, thresholds and replies stay coherent.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod classify;
mod compile;
mod context;
mod engine;
mod error;
mod normalize;
mod rules;
mod suggest;
mod template;

pub use classify::{Classification, Evidence, Intent};
pub use context::{Context, OrderStatus};
pub use engine::{Engine, EngineBuilder, default_engine};
pub use error::Error;
pub use suggest::{Hint, Reply, Suggestion};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
