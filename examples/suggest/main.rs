//! Suggest replies and hints for buyer messages.
//!
//! ```text
//! suggest [OPTIONS] [MESSAGE]...
//! ```
//! With no MESSAGE, reads stdin, one message per line. See `--help`.
//!
//! `--jobs N` answers stdin on N threads: lines are read in chunks, each chunk is answered in
//! parallel and written in input order while the next chunk is read, so memory stays bounded
//! by a few chunks however long the input is.
//!
//! `--jsonl` reads one JSON object per line (a turn of a thread, with its context) and keeps
//! threads by conversation id (`jsonl.rs`); `--event NAME` renders what the shop sends first
//! on an order event.

#[path = "../common/mod.rs"]
mod common;
mod jsonl;
mod parallel;

use common::{PackFlags, fail, parse, value};
use replykit::{Context, Engine, Proactive, Suggestion};
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
  --shop NAME, --agent NAME, --buyer NAME, --courier NAME
                          names for the reply placeholders
  --var NAME=VALUE        a value for any other placeholder (repeatable), e.g.
                          --var tracking=SF1234
  --currency SYMBOL       the currency amounts are written with (default: the language's)
  --repeat-customer       the buyer has bought before
  --vip                   the buyer is a VIP
  --order-status S        unpaid, paid, shipped or delivered
  --days-since-shipped N  days since the order shipped
  --order-amount X        the order's amount
  --jobs N                answer stdin on N threads (0: one per core), output still in
                          input order (default 1)
  --jsonl                 read stdin as JSON lines, one turn each:
                          {\"text\": \"...\", \"conversation\": \"c1\", \"role\": \"buyer\"|\"seller\",
                           \"time\": UNIX_SECONDS, and any context field (\"order_status\", \"vip\",
                           \"buyer\", \"vars\", ...)}; turns of one conversation are read as a
                          thread; one JSON line out per line in, flushed at once
  --max-threads N         with --jsonl: threads kept at once (default 10000); the least
                          recently used is dropped first
  --event NAME            what to send first on an order event (unpaid, not_shipped, shipped,
                          in_transit, delivered, case_closed), with the context flags
  -h, --help              this text

Exit status: 0 ok; 1 some stdin lines were not UTF-8 or (--jsonl) not a valid turn (each
reported, the rest answered); 2 bad flag, rule pack or event.";

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
    let mut jobs = 1usize;
    let (mut jsonl, mut max_threads, mut event) = (false, 10_000usize, None::<String>);
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
            "--jobs" => jobs = parse("--jobs", &value(&arg, &mut args)),
            "--jsonl" => jsonl = true,
            "--max-threads" => max_threads = parse("--max-threads", &value(&arg, &mut args)),
            "--event" => event = Some(value(&arg, &mut args)),
            "--shop" => ctx.shop = Some(value(&arg, &mut args)),
            "--agent" => ctx.agent = Some(value(&arg, &mut args)),
            "--buyer" => ctx.buyer = Some(value(&arg, &mut args)),
            "--courier" => ctx.courier = Some(value(&arg, &mut args)),
            "--currency" => ctx.currency = Some(value(&arg, &mut args)),
            "--var" => {
                let raw = value(&arg, &mut args);
                let Some((name, v)) = raw.split_once('=') else {
                    fail(&format!("--var {raw}: expected NAME=VALUE"));
                };
                ctx.vars.insert(name.to_string(), v.to_string());
            }
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

    if let Some(name) = event {
        return print_event(&engine, &name, &ctx, json);
    }
    if jsonl {
        if jsonl::answer_stdin(&engine, &ctx, max_threads.max(1)) {
            exit(1);
        }
        return;
    }
    if jobs == 0 {
        jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    }
    let answer = |message: &str, out: &mut dyn Write| -> io::Result<()> {
        let s = engine.suggest(message, &ctx);
        write_answer(out, message, &s, json)
    };
    let bad_lines = if messages.is_empty() && jobs > 1 {
        parallel::answer_in_parallel(jobs, &answer)
    } else {
        let mut out = BufWriter::new(io::stdout().lock());
        let mut bad_lines = false;
        if messages.is_empty() {
            for (n, line) in io::stdin().lock().split(b'\n').enumerate() {
                let bytes = line.unwrap_or_else(|e| fail(&format!("reading stdin: {e}")));
                match into_message(bytes) {
                    // A closed pipe (`suggest ... | head`) is a normal way to stop reading.
                    // Each answer is flushed at once: a line typed into an open pipe is
                    // answered while the pipe stays open.
                    Ok(message) => {
                        if answer(&message, &mut out)
                            .and_then(|()| out.flush())
                            .is_err()
                        {
                            exit(0);
                        }
                    }
                    Err(_) => {
                        let _ = out.flush();
                        eprintln!("error: stdin line {}: not valid UTF-8, skipped", n + 1);
                        bad_lines = true;
                    }
                }
            }
        } else {
            for m in &messages {
                if answer(m, &mut out).is_err() {
                    exit(0);
                }
            }
        }
        if out.flush().is_err() {
            exit(0);
        }
        bad_lines
    };
    if bad_lines {
        exit(1);
    }
}

/// Prints what the shop can send first on order event `name`, or exits 2 if no pack has it.
fn print_event(engine: &Engine, name: &str, ctx: &Context, json: bool) {
    let Some(p) = engine.proactive(name, ctx) else {
        let language = ctx
            .language
            .as_deref()
            .unwrap_or_else(|| engine.languages().next().map_or("", |l| l.as_str()));
        let known: Vec<&str> = engine.events(language).map(|e| e.as_str()).collect();
        fail(&format!(
            "--event {name}: no `{language}` pack has it (known: {})",
            known.join(", ")
        ));
    };
    if json {
        println!(
            "{}",
            serde_json::to_string(&p).expect("a proactive message serializes")
        );
        return;
    }
    print_proactive(&p);
}

fn print_proactive(p: &Proactive) {
    println!("event:    {} ({})", p.event, p.language);
    for (n, r) in p.replies.iter().enumerate() {
        println!("reply {}:  [{}] {}", n + 1, r.id, r.text);
    }
    for h in &p.hints {
        println!("hint:     ({}) {}: {}", h.priority, h.id, h.text);
    }
}

/// A stdin line as a message: without its `\r\n` or `\n`, if it is UTF-8.
pub fn into_message(mut bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    String::from_utf8(bytes)
}

/// Writes the answer to one message: a JSON line, or the readable block.
fn write_answer(out: &mut dyn Write, message: &str, s: &Suggestion, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer(
            &mut *out,
            &JsonLine {
                message,
                suggestion: s,
            },
        )
        .map_err(io::Error::from)?;
        writeln!(out)
    } else {
        write_readable(out, message, s)
    }
}

pub fn write_readable(out: &mut dyn Write, message: &str, s: &Suggestion) -> io::Result<()> {
    let c = &s.classification;
    writeln!(out, "message:  {message}")?;
    writeln!(
        out,
        "language: {}{}",
        c.language,
        if c.truncated { " (truncated)" } else { "" }
    )?;
    if c.intents.is_empty() {
        writeln!(out, "intents:  none")?;
    }
    for i in &c.intents {
        writeln!(out, "intent:   {} (score {})", i.id, i.score)?;
        for e in &i.evidence {
            let fuzzy = if e.fuzzy { ", fuzzy" } else { "" };
            writeln!(
                out,
                "          {:?} at {}..{} {:+}{fuzzy}  [{}]",
                e.text(message),
                e.start,
                e.end,
                e.weight,
                e.rule
            )?;
        }
    }
    if !c.signals.is_empty() {
        let signals: Vec<&str> = c.signals.iter().map(|g| g.as_str()).collect();
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
