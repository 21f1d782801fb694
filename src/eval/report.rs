//! The evaluation report: per-intent precision, recall and F1, micro and macro F1, top-1
//! accuracy, the false-positive rate on `none` messages, and a confusion matrix. Its JSON is
//! the contract `examples/evaluate --json` keeps (keys are added, never renamed).

use super::Corpus;
use crate::context::Context;
use crate::engine::Engine;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// Precision, recall, F1 and support of one intent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntentScore {
    /// Of the messages it was predicted for, the share labeled with it.
    #[serde(serialize_with = "rounded")]
    pub precision: f64,
    /// Of the messages labeled with it, the share it was predicted for.
    #[serde(serialize_with = "rounded")]
    pub recall: f64,
    /// The harmonic mean of the two.
    #[serde(serialize_with = "rounded")]
    pub f1: f64,
    /// How many messages are labeled with it.
    pub support: usize,
    /// How many messages it was predicted for.
    #[serde(default)]
    pub predicted: usize,
}

/// Cell (`gold`, `predicted`) of the confusion matrix: how many messages labeled `gold` got
/// `predicted` without being labeled with it (`predicted == gold`: found correctly; `none`:
/// missed with nothing else predicted). Row `none` holds messages labeled `none`.
pub type Confusion = BTreeMap<String, BTreeMap<String, usize>>;

/// The four figures a [`Report`] leads with and a [`Delta`] compares. In JSON they sit at the
/// top level of the report (flattened), where `examples/evaluate --json` has always put them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Headline {
    /// F1 over all (message, intent) decisions.
    #[serde(serialize_with = "rounded")]
    pub micro_f1: f64,
    /// The unweighted mean of per-intent F1, over intents labeled or predicted at least once.
    #[serde(serialize_with = "rounded")]
    pub macro_f1: f64,
    /// Of the messages with labels, the share whose best intent is one of them.
    #[serde(serialize_with = "rounded")]
    pub top1_accuracy: f64,
    /// Of the `none` messages, the share that got any intent.
    #[serde(serialize_with = "rounded")]
    pub none_false_positive_rate: f64,
}

impl Headline {
    /// Each figure of `self` minus that of `baseline`.
    fn minus(&self, baseline: &Headline) -> Headline {
        Headline {
            micro_f1: self.micro_f1 - baseline.micro_f1,
            macro_f1: self.macro_f1 - baseline.macro_f1,
            top1_accuracy: self.top1_accuracy - baseline.top1_accuracy,
            none_false_positive_rate: self.none_false_positive_rate
                - baseline.none_false_positive_rate,
        }
    }
}

/// What [`evaluate`] measures on a corpus.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// How many messages were read.
    pub messages: usize,
    /// Micro- and macro-F1, top-1 accuracy and the `none` false-positive rate.
    #[serde(flatten)]
    pub headline: Headline,
    /// Precision over all (message, intent) decisions.
    #[serde(default, serialize_with = "rounded")]
    pub micro_precision: f64,
    /// Recall over all (message, intent) decisions.
    #[serde(default, serialize_with = "rounded")]
    pub micro_recall: f64,
    /// Per intent of the engine.
    pub per_intent: BTreeMap<String, IntentScore>,
    /// See [`Confusion`].
    #[serde(default)]
    pub confusion: Confusion,
    /// Each message's predicted intents, best first, in corpus order (not serialized).
    #[serde(skip)]
    pub predictions: Vec<Vec<String>>,
}

