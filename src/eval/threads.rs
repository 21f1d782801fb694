//! Labeled threads: one turn per line as JSON, `{"conversation": "c1", "role": "buyer",
//! "text": "...", "labels": ["damage"]}` in thread order (`labels`: intent ids, `[]` for none,
//! absent for a turn that is not scored; `time`, Unix seconds, optional). Each labeled buyer
//! turn is scored as the thread before it makes it read, or alone.

use super::{CorpusError, Labeled, Report, known_intents, report::score};
use crate::context::Context;
use crate::conversation::{Conversation, Role};
use crate::engine::Engine;
use serde::Deserialize;
use std::collections::HashMap;

/// One turn of a labeled thread file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThreadTurn {
    /// The thread's id.
    pub conversation: String,
    /// Who wrote it.
    pub role: Role,
    /// The turn.
    pub text: String,
    /// When, in Unix seconds, if given.
    pub time: Option<u64>,
    /// Its intents, if it is scored (buyer turns only); empty for none.
    pub labels: Option<Vec<String>>,
    /// `file:line`.
    pub place: String,
}

/// Labeled threads, in file order (turns of different threads may interleave).
#[derive(Debug, Clone, Default)]
pub struct Threads {
    /// Every turn, in order.
    pub turns: Vec<ThreadTurn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    conversation: String,
    role: Role,
    text: String,
    time: Option<u64>,
    labels: Option<Vec<String>>,
}

impl Threads {
    /// Reads a thread file (JSON lines; blank lines and lines starting with `#` are skipped).
    /// Labels must be intents of `engine`, and only buyer turns may have them.
    pub fn parse(name: &str, content: &str, engine: &Engine) -> Result<Threads, CorpusError> {
        let known = known_intents(engine);
        let mut turns = Vec::new();
        for (n, line) in content.lines().enumerate() {
            let place = format!("{name}:{}", n + 1);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |message: String| CorpusError {
                place: place.clone(),
                message,
            };
            let l: Line = serde_json::from_str(line).map_err(|e| fail(e.to_string()))?;
            if let Some(labels) = &l.labels {
                if l.role == Role::Seller {
                    return Err(fail("a seller turn has no labels".into()));
                }
                if let Some(bad) = labels.iter().find(|x| !known.contains(x.as_str())) {
                    return Err(fail(format!(
                        "unknown label `{bad}` (not an intent of the loaded packs)"
                    )));
                }
            }
            turns.push(ThreadTurn {
                conversation: l.conversation,
                role: l.role,
                text: l.text,
                time: l.time,
                labels: l.labels,
                place,
            });
        }
        Ok(Threads { turns })
    }

    /// The labeled buyer turns, as a corpus of single messages.
    pub fn scored(&self) -> super::Corpus {
        let messages = self
            .turns
            .iter()
            .filter_map(|t| {
                let labels = t.labels.clone()?;
                Some(Labeled {
                    place: t.place.clone(),
                    labels,
                    text: t.text.clone(),
                })
            })
            .collect();
        super::Corpus { messages }
    }
}

/// Scores each labeled buyer turn of `threads`: read with the thread before it (`threaded`),
/// or alone. The report is over the scored turns, as [`evaluate`](super::evaluate)'s.
pub fn evaluate_threads(
    engine: &Engine,
    threads: &Threads,
    ctx: &Context,
    threaded: bool,
) -> Report {
    let mut open: HashMap<&str, Conversation> = HashMap::new();
    let mut predictions = Vec::new();
    for t in &threads.turns {
        let thread = open
            .entry(&t.conversation)
            .or_insert_with(|| Conversation::new(engine));
        match t.role {
            Role::Seller => thread.seller(&t.text, t.time),
            Role::Buyer => {
                let c = if threaded {
                    thread.buyer(&t.text, t.time, ctx).classification
                } else {
                    engine.classify(&t.text, ctx)
                };
                if t.labels.is_some() {
                    predictions.push(c.intents.iter().map(|i| i.id.to_string()).collect());
                }
            }
        }
    }
    score(engine, &threads.scored(), predictions)
}
