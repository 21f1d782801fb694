//! How fast the engine is, side by side with its floor and a hand-written baseline, in one
//! process on the same messages (the fixtures of `benches/data/`).
//!
//! ```text
//! cargo run --release --example throughput              # a readable table
//! cargo run --release --example throughput -- --json    # one JSON line
//! cargo run --release --example throughput -- --dump DIR  # write the peer's inputs (benches/peers/)
//! ```
//!
//! Every figure is the best of a few interleaved rounds, so that a ratio (classify over raw
//! scan) compares runs made under the same load. See the README's "Performance" section.

#[path = "../benches/support/mod.rs"]
mod support;

use replykit::{Context, Engine};
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::{Duration, Instant};

const HELP: &str = "\
throughput: measure classify/suggest against the raw automaton scan and a naive loop

USAGE: throughput [--json] [--quick] [--dump DIR]

OPTIONS:
  --json        print one JSON object on one line instead of a table
  --quick       shorter rounds (noisier; for smoke tests)
  --dump DIR    write the messages and keyword sets the flashtext peer reads, then exit
  -h, --help    this text";

/// Rounds per measurement; the best round counts (the least disturbed by other load).
const ROUNDS: usize = 3;

fn main() {
    let (mut json, mut quick, mut dump) = (false, false, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--quick" => quick = true,
            "--dump" => dump = Some(args.next().unwrap_or_else(|| fail("--dump needs a folder"))),
            "-h" | "--help" => {
                println!("{HELP}");
                return;
            }
            other => fail(&format!("unknown option {other} (see --help)")),
        }
    }
    let budget = Duration::from_millis(if quick { 30 } else { 120 });
    let started = Instant::now();

    let zh = support::lines(support::ZH);
    let ko = support::lines(support::KO);
    let en = support::lines(support::EN);
    let mixed = support::mixed(&zh, &ko, &en);

    // The bundled engine, and what building it costs.
    let mut builds = Vec::new();
    let mut engine = None;
    for _ in 0..5 {
        let t = Instant::now();
        let e = Engine::builder().build().expect("bundled packs build");
        builds.push(ms(t.elapsed()));
        engine = Some(e);
    }
    let engine = engine.expect("built");
    let bundled_build_ms = min(&builds);
    // A bundled language's scan tables and patterns are built on first use: what the first
    // message of each language costs on a fresh engine (min of 5 fresh engines).
    let mut first_message_ms = serde_json::Map::new();
    for (tag, lines) in [("zh", &zh), ("ko", &ko), ("en", &en)] {
        let mut times = Vec::new();
        for _ in 0..5 {
            let fresh = Engine::builder().build().expect("bundled packs build");
            let t = Instant::now();
            fresh.classify(lines[0], &Context::default());
            times.push(ms(t.elapsed()));
        }
        first_message_ms.insert(tag.into(), round2(min(&times)).into());
    }
    let base: Vec<&str> = engine.keywords().collect();

    if let Some(dir) = dump {
        dump_peer_inputs(&dir, &engine, &base, &zh);
        return;
    }

    let ctx = Context::default();
    check_answers(&engine, &zh, &ko, &en, &ctx);

    // Per language: classify, suggest and the raw scan, in interleaved rounds.
    let sets: [(&str, &[&str]); 4] = [("zh", &zh), ("ko", &ko), ("en", &en), ("mixed", &mixed)];
    let mut classify = json!({});
    let mut suggest = json!({});
    let mut raw = json!({});
    let mut over_raw = json!({});
    let mut bytes = json!({});
    // The raw scan of a message runs the automaton of its language, as classify does. The
    // mixed set interleaves zh, ko, en, so its n-th message is of the (n mod 3)-th language.
    let automaton = |tag: &str| engine.raw_scanner(tag).expect("bundled language");
    let per_language = [automaton("zh"), automaton("ko"), automaton("en")];
    assert_eq!(mixed.len() % 3, 0);
    for (i, (name, msgs)) in sets.into_iter().enumerate() {
        let (mut c, mut s, mut r) = (0f64, 0f64, 0f64);
        for _ in 0..ROUNDS {
            let mut n = 0usize;
            r = r.max(rate(msgs, budget, |m| {
                let language = if i < 3 { i } else { n % 3 };
                n += 1;
                per_language[language].count(m)
            }));
            c = c.max(rate(msgs, budget, |m| {
                engine.classify(m, &ctx).intents.len()
            }));
            s = s.max(rate(msgs, budget, |m| {
                engine.suggest(m, &ctx).replies.len()
            }));
        }
        classify[name] = json!(round0(c));
        suggest[name] = json!(round0(s));
        raw[name] = json!(round0(r));
        over_raw[name] = json!(round2(r / c));
        let avg = msgs.iter().map(|m| m.len()).sum::<usize>() as f64 / msgs.len() as f64;
        bytes[name] = json!(round2(avg));
    }

    // Scaling: synthetic Chinese packs of 1k, 10k and 100k keywords over the same messages.
    let mut scaling = json!({});
    let mut scaled_rates = Vec::new();
    let mut naive = 0.0;
    let mut classify_10k = 0.0;
    for (label, n) in [("1k", 1_000), ("10k", 10_000), ("100k", 100_000)] {
        let keywords = support::synthetic_keywords(&base, n);
        let pack = support::synthetic_pack(&keywords);
        // Min of 3 builds, as the bundled build is (the first of a process runs on a cold
        // allocator and caches: reported beside it).
        let mut builds = Vec::new();
        let mut e = None;
        for _ in 0..3 {
            let t = Instant::now();
            e = Some(support::build_synthetic(&keywords, &pack));
            builds.push(ms(t.elapsed()));
        }
        let e = e.expect("built");
        let (build_ms, first_build_ms) = (min(&builds), builds[0]);
        let automaton = e.raw_scanner("zh").expect("a zh pack");
        let (mut c, mut r) = (0f64, 0f64);
        for _ in 0..ROUNDS {
            r = r.max(rate(&zh, budget, |m| automaton.count(m)));
            c = c.max(rate(&zh, budget, |m| e.classify(m, &ctx).intents.len()));
        }
        scaled_rates.push(c);
        scaling[label] = json!({
            "keywords": e.keywords().count(),
            "classify_msgs_per_sec": round0(c),
            "raw_scan_msgs_per_sec": round0(r),
            "classify_over_raw_scan": round2(r / c),
            "build_ms": round2(build_ms),
            "first_build_ms": round2(first_build_ms),
            "automaton_bytes": automaton.memory_usage(),
        });
        if n == 10_000 {
            classify_10k = c;
            // What one would write by hand: every keyword, `contains`, every message. Slow, so
            // over the first few hundred messages only.
            let few = &zh[..zh.len().min(if quick { 60 } else { 300 })];
            let keywords: Vec<&str> = keywords.iter().map(String::as_str).collect();
            for _ in 0..if quick { 1 } else { 2 } {
                naive = f64::max(
                    naive,
                    rate(few, budget, |m| {
                        keywords.iter().filter(|k| m.contains(**k)).count()
                    }),
                );
            }
        }
    }

    // Long messages: cost must be linear in length.
    let mut long_engine = Engine::builder();
    long_engine.max_message_bytes(16 << 20);
    let long_engine = long_engine.build().expect("bundled packs build");
    let one = support::long_message(&mixed, 1 << 20);
    let eight = support::long_message(&mixed, 8 << 20);
    let mut t1 = f64::MAX;
    let mut t8 = f64::MAX;
    for _ in 0..if quick { 1 } else { ROUNDS } {
        t1 = t1.min(time_ms(|| long_engine.classify(&one, &ctx).intents.len()));
        t8 = t8.min(time_ms(|| long_engine.classify(&eight, &ctx).intents.len()));
    }

    // Where the time goes, per stage (timers between the stages: a little slower than above).
    let mut stages = json!({});
    for (name, msgs) in [("zh", &zh), ("ko", &ko), ("en", &en)] {
        let _ = engine.profile(msgs, &ctx);
        stages[name] =
            serde_json::to_value(engine.profile(msgs, &ctx)).expect("a profile serializes");
    }
    // The flashtext peer's rate, if its script ran in this session (benches/peers/).
    let flashtext = std::fs::read_to_string("target/flashtext_peer.json")
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t.lines().last()?).ok())
        .and_then(|v| v["10k"]["msgs_per_sec"].as_f64());

    let report = json!({
        "stages_ns_per_msg": stages,
        "flashtext_10k_msgs_per_sec": flashtext.map(round0),
        "classify_over_flashtext_10k": flashtext.map(|f| round2(classify_10k / f)),
        "messages": {"zh": zh.len(), "ko": ko.len(), "en": en.len(), "mixed": mixed.len()},
        "avg_message_bytes": bytes,
        "bundled_keywords": base.len(),
        "classify_msgs_per_sec": classify,
        "suggest_msgs_per_sec": suggest,
        "raw_scan_msgs_per_sec": raw,
        "classify_over_raw_scan": over_raw,
        "naive_keywords": 10_000,
        "naive_msgs_per_sec": round0(naive),
        "speedup_vs_naive": round0(classify_10k / naive),
        "scaling": scaling,
        "slowdown_1k_to_100k": round2(scaled_rates[0] / scaled_rates[2]),
        "bundled_build_ms": round2(bundled_build_ms),
        "first_message_ms": first_message_ms,
        "long_message": {
            "1mb_ms": round2(t1),
            "8mb_ms": round2(t8),
            "ratio": round2(t8 / t1),
        },
        "threads": 1,
        "seconds": round2(started.elapsed().as_secs_f64()),
    });
    if json {
        println!("{report}");
    } else {
        print_table(&report);
    }
}

