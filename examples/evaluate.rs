//! Measure the engine on labeled corpora (`labels<TAB>text` per line) and on the packs' own
//! examples; a thin shell over `replykit::eval`.
//!
//! ```text
//! evaluate [FILE.tsv ...] [--pack-examples] [--json] [--errors] [--explain]
//!          [--min-micro-f1 X] [--baseline REPORT.json] [--rules PATH]... [--no-bundled] [--lang L]
//! ```

mod common;

use common::{PackFlags, fail, parse, value};
use replykit::eval::{Corpus, Labeled, Report, Threads, evaluate, evaluate_threads};
use replykit::{Context, Engine, Verdict};
use std::collections::BTreeMap;
use std::process::exit;

const HELP: &str = "\
evaluate: score the engine on labeled corpora (labels<TAB>text per line)

USAGE: evaluate [FILE.tsv ...] [OPTIONS]

OPTIONS:
  --pack-examples     also score the examples the packs give ([intent.X] examples)
  --conversations F   score the labeled buyer turns of thread file F (JSON lines:
                      {\"conversation\", \"role\", \"text\", \"time\"?, \"labels\"?}), each read
                      with the thread before it (repeatable; replaces corpus files)
  --no-thread         with --conversations: read the same turns alone
  --json              print the report as one JSON object on the last line
  --errors            list every misclassified message (readable view)
  --explain           with each misclassified message, every candidate intent's evidence
                      and why it fired or not (implies --errors)
  --min-micro-f1 X    exit 1 if micro-F1 is below X (a CI gate)
  --baseline FILE     a report saved with --json: show what changed, per intent
  --rules PATH        a rule pack file or folder, layered over the bundled ones (repeatable)
  --no-bundled        do not load the bundled packs
  --lang L            read every message in language L instead of detecting it
  -h, --help          this text

Exit status: 0 ok; 1 below --min-micro-f1; 2 bad flag, corpus or rule pack.";

fn main() {
    let mut packs = PackFlags::default();
    let (mut json, mut errors, mut explain, mut pack_examples) = (false, false, false, false);
    let (mut conversations, mut no_thread) = (Vec::new(), false);
    let mut min_f1: Option<f64> = None;
    let mut baseline: Option<String> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if packs.take(&arg, &mut args) {
            continue;
        }
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{HELP}");
                return;
            }
            "--json" => json = true,
            "--errors" => errors = true,
            "--explain" => (errors, explain) = (true, true),
            "--pack-examples" => pack_examples = true,
            "--conversations" => conversations.push(value(&arg, &mut args)),
            "--no-thread" => no_thread = true,
            "--min-micro-f1" => min_f1 = Some(parse("--min-micro-f1", &value(&arg, &mut args))),
            "--baseline" => baseline = Some(value(&arg, &mut args)),
            flag if flag.starts_with('-') => fail(&format!("unknown option {flag} (see --help)")),
            _ => files.push(arg),
        }
    }
    if files.is_empty() && !pack_examples && conversations.is_empty() {
        fail("give a corpus file, --pack-examples or --conversations (see --help)");
    }
    if !conversations.is_empty() && (!files.is_empty() || pack_examples) {
        fail("--conversations scores threads only: give corpus files in another run");
    }
    let engine = packs.build(&packs.builder());
    let mut corpus = Corpus::default();
    for f in &files {
        let content = std::fs::read_to_string(f).unwrap_or_else(|e| fail(&format!("{f}: {e}")));
        corpus.extend(Corpus::parse(f, &content, &engine).unwrap_or_else(|e| fail(&e.to_string())));
    }
    if pack_examples {
        corpus.extend(Corpus::pack_examples(&engine));
    }
    let mut ctx = Context::default();
    ctx.language = packs.lang.clone();
    let report = if conversations.is_empty() {
        evaluate(&engine, &corpus, &ctx)
    } else {
        let mut threads = Threads::default();
        for f in &conversations {
            let content = std::fs::read_to_string(f).unwrap_or_else(|e| fail(&format!("{f}: {e}")));
            let t = Threads::parse(f, &content, &engine).unwrap_or_else(|e| fail(&e.to_string()));
            threads.turns.extend(t.turns);
        }
        corpus = threads.scored();
        evaluate_threads(&engine, &threads, &ctx, !no_thread)
    };
    let baseline: Option<Report> = baseline.map(|path| {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
        let last = text
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('{'))
            .unwrap_or("");
        serde_json::from_str(last)
            .unwrap_or_else(|e| fail(&format!("{path}: not a report saved with --json: {e}")))
    });

    // How many regex searches a message costs with these packs (the throughput budget is at
    // most one): rule authors see it next to the accuracy they buy with it.
    let texts: Vec<&str> = corpus.messages.iter().map(|m| m.text.as_str()).collect();
    let profile = engine.profile(&texts, &ctx);
    let regex_runs = profile.regex_runs;
    if json {
        let mut out = serde_json::to_value(&report).expect("a report serializes");
        out["regex_runs_per_message"] = regex_runs.into();
        if let Some(b) = &baseline {
            out["delta"] = serde_json::to_value(report.delta(b)).expect("a delta serializes");
        }
        println!("{out}");
    } else {
        print_table(&report, baseline.as_ref());
        println!("{:<25}{regex_runs:.2}", "regex runs / message");
        print_pattern_costs(&profile, texts.len());
        print_confusion(&report);
        print_mistakes(&engine, &ctx, &corpus.messages, &report, errors, explain);
    }
    if let Some(min) = min_f1 {
        if report.headline.micro_f1 < min {
            eprintln!(
                "evaluate: micro-F1 {:.4} is below --min-micro-f1 {min}",
                report.headline.micro_f1
            );
            exit(1);
        }
    }
}

