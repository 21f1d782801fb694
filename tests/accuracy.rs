//! The bundled packs on the labeled corpora in `tests/corpus/` (written for this crate, never
//! pasted into the rules): each language must reach micro-F1 >= 0.90 with few false positives
//! on messages about none of the intents.

#[path = "../examples/common/eval.rs"]
#[allow(dead_code)]
mod eval;

use replykit::{Context, default_engine};

fn check(language: &str) {
    let path = format!("tests/corpus/{language}.tsv");
    let content = std::fs::read_to_string(&path).unwrap();
    let examples = eval::parse_corpus(&path, &content).unwrap();
    assert!(
        examples.len() >= 80,
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
        "{language}: micro-F1 {:.3}, macro-F1 {:.3}, top-1 {:.3}, none FP rate {:.3}",
        report.micro_f1, report.macro_f1, report.top1_accuracy, report.none_false_positive_rate
    );
    assert!(
        report.micro_f1 >= 0.90,
        "{language}: micro-F1 {:.3} < 0.90",
        report.micro_f1
    );
    assert!(
        report.none_false_positive_rate <= 0.15,
        "{language}: none false-positive rate {:.3}",
        report.none_false_positive_rate
    );
}

#[test]
fn chinese() {
    check("zh");
}

#[test]
fn korean() {
    check("ko");
}

#[test]
fn english() {
    check("en");
}
