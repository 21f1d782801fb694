//! Mine unlabeled messages for what the packs miss: frequent n-grams of the messages the
//! engine finds no intent in, with a suggested intent and a TOML snippet each, and the most
//! frequent unmatched questions as candidate quick replies. A thin shell over
//! `replykit::eval::mine`.
//!
//! ```text
//! mine FILE... [--min-count N] [--top N] [--json] [--rules PATH]... [--no-bundled]
//! ```

mod common;

use common::{PackFlags, fail, parse, value};
use replykit::eval::mine;
use std::time::Instant;

const HELP: &str = "\
mine: find the cue words buyers use that the packs miss

USAGE: mine FILE... [OPTIONS]
       (FILE: one message per line, or a labeled TSV: the text after the first tab is read;
        - reads stdin)

OPTIONS:
  --min-count N   an n-gram must occur in at least N unmatched messages (default 3)
  --top N         show the N best candidates and quick replies (default 40)
  --json          one JSON object on the last line
  --rules PATH    a rule pack file or folder, layered over the bundled ones (repeatable)
  --no-bundled    do not load the bundled packs
  -h, --help      this text";

fn main() {
    let mut packs = PackFlags::default();
    let (mut json, mut min_count, mut top) = (false, 3usize, 40usize);
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
            "--min-count" => min_count = parse("--min-count", &value(&arg, &mut args)),
            "--top" => top = parse("--top", &value(&arg, &mut args)),
            "-" => files.push(arg),
            flag if flag.starts_with('-') => fail(&format!("unknown option {flag} (see --help)")),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        fail("give at least one file of messages (see --help)");
    }
    let engine = packs.build(&packs.builder());
    let started = Instant::now();
    let mut messages: Vec<String> = Vec::new();
    for f in &files {
        let content = if f == "-" {
            std::io::read_to_string(std::io::stdin())
                .unwrap_or_else(|e| fail(&format!("stdin: {e}")))
        } else {
            std::fs::read_to_string(f).unwrap_or_else(|e| fail(&format!("{f}: {e}")))
        };
        for line in content.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let text = line.split_once('\t').map_or(line, |(_, t)| t);
            messages.push(text.to_string());
        }
    }
    let mut mined = mine(&engine, &messages, min_count);
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "mine: {} messages, {} unmatched, {} candidates, {} questions in {seconds:.2} s",
        mined.messages,
        mined.unmatched,
        mined.candidates.len(),
        mined.quick_replies.len()
    );
    mined.candidates.truncate(top);
    mined.quick_replies.truncate(top);
    if json {
        let mut out = serde_json::to_value(&mined).expect("mined results serialize");
        out["seconds"] = serde_json::json!((seconds * 1e3).round() / 1e3);
        println!("{out}");
        return;
    }
    println!(
        "{:<20} {:>9} {:>7} {:>8}  suggested intent (co-occurring)",
        "n-gram", "unmatched", "matched", "distinct"
    );
    for c in &mined.candidates {
        let co: Vec<String> = c
            .cooccurring
            .iter()
            .map(|(i, n)| format!("{i} {n}"))
            .collect();
        let suggested = c.suggested_intent.as_deref().unwrap_or("-");
        println!(
            "{:<20} {:>9} {:>7} {:>8.3}  {suggested} ({})",
            c.ngram,
            c.unmatched,
            c.matched,
            c.distinctiveness,
            co.join(", ")
        );
        for e in c.examples.iter().take(2) {
            println!(
                "{:<20}   e.g. {}",
                "",
                e.chars().take(80).collect::<String>()
            );
        }
    }
    if let Some(c) = mined
        .candidates
        .iter()
        .find(|c| c.suggested_intent.is_some())
    {
        println!(
            "\nsnippet for the best candidate with a suggested intent:\n{}",
            c.toml
        );
    }
    println!("\nfrequent unmatched questions (candidate quick replies)");
    for q in &mined.quick_replies {
        println!(
            "{:>6}  {}   e.g. {}",
            q.count,
            q.form,
            q.example.chars().take(60).collect::<String>()
        );
    }
}
