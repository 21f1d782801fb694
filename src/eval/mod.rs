//! Measuring packs on labeled messages (crate feature `eval`): corpora in the labeled TSV
//! format, labeled threads (JSON lines, `threads.rs`), precision/recall/F1 per intent, a
//! confusion matrix, comparison with a baseline report; and mining unlabeled messages for the
//! cue words the packs miss (`mine.rs`).
//! What `examples/evaluate` and `examples/mine` print, and what a shop's own tests can call.
//!
//! # Example: measure the bundled packs on a few messages
//!
//! ```
//! use replykit::eval::{Corpus, evaluate};
//! use replykit::{Context, default_engine};
//!
//! let tsv = "damage,return_refund\tIt came shattered, I want my money back\nnone\thang on a sec\n";
//! let corpus = Corpus::parse("mine.tsv", tsv, default_engine())?;
//! let report = evaluate(default_engine(), &corpus, &Context::default());
//! assert_eq!(report.messages, 2);
//! assert!(report.headline.micro_f1 > 0.5);
//! assert_eq!(report.headline.none_false_positive_rate, 0.0);
//! # Ok::<(), replykit::eval::CorpusError>(())
//! ```

mod mine;
mod report;
mod threads;

pub use mine::{Candidate as MinedCandidate, Mined, QuickReply, mine};
pub use report::{Confusion, Delta, Headline, IntentScore, Report, evaluate};
pub use threads::{ThreadTurn, Threads, evaluate_threads};

use crate::engine::Engine;
use std::collections::BTreeSet;
use std::fmt;

/// One labeled message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Labeled {
    /// Where it comes from: `file:line` (or `file:line` of a pack example).
    pub place: String,
    /// Its intent ids; empty for `none`.
    pub labels: Vec<String>,
    /// The message.
    pub text: String,
}

/// Labeled messages, their labels checked against the engine's intents.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// The messages, in file order.
    pub messages: Vec<Labeled>,
}

/// A corpus line that cannot be read: its place and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusError {
    /// `file:line`.
    pub place: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

impl std::error::Error for CorpusError {}

impl Corpus {
    /// Reads a corpus in the labeled TSV format (`labels<TAB>text` per line; `#` comments and
    /// blank lines skipped; labels comma-separated intent ids or `none`). Every label must be an
    /// intent of some language of `engine`: a typo (`damge`) is an error naming the line.
    pub fn parse(name: &str, content: &str, engine: &Engine) -> Result<Corpus, CorpusError> {
        let known = known_intents(engine);
        let mut messages = Vec::new();
        for (n, line) in content.lines().enumerate() {
            let place = format!("{name}:{}", n + 1);
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((labels, text)) = line.split_once('\t') else {
                return Err(CorpusError {
                    place,
                    message: "expected `labels<TAB>text`".into(),
                });
            };
            let mut ids = Vec::new();
            for label in labels.split(',').map(str::trim) {
                match label {
                    "none" | "" => {}
                    l if known.contains(l) => {
                        if !ids.iter().any(|i| i == l) {
                            ids.push(l.to_string());
                        }
                    }
                    l => {
                        return Err(CorpusError {
                            place,
                            message: format!(
                                "unknown label `{l}` (not an intent of the loaded packs, nor `none`)"
                            ),
                        });
                    }
                }
            }
            if labels.split(',').any(|l| l.trim() == "none") && !ids.is_empty() {
                return Err(CorpusError {
                    place,
                    message: "`none` together with intents".into(),
                });
            }
            messages.push(Labeled {
                place,
                labels: ids,
                text: text.to_string(),
            });
        }
        Ok(Corpus { messages })
    }

    /// The examples the packs give (`examples = [...]` and `[none] examples`), all languages.
    pub fn pack_examples(engine: &Engine) -> Corpus {
        let messages = engine
            .languages()
            .flat_map(|lang| engine.examples(lang))
            .map(|e| Labeled {
                place: e.place.clone(),
                labels: e.intents.iter().map(|i| i.to_string()).collect(),
                text: e.text.clone(),
            })
            .collect();
        Corpus { messages }
    }

    /// Adds the messages of `other`.
    pub fn extend(&mut self, other: Corpus) {
        self.messages.extend(other.messages);
    }
}

/// Every intent id of every language of `engine`.
pub(crate) fn known_intents(engine: &Engine) -> BTreeSet<String> {
    engine
        .languages()
        .flat_map(|l| engine.intents(l))
        .map(|i| i.to_string())
        .collect()
}
