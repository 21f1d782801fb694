//! Scoring a labeled corpus against an engine, as `../shared/taxonomy.md` defines it. Shared by
//! `examples/evaluate.rs` and the accuracy test (`tests/accuracy.rs`).

use replykit::{Context, Engine};
use std::collections::BTreeMap;

/// The fourteen intents of the taxonomy, in its order: the metrics are computed over these.
pub const INTENTS: [&str; 14] = [
    "greeting",
    "product_inquiry",
    "bargaining",
    "delivery_anxiety",
    "shipping_options",
    "address_change",
    "damage",
    "quality_issue",
    "usage_question",
    "repeat_dissatisfaction",
    "return_refund",
    "cancel_order",
    "complaint",
    "praise",
];

/// One labeled message.
#[derive(Debug, Clone)]
pub struct Example {
    pub file: String,
    pub line: usize,
    pub labels: Vec<String>,
    pub text: String,
}

/// Parses a corpus in the taxonomy's TSV format; an error names file:line.
pub fn parse_corpus(file: &str, content: &str) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for (n, line) in content.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (labels, text) = line
            .split_once('\t')
            .ok_or_else(|| format!("{file}:{}: expected `labels<TAB>text`", n + 1))?;
        let labels: Vec<String> = labels
            .split(',')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty() && l != "none")
            .collect();
        out.push(Example {
            file: file.to_string(),
            line: n + 1,
            labels,
            text: text.to_string(),
        });
    }
    Ok(out)
}

/// Precision, recall, F1 and support of one intent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// The evaluation report of `taxonomy.md`.
#[derive(Debug, Clone)]
pub struct Report {
    pub messages: usize,
    pub micro_precision: f64,
    pub micro_recall: f64,
    pub micro_f1: f64,
    pub macro_f1: f64,
    pub top1_accuracy: f64,
    pub none_false_positive_rate: f64,
    pub per_intent: BTreeMap<&'static str, Score>,
    /// Each message's predicted intents (best first), in corpus order.
    pub predictions: Vec<Vec<String>>,
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

/// Runs `engine` over `examples` (language detected unless `ctx` sets it) and scores it.
pub fn evaluate(engine: &Engine, examples: &[Example], ctx: &Context) -> Report {
    let mut tp = [0usize; 14];
    let mut fp = [0usize; 14];
    let mut fn_ = [0usize; 14];
    let (mut top1_hits, mut labeled, mut none_msgs, mut none_fp) = (0, 0, 0, 0);
    let mut predictions = Vec::with_capacity(examples.len());
    for ex in examples {
        let found: Vec<String> = engine
            .classify(&ex.text, ctx)
            .intents
            .iter()
            .map(|i| i.intent.to_string())
            .collect();
        for (k, intent) in INTENTS.iter().enumerate() {
            let predicted = found.iter().any(|f| f == intent);
            let gold = ex.labels.iter().any(|l| l == intent);
            match (predicted, gold) {
                (true, true) => tp[k] += 1,
                (true, false) => fp[k] += 1,
                (false, true) => fn_[k] += 1,
                (false, false) => {}
            }
        }
        if ex.labels.is_empty() {
            none_msgs += 1;
            none_fp += usize::from(!found.is_empty());
        } else {
            labeled += 1;
            top1_hits += usize::from(found.first().is_some_and(|f| ex.labels.contains(f)));
        }
        predictions.push(found);
    }
    let mut per_intent = BTreeMap::new();
    let mut macro_sum = 0.0;
    let mut macro_n = 0;
    for (k, intent) in INTENTS.iter().enumerate() {
        let p = ratio(tp[k], tp[k] + fp[k]);
        let r = ratio(tp[k], tp[k] + fn_[k]);
        let support = tp[k] + fn_[k];
        if support > 0 || tp[k] + fp[k] > 0 {
            macro_sum += f1(p, r);
            macro_n += 1;
        }
        per_intent.insert(
            *intent,
            Score {
                precision: p,
                recall: r,
                f1: f1(p, r),
                support,
            },
        );
    }
    let (tps, fps, fns): (usize, usize, usize) =
        (tp.iter().sum(), fp.iter().sum(), fn_.iter().sum());
    let micro_precision = ratio(tps, tps + fps);
    let micro_recall = ratio(tps, tps + fns);
    Report {
        messages: examples.len(),
        micro_precision,
        micro_recall,
        micro_f1: f1(micro_precision, micro_recall),
        macro_f1: if macro_n == 0 {
            0.0
        } else {
            macro_sum / macro_n as f64
        },
        top1_accuracy: ratio(top1_hits, labeled),
        none_false_positive_rate: ratio(none_fp, none_msgs),
        per_intent,
        predictions,
    }
}