/// Messages per second of `f` over `msgs`, in whole passes until `budget` has passed.
fn rate(msgs: &[&str], budget: Duration, mut f: impl FnMut(&str) -> usize) -> f64 {
    let mut done = 0usize;
    let mut sink = 0usize;
    let t = Instant::now();
    loop {
        for m in msgs {
            sink = sink.wrapping_add(f(black_box(m)));
        }
        done += msgs.len();
        let elapsed = t.elapsed();
        if elapsed >= budget {
            black_box(sink);
            return done as f64 / elapsed.as_secs_f64();
        }
    }
}

fn time_ms(f: impl FnOnce() -> usize) -> f64 {
    let t = Instant::now();
    black_box(f());
    ms(t.elapsed())
}

/// A throughput run that measures wrong answers measures nothing: check a few first.
fn check_answers(engine: &Engine, zh: &[&str], ko: &[&str], en: &[&str], ctx: &Context) {
    for (lang, msgs) in [("zh", zh), ("ko", ko), ("en", en)] {
        let mut with_intent = 0;
        for m in msgs {
            let c = engine.classify(m, ctx);
            assert_eq!(&*c.language, lang, "{m}");
            with_intent += usize::from(!c.intents.is_empty());
        }
        assert!(
            with_intent * 2 > msgs.len(),
            "{lang}: only {with_intent} of {} fixture messages found an intent",
            msgs.len()
        );
    }
}

