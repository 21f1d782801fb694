//! The bundled packs on labeled corpora: the written ones in `tests/corpus/` (always), and the
//! real development corpora of `corpora/real/` when they have been rebuilt from fetched copies
//! (skipped with a message otherwise: their text may not be redistributed, so CI has none).
//!
//! `LANG.tsv` was written alongside the packs and used to tune them; `heldout_LANG.tsv` was
//! written by someone who never saw the packs, and the pack authors never saw it.

use replykit::eval::{Corpus, Report, evaluate};
use replykit::{Context, default_engine};
use std::path::Path;

fn report(path: &str) -> Report {
    let content = std::fs::read_to_string(path).unwrap();
    let corpus = Corpus::parse(path, &content, default_engine()).unwrap();
    let report = evaluate(default_engine(), &corpus, &Context::default());
    eprintln!(
        "{path}: {} messages, micro-F1 {:.3}, macro-F1 {:.3}, top-1 {:.3}, none FP rate {:.3}",
        report.messages,
        report.headline.micro_f1,
        report.headline.macro_f1,
        report.headline.top1_accuracy,
        report.headline.none_false_positive_rate
    );
    report
}

fn check(path: &str, min_messages: usize, min_f1: f64, max_none_fp: f64) {
    let r = report(path);
    assert!(
        r.messages >= min_messages,
        "{path}: only {} messages",
        r.messages
    );
    assert!(
        r.headline.micro_f1 >= min_f1,
        "{path}: micro-F1 {:.3} < {min_f1}",
        r.headline.micro_f1
    );
    let fp = r.headline.none_false_positive_rate;
    assert!(
        fp <= max_none_fp,
        "{path}: none false-positive rate {fp:.3} > {max_none_fp}"
    );
}

#[test]
fn chinese() {
    check("tests/corpus/zh.tsv", 150, 0.95, 0.05);
    check("tests/corpus/heldout_zh.tsv", 100, 0.90, 0.15);
}

#[test]
fn korean() {
    check("tests/corpus/ko.tsv", 150, 0.95, 0.05);
    check("tests/corpus/heldout_ko.tsv", 100, 0.90, 0.15);
}

#[test]
fn english() {
    check("tests/corpus/en.tsv", 150, 0.95, 0.05);
    check("tests/corpus/heldout_en.tsv", 100, 0.90, 0.15);
}

/// Bitext's customer-support requests (CDLA-Sharing), from the workspace's shared corpora.
#[test]
fn bitext_when_present() {
    let path = "../shared/corpora/bitext_en.tsv";
    if !Path::new(path).exists() {
        eprintln!(
            "skipped: {path} is absent (it sits beside the repository in the team's workspace)"
        );
        return;
    }
    check(path, 2500, 0.95, 0.02);
}

/// The real development corpora's check splits (never tuned on): floors a little under what
/// the packs reach, so that a change that loses real accuracy fails here.
#[test]
fn real_buyer_text_when_rebuilt() {
    let dir = "corpora/real/text";
    if !Path::new(dir).join("jddc.check.tsv").exists() {
        eprintln!(
            "skipped: {dir}/ is absent; fetch the sources and run corpora/real/build.py (see corpora/real/README.md)"
        );
        return;
    }
    // Measured on 2026-12-03, second session (check / tune): jddc 0.617 / 0.820, zh_reviews
    // 0.685 / 0.862, ko_reviews 0.826 / 0.972, en_reviews 0.826 / 0.915; jddc.tune 0.757 once
    // batch 3 (512 turns never tuned on) joined it.
    for (set, min_f1) in [
        ("jddc.check", 0.60),
        ("zh_reviews.check", 0.67),
        ("ko_reviews.check", 0.81),
        ("en_reviews.check", 0.81),
        ("jddc.tune", 0.74),
        ("zh_reviews.tune", 0.84),
        ("ko_reviews.tune", 0.96),
        ("en_reviews.tune", 0.90),
    ] {
        let r = report(&format!("{dir}/{set}.tsv"));
        assert!(
            r.headline.micro_f1 >= min_f1,
            "{set}: micro-F1 {:.3} < {min_f1}",
            r.headline.micro_f1
        );
    }
}