fn print_table(report: &Report, baseline: Option<&Report>) {
    let delta = baseline.map(|b| report.delta(b));
    println!(
        "{:<24} {:>9} {:>7} {:>7} {:>8}{}",
        "intent",
        "precision",
        "recall",
        "f1",
        "support",
        if delta.is_some() { "   Δf1" } else { "" }
    );
    for (intent, s) in &report.per_intent {
        if s.support == 0 && s.predicted == 0 {
            continue;
        }
        let d = delta.as_ref().map_or(String::new(), |d| {
            format!(
                " {:>+6.3}",
                d.per_intent_f1.get(intent).copied().unwrap_or(0.0)
            )
        });
        println!(
            "{intent:<24} {:>9.3} {:>7.3} {:>7.3} {:>8}{d}",
            s.precision, s.recall, s.f1, s.support
        );
    }
    let show = |name: &str, value: f64, change: Option<f64>| {
        let change = change.map_or(String::new(), |c| format!("  ({c:+.3})"));
        println!("{name:<25}{value:.3}{change}");
    };
    println!();
    println!("{:<25}{}", "messages", report.messages);
    show("micro precision", report.micro_precision, None);
    show("micro recall", report.micro_recall, None);
    show(
        "micro F1",
        report.headline.micro_f1,
        delta.as_ref().map(|d| d.headline.micro_f1),
    );
    show(
        "macro F1",
        report.headline.macro_f1,
        delta.as_ref().map(|d| d.headline.macro_f1),
    );
    show(
        "top-1 accuracy",
        report.headline.top1_accuracy,
        delta.as_ref().map(|d| d.headline.top1_accuracy),
    );
    show(
        "none false positive rate",
        report.headline.none_false_positive_rate,
        delta.as_ref().map(|d| d.headline.none_false_positive_rate),
    );
}

/// The regex patterns that ran most often: where a rule author can save the most time (a
/// pattern that runs often and rarely matches wants a tighter literal, or a `near` rule).
fn print_pattern_costs(profile: &replykit::Profile, messages: usize) {
    let share = |n: u64| n as f64 * 100.0 / messages.max(1) as f64;
    for p in profile.patterns.iter().take(5) {
        println!(
            "  {:>5.1}% ran, {:>5.1}% matched  {}",
            share(p.runs),
            share(p.matches),
            p.rule
        );
    }
}

/// The confusion matrix over the labels and predictions that occur, rows labeled, columns got.
fn print_confusion(report: &Report) {
    let mut names: Vec<&str> = report.confusion.keys().map(String::as_str).collect();
    for row in report.confusion.values() {
        names.extend(row.keys().map(String::as_str));
    }
    names.sort_unstable();
    names.dedup();
    let short = |n: &str| n.chars().take(6).collect::<String>();
    println!("\nconfusion (rows: labeled, columns: predicted but not labeled; diagonal: found)");
    print!("{:<24}", "");
    for n in &names {
        print!(" {:>6}", short(n));
    }
    println!();
    for row in &names {
        let Some(cells) = report.confusion.get(*row) else {
            continue;
        };
        print!("{row:<24}");
        for col in &names {
            match cells.get(*col) {
                Some(n) => print!(" {n:>6}"),
                None => print!(" {:>6}", "."),
            }
        }
        println!();
    }
}

/// The worst (expected, got) pairs with examples; every error with `all`, with each candidate's
/// evidence with `explain`.
fn print_mistakes(
    engine: &Engine,
    ctx: &Context,
    messages: &[Labeled],
    report: &Report,
    all: bool,
    explain: bool,
) {
    let mut confusions: BTreeMap<(String, String), Vec<&Labeled>> = BTreeMap::new();
    for (m, found) in messages.iter().zip(&report.predictions) {
        let missed: Vec<&String> = m.labels.iter().filter(|l| !found.contains(l)).collect();
        let extra: Vec<&String> = found.iter().filter(|f| !m.labels.contains(f)).collect();
        for miss in &missed {
            let got = extra.first().map_or("none".to_string(), |e| e.to_string());
            confusions
                .entry((miss.to_string(), got))
                .or_default()
                .push(m);
        }
        if missed.is_empty() {
            for e in &extra {
                confusions
                    .entry(("(not labeled)".into(), e.to_string()))
                    .or_default()
                    .push(m);
            }
        }
    }
    let mut worst: Vec<_> = confusions.into_iter().collect();
    worst.sort_by_key(|w| std::cmp::Reverse(w.1.len()));
    if !worst.is_empty() {
        println!("\nworst mistakes (expected -> got: count, examples)");
    }
    for ((expected, got), list) in worst.iter().take(if all { usize::MAX } else { 12 }) {
        println!("  {expected} -> {got}: {}", list.len());
        for m in list.iter().take(if all { usize::MAX } else { 3 }) {
            println!("      {}  {}", m.place, m.text);
            if explain {
                explain_message(engine, ctx, &m.text);
            }
        }
    }
}

fn explain_message(engine: &Engine, ctx: &Context, text: &str) {
    let e = engine.explain(text, ctx);
    if e.candidates.is_empty() {
        println!("          (no evidence for any intent)");
    }
    for c in &e.candidates {
        let verdict = match &c.verdict {
            Verdict::Fired => "fired".to_string(),
            Verdict::BelowThreshold => format!("below threshold {}", c.threshold),
            Verdict::Suppressed { by } => format!("suppressed by {by}"),
            other => format!("{other:?}"),
        };
        println!("          {} {} ({verdict})", c.intent.id, c.intent.score);
        for ev in &c.intent.evidence {
            let fuzzy = if ev.fuzzy { " fuzzy" } else { "" };
            println!(
                "            {:+} {:?} [{}{fuzzy}]",
                ev.weight,
                ev.text(text),
                ev.rule
            );
        }
    }
}
