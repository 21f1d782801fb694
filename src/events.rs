//! Order events: the shop speaks first. An event (`unpaid`, `not_shipped`, `shipped`,
//! `in_transit`, `delivered`, `case_closed`, or a shop's own) and the context select replies and
//! hints from the packs' `[event.<id>]` sections, in the same layering and rendering as an
//! intent's; no message is classified.

use crate::context::Context;
use crate::id::Id;
use crate::suggest::{Hint, Reply, hints, rank_replies};
use crate::tables::Tables;
use serde::{Deserialize, Serialize};

/// What the shop can send first on an order event: replies and hints, in the context's
/// language (the engine's default language when the context names none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Proactive {
    /// The event, e.g. `"in_transit"`.
    pub event: Id,
    /// The language the replies are written in.
    pub language: Id,
    /// Rendered replies, best first (those written for the context first).
    pub replies: Vec<Reply>,
    /// Policy hints for the agent, highest priority first.
    pub hints: Vec<Hint>,
}

impl Tables {
    /// The proactive message for `event`, or `None` if no pack of the language has it.
    pub(crate) fn proactive(
        &self,
        event: &str,
        ctx: &Context,
        max_replies: usize,
    ) -> Option<Proactive> {
        let language = ctx
            .language
            .as_deref()
            .and_then(|tag| self.language(tag))
            .unwrap_or(self.default_language);
        let lang = &self.languages[language];
        let index = lang.events.iter().position(|e| e.id == event)?;
        let rule = &lang.events[index];
        let lists = std::iter::once((rule.id.clone(), 1.0, &rule.replies[..]));
        Some(Proactive {
            event: rule.id.clone(),
            language: lang.tag.clone(),
            replies: rank_replies(lists, lang, ctx, max_replies),
            hints: hints(lang, ctx, |h| h.events.contains(&(index as u16))),
        })
    }
}
