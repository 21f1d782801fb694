//! Run stages 5 and 6, rank and render: from the analysis of a message to what the agent sees,
//! ranked and rendered replies and the policy hints that apply.

use crate::classify::{Classification, Scratch};
use crate::context::Context;
use crate::id::Id;
use crate::tables::{HintRule, Language, ReplyTemplate, Tables};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Everything the engine suggests for one message: its classification, replies and hints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Suggestion {
    /// What the message is about (language, intents with evidence, signals).
    pub classification: Classification,
    /// Rendered replies, best first: each intent's best reply in intent order, then each one's
    /// second best, and so on, up to the engine's reply count.
    pub replies: Vec<Reply>,
    /// Policy hints for the agent, highest priority first, each at most once.
    pub hints: Vec<Hint>,
}

impl Suggestion {
    /// The best reply, if any intent fired.
    pub fn top_reply(&self) -> Option<&Reply> {
        self.replies.first()
    }

    /// Whether hint `id` applies.
    pub fn has_hint(&self, id: &str) -> bool {
        self.hints.iter().any(|h| h.id == id)
    }
}

/// A reply ready to send, rendered in the message's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reply {
    /// The intent (or order event) the reply answers.
    pub intent: Id,
    /// The template's id, e.g. `"zh.damage.compensate"`.
    pub id: Id,
    /// The reply with every placeholder filled.
    pub text: String,
    /// Intent score x template weight, x 1.5 for a template written for the current context.
    pub score: f64,
}

/// Advice for the agent on how to handle the message, e.g. "apologize and compensate first".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hint {
    /// A stable id, the same in every language: e.g. `"apologize_compensate_first"`.
    pub id: Id,
    /// The advice in the message's language.
    pub text: Arc<str>,
    /// Higher is more important.
    pub priority: i32,
    /// For a hint a thread calls for (a repeated question, rising anger, a long wait): the
    /// turns that show it. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub turns: Vec<usize>,
}

/// What a thread says about its newest buyer turn, beyond the turn itself: which of the
/// thread triggers (`rules::THREAD_TRIGGERS`) hold, and the turns that show each.
#[derive(Debug, Default)]
pub(crate) struct ThreadFacts {
    pub(crate) triggers: u8,
    pub(crate) turns: [Vec<usize>; 3],
}

/// How much a template written for the current context (its `when` holds) outranks a general one.
const CONTEXT_FIT: f64 = 1.5;

impl Tables {
    /// The suggestion for the analysis in `s` of `message` (in a thread with `thread`).
    pub(crate) fn suggestion(
        &self,
        message: &str,
        ctx: &Context,
        s: &Scratch,
        max_replies: usize,
        thread: &ThreadFacts,
    ) -> Suggestion {
        let a = &s.analysis;
        let lang = &self.languages[a.language];
        let fired: Vec<(u16, f64)> = a.candidates[..a.fired]
            .iter()
            .map(|c| (c.intent, c.score))
            .collect();
        let lists = fired.iter().map(|&(i, score)| {
            (
                lang.intents[i as usize].id.clone(),
                score,
                &lang.replies[i as usize][..],
            )
        });
        let replies = rank_replies(lists, lang, ctx, max_replies);
        let mut hints = hints(lang, ctx, |h| {
            let found = |list: &[u16]| list.iter().any(|i| fired.iter().any(|f| f.0 == *i));
            (h.intents.is_empty() || found(&h.intents))
                && (h.signals.is_empty() || h.signals.iter().any(|g| a.signals.contains(g)))
                && (h.thread == 0 || h.thread & thread.triggers != 0)
                && h.events.is_empty()
                && !found(&h.unless)
        });
        let rules = if thread.triggers == 0 {
            Vec::new()
        } else {
            given_rules(lang, &hints)
        };
        for (hint, rule) in hints.iter_mut().zip(rules) {
            for (bit, turns) in thread.turns.iter().enumerate() {
                if rule.thread & (1 << bit) != 0 {
                    hint.turns.extend(turns);
                }
            }
            hint.turns.sort_unstable();
            hint.turns.dedup();
        }
        Suggestion {
            classification: self.classification(message, s),
            replies,
            hints,
        }
    }
}

/// Replies from several ranked template lists (intent id, its score, its templates), taken
/// round-robin so that a two-intent message gets an answer to each.
pub(crate) fn rank_replies<'a>(
    lists: impl Iterator<Item = (Id, f64, &'a [ReplyTemplate])>,
    lang: &Language,
    ctx: &Context,
    max_replies: usize,
) -> Vec<Reply> {
    let lists: Vec<(Id, f64, Vec<&ReplyTemplate>)> = lists
        .map(|(id, score, templates)| {
            let fitting = templates
                .iter()
                .filter(|t| t.when.as_ref().is_none_or(|w| w.holds(ctx)))
                .collect();
            (id, score, fitting)
        })
        .collect();
    let mut replies = Vec::with_capacity(max_replies.min(8));
    for rank in 0.. {
        let mut any = false;
        for (id, score, templates) in &lists {
            let Some(t) = templates.get(rank) else {
                continue;
            };
            any = true;
            if replies.len() == max_replies {
                return replies;
            }
            let fit = if t.when.is_some() { CONTEXT_FIT } else { 1.0 };
            replies.push(Reply {
                intent: id.clone(),
                id: t.id.clone(),
                text: t.template.render(ctx, &lang.money),
                score: crate::score::round(score * t.weight * fit),
            });
        }
        if !any || replies.len() == max_replies {
            break;
        }
    }
    replies
}

/// The hints of `lang` that `applies` accepts and whose condition holds, in output order; of
/// two that contradict each other, only the first (the higher priority) is given.
pub(crate) fn hints(
    lang: &Language,
    ctx: &Context,
    applies: impl Fn(&HintRule) -> bool,
) -> Vec<Hint> {
    let mut given: Vec<&HintRule> = Vec::new();
    for h in &lang.hints {
        let contradicted = given
            .iter()
            .any(|g| g.contradicts.contains(&h.id) || h.contradicts.contains(&g.id));
        if !contradicted && applies(h) && h.when.as_ref().is_none_or(|w| w.holds(ctx)) {
            given.push(h);
        }
    }
    given
        .into_iter()
        .map(|h| Hint {
            id: h.id.clone(),
            text: h.text.clone(),
            priority: h.priority,
            turns: Vec::new(),
        })
        .collect()
}

/// The rule of each given hint, in order.
fn given_rules<'a>(lang: &'a Language, hints: &[Hint]) -> Vec<&'a HintRule> {
    hints
        .iter()
        .filter_map(|h| lang.hints.iter().find(|r| r.id == h.id))
        .collect()
}
