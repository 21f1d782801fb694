//! Suggest replies and hints for buyer messages.
//!
//! ```text
//! suggest [OPTIONS] [MESSAGE]...
//! ```
//! With no MESSAGE, reads stdin, one message per line. See `--help`.

mod common;

use common::{PackFlags, fail, parse, value};
use replykit::{Context, Suggestion};
use serde::Serialize;
use std::io::{self, BufRead, BufWriter, Write};
use std::process::exit;

const HELP: &str = "\
suggest: classify buyer messages and suggest replies and policy hints

USAGE: suggest [OPTIONS] [MESSAGE]...
       (no MESSAGE: read stdin, one message per line)

OPTIONS:
  --json                  one JSON object per message per line
  --top N                 at most N replies per message (default 3)
  --lang zh|ko|en         read messages in this language instead of detecting it
  --rules PATH            a rule pack file or a folder of packs, layered over the bundled
                          ones (repeatable)
  --no-bundled            do not load the bundled zh/ko/en packs
  --shop NAME, --agent NAME, --buyer NAME
                          names for the reply placeholders
  --repeat-customer       the buyer has bought before
  --vip                   the buyer is a VIP
  --order-status S        unpaid, paid, shipped or delivered
  --days-since-shipped N  days since the order shipped
  --order-amount X        the order's amount
  -h, --help              this text

Exit status: 0 ok; 1 some stdin lines were not UTF-8 (reported and skipped); 2 bad flag or rule pack.";

/// One output line of `--json`: the message and what the engine suggests for it.
#[derive(Serialize)]
struct JsonLine<'a> {
    message: &'a str,
    #[serde(flatten)]
    suggestion: &'a Suggestion,
}

fn main() {
    let mut packs = PackFlags::default();
    let mut ctx = Context::default();
    let mut json = false;
    let mut top = 3usize;
    let mut messages = Vec::new();
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
            "--top" => top = parse("--top", &value(&arg, &mut args)),
            "--shop" => ctx.shop = Some(value(&arg, &mut args)),
            "--agent" => ctx.agent = Some(value(&arg, &mut args)),
            "--buyer" => ctx.buyer = Some(value(&arg, &mut args)),
            "--repeat-customer" => ctx.repeat_customer = true,
            "--vip" => ctx.vip = true,
            "--order-status" => {
                ctx.order_status = Some(parse("--order-status", &value(&arg, &mut args)))
            }
            "--days-since-shipped" => {
                ctx.days_since_shipped =
                    Some(parse("--days-since-shipped", &value(&arg, &mut args)))
            }
            "--order-amount" => {
                let amount: f64 = parse("--order-amount", &value(&arg, &mut args));
                if !amount.is_finite() || amount < 0.0 {
                    fail("--order-amount must be a number >= 0");
                }
                ctx.order_amount = Some(amount);
            }
            "--" => messages.extend(args.by_ref()),
            flag if flag.starts_with("--") || (flag.starts_with('-') && flag.len() == 2) => {
                fail(&format!("unknown option {flag} (see --help)"))
            }
            _ => messages.push(arg),
        }
    }
    ctx.language = packs.lang.clone();
    let mut builder = packs.builder();
    builder.max_replies(top);
    let engine = packs.build(&builder);

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut bad_lines = false;
    let answer = |message: &str, out: &mut BufWriter<io::StdoutLock>| {
        let s = engine.suggest(message, &ctx);
        let written = if json {
            serde_json::to_writer(
                &mut *out,
                &JsonLine {
                    message,
                    suggestion: &s,
                },
            )
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
        } else {
            write_readable(out, message, &s)
        };
        // A closed pipe (`suggest ... | head`) is a normal way to stop reading.
        if written.is_err() {
            exit(0);
        }
    };
    if messages.is_empty() {
        let stdin = io::stdin();
        for (n, line) in stdin.lock().split(b'\n').enumerate() {
            let mut bytes = line.unwrap_or_else(|e| fail(&format!("reading stdin: {e}")));
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            match String::from_utf8(bytes) {
                Ok(message) => answer(&message, &mut out),
                Err(_) => {
                    let _ = out.flush();
                    eprintln!("error: stdin line {}: not valid UTF-8, skipped", n + 1);
                    bad_lines = true;
                }
            }
        }
    } else {
        for m in &messages {
            answer(m, &mut out);
        }
    }
    let _ = out.flush();
    if bad_lines {
        exit(1);
    }
}

fn write_readable(out: &mut impl Write, message: &str, s: &Suggestion) -> io::Result<()> {
    writeln!(out, "message:  {message}")?;
    writeln!(
        out,
        "language: {}{}",
        s.language,
        if s.truncated { " (truncated)" } else { "" }
    )?;
    if s.intents.is_empty() {
        writeln!(out, "intents:  none")?;
    }
    for i in &s.intents {
        writeln!(out, "intent:   {} (score {})", i.intent, i.score)?;
        for e in &i.evidence {
            writeln!(
                out,
                "          {:?} at {}..{}  [{}]",
                e.text, e.start, e.end, e.rule
            )?;
        }
    }
    if !s.signals.is_empty() {
        let signals: Vec<&str> = s.signals.iter().map(|g| &**g).collect();
        writeln!(out, "signals:  {}", signals.join(", "))?;
    }
    for (n, r) in s.replies.iter().enumerate() {
        writeln!(out, "reply {}:  [{} {}] {}", n + 1, r.intent, r.id, r.text)?;
    }
    for h in &s.hints {
        writeln!(out, "hint:     ({}) {}: {}", h.priority, h.id, h.text)?;
    }
    writeln!(out)
}
