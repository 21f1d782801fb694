//! The bundled packs on the labeled corpora in `tests/corpus/` (written for this crate, never
//! pasted into the rules): each file must reach micro-F1 >= 0.90 with few false positives on
//! messages about none of the intents.
//!
//! `LANG.tsv` was written alongside the packs and used to tune them; `heldout_LANG.tsv` was
//! written by someone who never saw the packs, and the pack authors never saw it: it is the
//! better estimate of accuracy on new messages.

#[path = "../examples/common/eval.rs"]
#[allow(dead_code)]
mod eval;

use replykit::{Context, default_engine};

fn check(path: &str, min_messages: usize) {
    let content = std::fs::read_to_string(path).unwrap();
    let examples = eval::parse_corpus(path, &content).unwrap();
    assert!(
        examples.len() >= min_messages,
        "{path}: only {} messages",
        examples.len()
    );
    for ex in &examples {
        for label in &ex.labels {
            assert!(
                eval::INTENTS.contains(&label.as_str()),
                "{path}:{}: unknown label {label}",
                ex.line
            );
        }
    }
    let report = eval::evaluate(default_engine(), &examples, &Context::default());
    eprintln!(
        "{path}: micro-F1 {:.3}, macro-F1 {:.3}, top-1 {:.3}, none FP rate {:.3}",
        report.micro_f1, report.macro_f1, report.top1_accuracy, report.none_false_positive_rate
    );
    assert!(
        report.micro_f1 >= 0.90,
        "{path}: micro-F1 {:.3} < 0.90",
        report.micro_f1
    );
    let fp = report.none_false_positive_rate;
    assert!(fp <= 0.15, "{path}: none false-positive rate {fp:.3}");
}

#[test]
fn chinese() {
    check("tests/corpus/zh.tsv", 150);
    check("tests/corpus/heldout_zh.tsv", 100);
}

#[test]
fn korean() {
    check("tests/corpus/ko.tsv", 150);
    check("tests/corpus/heldout_ko.tsv", 100);
}

#[test]
fn english() {
    check("tests/corpus/en.tsv", 150);
    check("tests/corpus/heldout_en.tsv", 100);
}
