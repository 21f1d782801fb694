//! Criterion benchmarks of the engine (issue 4):
//!
//! - `build/bundled`, `build/{1k,10k,100k}`: building the bundled engine, and engines over
//!   synthetic Chinese packs of that many keywords;
//! - `classify/{zh,ko,en}`, `suggest/{zh,ko,en}`: the fixture messages of `benches/data/`
//!   (6,000 per language), throughput in messages;
//! - `raw_scan/{zh,ko,en}`: the engine's own automaton over the same messages, the floor.
//!
//! Each benchmark checks its answers, so a bench run is also a correctness run:
//! `cargo bench -- --test` runs every one once. `cargo run --release --example throughput`
//! gives the same figures side by side in one table.

#[path = "support/mod.rs"]
mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use replykit::{Context, Engine, default_engine};
use std::hint::black_box;

fn languages() -> [(&'static str, Vec<&'static str>); 3] {
    [
        ("zh", support::lines(support::ZH)),
        ("ko", support::lines(support::KO)),
        ("en", support::lines(support::EN)),
    ]
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("bundled", |b| {
        b.iter(|| {
            let engine = Engine::builder().build().expect("bundled packs build");
            assert_eq!(engine.languages().count(), 3);
            engine
        })
    });
    let base: Vec<&str> = default_engine().keywords().collect();
    for (label, n) in [("1k", 1_000), ("10k", 10_000), ("100k", 100_000)] {
        let keywords = support::synthetic_keywords(&base, n);
        let pack = support::synthetic_pack(&keywords);
        group.bench_function(label, |b| {
            b.iter(|| {
                let engine = support::build_synthetic(&keywords, &pack);
                // The pack's keywords plus its three negators.
                assert_eq!(engine.keywords().count(), n + 3);
                engine
            })
        });
    }
    group.finish();
}

fn classify(c: &mut Criterion) {
    let engine = default_engine();
    let ctx = Context::default();
    let mut group = c.benchmark_group("classify");
    for (lang, msgs) in languages() {
        // What the answers must be: every message read in its language, and the same number
        // of messages with an intent as a first, unmeasured pass found (most of them).
        let expected = msgs
            .iter()
            .filter(|m| {
                let c = engine.classify(m, &ctx);
                assert_eq!(&*c.language, lang, "{m}");
                !c.intents.is_empty()
            })
            .count();
        assert!(
            expected * 2 > msgs.len(),
            "{lang}: {expected} of {}",
            msgs.len()
        );
        group.throughput(Throughput::Elements(msgs.len() as u64));
        group.bench_function(lang, |b| {
            b.iter(|| {
                let found = msgs
                    .iter()
                    .filter(|m| !engine.classify(black_box(m), &ctx).intents.is_empty())
                    .count();
                assert_eq!(found, expected);
            })
        });
    }
    group.finish();
}

fn suggest(c: &mut Criterion) {
    let engine = default_engine();
    let ctx = Context::default();
    let mut group = c.benchmark_group("suggest");
    for (lang, msgs) in languages() {
        let expected: usize = msgs
            .iter()
            .map(|m| {
                let s = engine.suggest(m, &ctx);
                assert!(
                    s.classification.intents.is_empty() || !s.replies.is_empty(),
                    "{m}"
                );
                assert!(s.replies.iter().all(|r| !r.text.contains('{')), "{m}");
                s.replies.len()
            })
            .sum();
        group.throughput(Throughput::Elements(msgs.len() as u64));
        group.bench_function(lang, |b| {
            b.iter(|| {
                let replies: usize = msgs
                    .iter()
                    .map(|m| engine.suggest(black_box(m), &ctx).replies.len())
                    .sum();
                assert_eq!(replies, expected);
            })
        });
    }
    group.finish();
}

fn raw_scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("raw_scan");
    for (lang, msgs) in languages() {
        let automaton = default_engine()
            .raw_scanner(lang)
            .expect("bundled language");
        let expected: usize = msgs.iter().map(|m| automaton.count(m)).sum();
        group.throughput(Throughput::Elements(msgs.len() as u64));
        group.bench_function(lang, |b| {
            b.iter(|| {
                let found: usize = msgs.iter().map(|m| automaton.count(black_box(m))).sum();
                assert_eq!(found, expected);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, build, classify, suggest, raw_scan);
criterion_main!(benches);
