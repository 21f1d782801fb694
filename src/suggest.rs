//! Stage 4: from a classification to what the agent sees: ranked, rendered replies and the
//! policy hints that apply.

use crate::classify::{Classification, Intent, Scratch};
use crate::compile::Compiled;
use crate::context::Context;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Everything the engine suggests for one message: the classification, replies and hints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The language the message was read and the replies are written in.
    pub language: Arc<str>,
    /// The intents found, best first (see [`Classification::intents`]).
    pub intents: Vec<Intent>,
    /// Side signals found, e.g. `"urgent"`, `"angry"`.
    pub signals: Vec<Arc<str>>,
    /// Rendered replies, best first: each intent's best reply in intent order, then each one's
    /// second best, and so on, up to the engine's reply count.
    pub replies: Vec<Reply>,
    /// Policy hints for the agent, highest priority first, each at most once.
    pub hints: Vec<Hint>,
    /// True when only the first part of an over-long message was read.
    pub truncated: bool,
}

/// A reply ready to send, rendered in the message's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The intent the reply answers.
    pub intent: Arc<str>,
    /// The template's id, e.g. `"zh.damage.compensate"`.
    pub id: Arc<str>,
    /// The reply with every placeholder filled.
    pub text: String,
    /// Intent score x template weight, x 1.5 for a template written for the current context.
    pub score: f64,
}

/// Advice for the agent on how to handle the message, e.g. "apologize and compensate first".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    /// A stable id, the same in every language: e.g. `"apologize_compensate_first"`.
    pub id: Arc<str>,
    /// The advice in the message's language.
    pub text: Arc<str>,
    /// Higher is more important.
    pub priority: i32,
}

/// How much a template written for the current context (its `when` holds) outranks a general one.
const CONTEXT_FIT: f64 = 1.5;

impl Compiled {
    /// Replies and hints for a classification made with `scratch` (which holds its fired intents).
    pub(crate) fn suggest_from(
        &self,
        c: Classification,
        ctx: &Context,
        s: &Scratch,
        max_replies: usize,
    ) -> Suggestion {
        let lang = &self.languages[s.language];
        let mut replies = Vec::with_capacity(max_replies.min(8));
        // Round-robin over the fired intents so a two-intent message gets an answer to each.
        let mut rank = 0;
        while replies.len() < max_replies {
            let mut any = false;
            for (&i, found) in s.fired.iter().zip(&c.intents) {
                let Some(t) = lang.templates[i as usize]
                    .iter()
                    .filter(|t| t.when.as_ref().is_none_or(|w| w.holds(ctx)))
                    .nth(rank)
                else {
                    continue;
                };
                any = true;
                if replies.len() == max_replies {
                    break;
                }
                let fit = if t.when.is_some() { CONTEXT_FIT } else { 1.0 };
                replies.push(Reply {
                    intent: found.intent.clone(),
                    id: t.id.clone(),
                    text: t.template.render(ctx),
                    score: ((found.score * t.weight * fit) * 1e6).round() / 1e6,
                });
            }
            if !any {
                break;
            }
            rank += 1;
        }
        let hints = lang
            .hints
            .iter()
            .filter(|h| {
                (h.intents.is_empty() || h.intents.iter().any(|i| s.fired.contains(i)))
                    && (h.signals.is_empty()
                        || h.signals.iter().any(|&g| {
                            c.signals
                                .iter()
                                .any(|on| *on == lang.signals[g as usize].id)
                        }))
                    && h.when.as_ref().is_none_or(|w| w.holds(ctx))
            })
            .map(|h| Hint {
                id: h.id.clone(),
                text: h.text.clone(),
                priority: h.priority,
            })
            .collect();
        Suggestion {
            language: c.language,
            intents: c.intents,
            signals: c.signals,
            replies,
            hints,
            truncated: c.truncated,
        }
    }
}
