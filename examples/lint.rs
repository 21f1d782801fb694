//! Lint rule packs: what a pack author should fix though the packs load.
//!
//! ```text
//! lint [--rules PATH]... [--no-bundled] [--json] [--deny warnings]
//! ```

mod common;

use common::{PackFlags, fail, value};
use std::collections::BTreeMap;
use std::process::exit;

const HELP: &str = "\
lint: warnings for rule pack authors (keywords listed twice or in two intents, dead copies,
ungated patterns, intents without replies or examples, curt replies, Korean particles
written for one case, contradicting hints)

USAGE: lint [OPTIONS]        (no --rules: the bundled packs)

OPTIONS:
  --rules PATH      a rule pack file or folder, layered over the bundled ones (repeatable)
  --no-bundled      do not load the bundled packs
  --json            one JSON object on the last line: {\"count\": N, \"warnings\": [...]}
  --deny warnings   exit 1 if there is any warning
  -h, --help        this text

Exit status: 0 clean (or warnings allowed); 1 warnings with --deny warnings; 2 a pack does not load.";

fn main() {
    let mut packs = PackFlags::default();
    let (mut json, mut deny) = (false, false);
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
            "--deny" => match value(&arg, &mut args).as_str() {
                "warnings" => deny = true,
                other => fail(&format!("--deny {other}: only `--deny warnings` is known")),
            },
            flag => fail(&format!("unknown option {flag} (see --help)")),
        }
    }
    let warnings = packs
        .builder()
        .lint()
        .unwrap_or_else(|e| fail(&e.to_string()));
    if json {
        let out = serde_json::json!({ "count": warnings.len(), "warnings": warnings });
        println!("{out}");
    } else {
        for w in &warnings {
            println!("{w}");
        }
        let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
        for w in &warnings {
            *by_code.entry(w.code).or_default() += 1;
        }
        let summary: Vec<String> = by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
        match warnings.len() {
            0 => eprintln!("lint: no warnings"),
            n => eprintln!("lint: {n} warning(s): {}", summary.join(", ")),
        }
    }
    if deny && !warnings.is_empty() {
        exit(1);
    }
}
