//! The rule-author tools as a library: lint codes on a seeded pack, mining a planted phrase,
//! corpus label checks, report deltas.

use replykit::eval::{Corpus, evaluate, mine};
use replykit::{Context, Engine};
use std::collections::BTreeSet;

#[test]
fn lint_finds_every_kind_of_warning_in_the_seeded_pack() {
    let path = "tests/data/lint/every_warning.toml";
    let warnings = Engine::builder()
        .bundled(false)
        .pack_path(path)
        .lint()
        .unwrap();
    let codes: BTreeSet<&str> = warnings.iter().map(|w| w.code).collect();
    let every = [
        "duplicate-keyword",
        "dead-copy",
        "contradiction",
        "overlap",
        "against-other-intent",
        "ungated-pattern",
        "never-fires",
        "unless-cycle",
        "no-reply",
        "few-examples",
        "curt-reply",
        "reply-style",
        "korean-particle",
        "hint-conflict",
    ];
    assert_eq!(codes, every.into_iter().collect(), "{warnings:#?}");
    for w in &warnings {
        assert_eq!(w.path, path);
        assert!(w.line > 0 && w.column > 0);
        assert!(w.to_string().starts_with(&format!(
            "{path}:{}:{}: warning[{}]: ",
            w.line, w.column, w.code
        )));
    }
    let find = |code: &str| warnings.iter().find(|w| w.code == code).unwrap();
    assert_eq!(find("duplicate-keyword").line, 11);
    assert_eq!(
        find("overlap").related.as_deref(),
        Some(format!("{path}:11").as_str())
    );
    assert_eq!(find("korean-particle").line, 22);
}

#[test]
fn a_pack_without_mistakes_lints_clean() {
    let warnings = Engine::builder()
        .bundled(false)
        .pack_path("tests/data/packs/shop.toml")
        .lint()
        .unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn mining_finds_a_planted_phrase_and_the_intent_it_goes_with() {
    let pack = "language = \"zh\"\n[intent.damage]\nkeywords = [\"压坏\"]\n[intent.praise]\nkeywords = [\"好吃\"]\n";
    let engine = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    let mut messages: Vec<String> = Vec::new();
    for i in 0..400 {
        messages.push(format!("西瓜摔成八瓣了,箱子也压坏了{i}"));
        messages.push(format!("第{i}个西瓜摔成八瓣了"));
        messages.push(format!("很好吃,谢谢{i}"));
        messages.push(format!("今天天气不错{i}"));
    }
    let mined = mine(&engine, &messages, 3);
    assert_eq!(mined.messages, 1600);
    assert_eq!(mined.unmatched, 800);
    let planted = mined
        .candidates
        .iter()
        .find(|c| c.ngram.contains("八瓣"))
        .expect("the planted phrase");
    assert_eq!(planted.suggested_intent.as_deref(), Some("damage"));
    assert_eq!(planted.unmatched, 400);
    assert!(
        planted.toml.contains("[intent.damage]") && planted.toml.contains("八瓣"),
        "{}",
        planted.toml
    );
    assert!(planted.examples.iter().all(|e| e.contains("八瓣")));
    // The weather is frequent too, but co-occurs with no intent.
    let weather = mined
        .candidates
        .iter()
        .find(|c| c.ngram.contains("天气"))
        .expect("the weather");
    assert_eq!(weather.suggested_intent, None);
}

#[test]
fn mining_lists_frequent_unmatched_questions() {
    let pack = "language = \"zh\"\n[intent.damage]\nkeywords = [\"压坏\"]\n";
    let engine = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    let messages = [
        "能开发票吗?",
        "能开发票吗",
        "能开发票吗？",
        "买3送1吗",
        "买2送1吗",
        "买5送1吗",
        "压坏了",
    ];
    let mined = mine(&engine, &messages, 2);
    let forms: Vec<(&str, usize)> = mined
        .quick_replies
        .iter()
        .map(|q| (q.form.as_str(), q.count))
        .collect();
    assert_eq!(forms, [("买#送#吗", 3), ("能开发票吗", 3)]);
}

#[test]
fn corpus_labels_are_checked_against_the_engine() {
    let engine = replykit::default_engine();
    let err = Corpus::parse("c.tsv", "damage\tok\n\ndamge\tit broke\n", engine).unwrap_err();
    assert_eq!(err.place, "c.tsv:3");
    assert!(err.message.contains("unknown label `damge`"), "{err}");
    let err = Corpus::parse("c.tsv", "none,damage\tx\n", engine).unwrap_err();
    assert!(err.message.contains("`none` together with intents"));
    let err = Corpus::parse("c.tsv", "just text\n", engine).unwrap_err();
    assert!(err.to_string().starts_with("c.tsv:1: expected"));
}

#[test]
fn reports_have_a_confusion_matrix_and_deltas() {
    let pack = "language = \"en\"\n[intent.damage]\nkeywords = [\"broken\"]\n[intent.praise]\nkeywords = [\"love\"]\n";
    let engine = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    let tsv = "damage\tit is broken\ndamage\tit is cracked\npraise\tlove it\nnone\tbroken promises, love\n";
    let corpus = Corpus::parse("c.tsv", tsv, &engine).unwrap();
    let r = evaluate(&engine, &corpus, &Context::default());
    assert_eq!(r.confusion["damage"]["damage"], 1);
    assert_eq!(r.confusion["damage"]["none"], 1);
    assert_eq!(r.confusion["none"]["praise"], 1);
    assert_eq!(r.per_intent["damage"].recall, 0.5);
    assert_eq!(r.headline.none_false_positive_rate, 1.0);
    let better =
        Corpus::parse("c.tsv", "damage\tit is broken\npraise\tlove it\n", &engine).unwrap();
    let d = evaluate(&engine, &better, &Context::default()).delta(&r);
    assert!(
        d.headline.micro_f1 > 0.0
            && d.per_intent_f1["damage"] > 0.0
            && d.headline.none_false_positive_rate < 0.0
    );
}
