//! Measure the engine on labeled corpora (the TSV format of `../shared/taxonomy.md`).
//!
//! ```text
//! evaluate FILE.tsv [FILE.tsv ...] [--json] [--errors] [--rules PATH]... [--no-bundled] [--lang L]
//! ```

mod common;

use common::{PackFlags, eval, fail};
use replykit::Context;
use std::collections::BTreeMap;

const HELP: &str = "\
evaluate: score the engine on labeled corpora (labels<TAB>text per line)

USAGE: evaluate FILE.tsv [FILE.tsv ...] [OPTIONS]

OPTIONS:
  --json          print the report as one JSON object on the last line
  --errors        list every misclassified message (readable view)
  --rules PATH    a rule pack file or folder, layered over the bundled ones (repeatable)
  --no-bundled    do not load the bundled packs
  --lang L        read every message in language L instead of detecting it
  -h, --help      this text";

fn main() {
    let mut packs = PackFlags::default();
    let (mut json, mut all_errors) = (false, false);
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
            "--errors" => all_errors = true,
            flag if flag.starts_with('-') => fail(&format!("unknown option {flag} (see --help)")),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        fail("give at least one corpus file (see --help)");
    }
    let engine = packs.build(&packs.builder());
    let mut examples = Vec::new();
    for f in &files {
        let content = std::fs::read_to_string(f).unwrap_or_else(|e| fail(&format!("{f}: {e}")));
        examples.extend(eval::parse_corpus(f, &content).unwrap_or_else(|e| fail(&e)));
    }
    let mut ctx = Context::default();
    ctx.language = packs.lang.clone();
    let report = eval::evaluate(&engine, &examples, &ctx);

    if json {
        let per_intent: BTreeMap<&str, serde_json::Value> = report
            .per_intent
            .iter()
            .map(|(k, s)| {
                let v = serde_json::json!({
                    "precision": round(s.precision), "recall": round(s.recall),
                    "f1": round(s.f1), "support": s.support,
                });
                (*k, v)
            })
            .collect();
        let out = serde_json::json!({
            "messages": report.messages,
            "micro_f1": round(report.micro_f1),
            "micro_precision": round(report.micro_precision),
            "micro_recall": round(report.micro_recall),
            "macro_f1": round(report.macro_f1),
            "top1_accuracy": round(report.top1_accuracy),
            "none_false_positive_rate": round(report.none_false_positive_rate),
            "per_intent": per_intent,
        });
        println!("{out}");
        return;
    }

    println!(
        "{:<24} {:>9} {:>7} {:>7} {:>8}",
        "intent", "precision", "recall", "f1", "support"
    );
    for (intent, s) in &report.per_intent {
        println!(
            "{intent:<24} {:>9.3} {:>7.3} {:>7.3} {:>8}",
            s.precision, s.recall, s.f1, s.support
        );
    }
    println!();
    println!("messages                 {}", report.messages);
    println!(
        "micro precision/recall   {:.3} / {:.3}",
        report.micro_precision, report.micro_recall
    );
    println!("micro F1                 {:.3}", report.micro_f1);
    println!("macro F1                 {:.3}", report.macro_f1);
    println!("top-1 accuracy           {:.3}", report.top1_accuracy);
    println!(
        "none false positive rate {:.3}",
        report.none_false_positive_rate
    );

    // Confusions: (expected, got) pairs by count, with examples; `none` stands for "nothing".
    let mut confusions: BTreeMap<(String, String), Vec<&eval::Example>> = BTreeMap::new();
    for (ex, found) in examples.iter().zip(&report.predictions) {
        let found: Vec<&String> = found
            .iter()
            .filter(|f| eval::INTENTS.contains(&f.as_str()))
            .collect();
        let missed: Vec<&String> = ex.labels.iter().filter(|l| !found.contains(l)).collect();
        let extra: Vec<&String> = found
            .iter()
            .copied()
            .filter(|f| !ex.labels.contains(f))
            .collect();
        let none = "none".to_string();
        for m in &missed {
            let got = extra.first().copied().unwrap_or(&none);
            confusions
                .entry(((*m).clone(), got.clone()))
                .or_default()
                .push(ex);
        }
        if missed.is_empty() {
            for e in &extra {
                confusions
                    .entry(("(not labeled)".into(), (*e).clone()))
                    .or_default()
                    .push(ex);
            }
        }
    }
    let mut worst: Vec<_> = confusions.into_iter().collect();
    worst.sort_by_key(|w| std::cmp::Reverse(w.1.len()));
    if !worst.is_empty() {
        println!("\nworst mistakes (expected -> got: count, examples)");
    }
    for ((expected, got), exs) in worst.iter().take(if all_errors { usize::MAX } else { 12 }) {
        println!("  {expected} -> {got}: {}", exs.len());
        for ex in exs.iter().take(if all_errors { usize::MAX } else { 3 }) {
            println!("      {}:{}  {}", ex.file, ex.line, ex.text);
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