/// Writes what `benches/peers/flashtext_peer.py` reads: the Chinese messages and the keyword
/// sets (the bundled engine's, and the 10k-keyword synthetic pack's), one per line.
fn dump_peer_inputs(dir: &str, engine: &Engine, base: &[&str], zh: &[&str]) {
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| fail(&format!("{}: {e}", dir.display())));
    let write = |name: &str, lines: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        eprintln!("wrote {}", path.display());
    };
    write("messages_zh.txt", &mut zh.iter().copied());
    write("keywords_bundled.txt", &mut engine.keywords());
    // The 10k pack's keywords and its negators: the keywords of its automaton.
    let keywords = support::synthetic_keywords(base, 10_000);
    let mut all = keywords.iter().map(String::as_str).chain(support::NEGATORS);
    write("keywords_10k.txt", &mut all);
}

fn print_table(r: &Value) {
    println!(
        "{:<8} {:>14} {:>14} {:>14} {:>16}",
        "msgs/s", "classify", "suggest", "raw scan", "classify/raw"
    );
    for lang in ["zh", "ko", "en", "mixed"] {
        println!(
            "{lang:<8} {:>14} {:>14} {:>14} {:>15}x",
            cell(&r["classify_msgs_per_sec"][lang]),
            cell(&r["suggest_msgs_per_sec"][lang]),
            cell(&r["raw_scan_msgs_per_sec"][lang]),
            cell(&r["classify_over_raw_scan"][lang])
        );
    }
    println!();
    println!(
        "naive contains loop, 10k keywords: {} msgs/s; classify is {}x faster",
        r["naive_msgs_per_sec"], r["speedup_vs_naive"]
    );
    println!();
    println!(
        "{:<6} {:>9} {:>14} {:>14} {:>13} {:>10} {:>16}",
        "pack",
        "keywords",
        "classify/s",
        "raw scan/s",
        "classify/raw",
        "build ms",
        "automaton bytes"
    );
    for label in ["1k", "10k", "100k"] {
        let s = &r["scaling"][label];
        println!(
            "{label:<6} {:>9} {:>14} {:>14} {:>12}x {:>10} {:>16}",
            cell(&s["keywords"]),
            cell(&s["classify_msgs_per_sec"]),
            cell(&s["raw_scan_msgs_per_sec"]),
            cell(&s["classify_over_raw_scan"]),
            cell(&s["build_ms"]),
            cell(&s["automaton_bytes"])
        );
    }
    println!(
        "slowdown 1k -> 100k keywords: {}x",
        r["slowdown_1k_to_100k"]
    );
    println!();
    println!("bundled engine build: {} ms", r["bundled_build_ms"]);
    let first = &r["first_message_ms"];
    println!(
        "first message on a fresh engine (builds its language's scan tables): zh {} ms, ko {} ms, en {} ms",
        first["zh"], first["ko"], first["en"]
    );
    let l = &r["long_message"];
    println!(
        "long message: 1 MB {} ms, 8 MB {} ms (ratio {})",
        l["1mb_ms"], l["8mb_ms"], l["ratio"]
    );
    println!("({} s)", r["seconds"]);
}

/// A JSON number as text, so that `format!` widths apply (a `Value` ignores them).
fn cell(v: &Value) -> String {
    v.to_string()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn min(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::MAX, f64::min)
}

/// Messages per second and speedups: whole numbers.
fn round0(x: f64) -> u64 {
    x.round() as u64
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}