fn rounded<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((x * 1e4).round() / 1e4)
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Runs `engine` over `corpus` (each message's language detected unless `ctx` sets one) and
/// scores it.
pub fn evaluate(engine: &Engine, corpus: &Corpus, ctx: &Context) -> Report {
    let predictions: Vec<Vec<String>> = corpus
        .messages
        .iter()
        .map(|m| {
            let c = engine.classify(&m.text, ctx);
            c.intents.iter().map(|i| i.id.to_string()).collect()
        })
        .collect();
    score(engine, corpus, predictions)
}

/// The report for `predictions` (one list per message of `corpus`, best first).
pub(crate) fn score(engine: &Engine, corpus: &Corpus, predictions: Vec<Vec<String>>) -> Report {
    let intents = super::known_intents(engine);
    let mut counts: BTreeMap<&str, (usize, usize, usize)> =
        intents.iter().map(|i| (i.as_str(), (0, 0, 0))).collect();
    let mut confusion = Confusion::new();
    let (mut top1, mut labeled, mut nones, mut none_fp) = (0, 0, 0, 0);
    for (m, found) in corpus.messages.iter().zip(&predictions) {
        for (intent, (tp, fp, fn_)) in counts.iter_mut() {
            match (
                found.iter().any(|f| f == intent),
                m.labels.iter().any(|l| l == intent),
            ) {
                (true, true) => *tp += 1,
                (true, false) => *fp += 1,
                (false, true) => *fn_ += 1,
                (false, false) => {}
            }
        }
        let extra: Vec<&String> = found.iter().filter(|f| !m.labels.contains(f)).collect();
        let mut cell = |gold: &str, got: &str| {
            *confusion
                .entry(gold.to_string())
                .or_default()
                .entry(got.to_string())
                .or_default() += 1;
        };
        if m.labels.is_empty() {
            nones += 1;
            none_fp += usize::from(!found.is_empty());
            if found.is_empty() {
                cell("none", "none");
            }
            for e in &extra {
                cell("none", e);
            }
        } else {
            labeled += 1;
            top1 += usize::from(found.first().is_some_and(|f| m.labels.contains(f)));
            for gold in &m.labels {
                if found.contains(gold) {
                    cell(gold, gold);
                } else if extra.is_empty() {
                    cell(gold, "none");
                }
                for e in &extra {
                    cell(gold, e);
                }
            }
        }
    }
    let mut per_intent = BTreeMap::new();
    let (mut macro_sum, mut macro_n) = (0.0, 0);
    let (mut tps, mut fps, mut fns) = (0, 0, 0);
    for (intent, (tp, fp, fn_)) in counts {
        let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        if tp + fn_ > 0 || tp + fp > 0 {
            macro_sum += f1(p, r);
            macro_n += 1;
        }
        (tps, fps, fns) = (tps + tp, fps + fp, fns + fn_);
        let s = IntentScore {
            precision: p,
            recall: r,
            f1: f1(p, r),
            support: tp + fn_,
            predicted: tp + fp,
        };
        per_intent.insert(intent.to_string(), s);
    }
    let (micro_precision, micro_recall) = (ratio(tps, tps + fps), ratio(tps, tps + fns));
    Report {
        messages: corpus.messages.len(),
        headline: Headline {
            micro_f1: f1(micro_precision, micro_recall),
            macro_f1: if macro_n == 0 {
                0.0
            } else {
                macro_sum / macro_n as f64
            },
            top1_accuracy: ratio(top1, labeled),
            none_false_positive_rate: ratio(none_fp, nones),
        },
        micro_precision,
        micro_recall,
        per_intent,
        confusion,
        predictions,
    }
}

/// How a report differs from a baseline: positive is better, except for the none
/// false-positive rate, where positive is worse.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Delta {
    /// Each headline figure's change.
    #[serde(flatten)]
    pub headline: Headline,
    /// Per intent in either report: change in F1.
    pub per_intent_f1: BTreeMap<String, f64>,
}

impl Report {
    /// The change from `baseline` to this report.
    pub fn delta(&self, baseline: &Report) -> Delta {
        let mut per_intent_f1 = BTreeMap::new();
        for id in self.per_intent.keys().chain(baseline.per_intent.keys()) {
            let f = |r: &Report| r.per_intent.get(id).map_or(0.0, |s| s.f1);
            let d = ((f(self) - f(baseline)) * 1e4).round() / 1e4;
            per_intent_f1.insert(id.clone(), d);
        }
        Delta {
            headline: self.headline.minus(&baseline.headline),
            per_intent_f1,
        }
    }
}
