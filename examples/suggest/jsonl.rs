//! `--jsonl`: one JSON object per input line, one JSON line out per line in, flushed at once.
//! Turns with a `conversation` id are read as threads (bounded: the least recently used thread
//! is dropped first); a line that is not a valid turn gets an error object naming its line and
//! field, and the run goes on.

use super::fail;
use replykit::{Context, Conversation, Engine, Role};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, BufWriter, Write};
use std::process::exit;

/// The fields of a turn that are not context fields.
const TURN_FIELDS: [&str; 4] = ["text", "conversation", "role", "time"];

/// Threads by conversation id, least recently used dropped first.
struct Threads<'e> {
    engine: &'e Engine,
    max: usize,
    threads: HashMap<String, (Conversation, u64)>,
    by_use: BTreeMap<u64, String>,
    tick: u64,
    dropped: usize,
}

impl Threads<'_> {
    fn get(&mut self, id: &str) -> &mut Conversation {
        self.tick += 1;
        let tick = self.tick;
        if let Some((_, used)) = self.threads.get_mut(id) {
            self.by_use.remove(used);
            *used = tick;
        } else {
            if self.threads.len() == self.max {
                if let Some((_, oldest)) = self.by_use.pop_first() {
                    self.threads.remove(&oldest);
                    self.dropped += 1;
                }
            }
            self.threads
                .insert(id.to_string(), (Conversation::new(self.engine), tick));
        }
        self.by_use.insert(tick, id.to_string());
        &mut self.threads.get_mut(id).expect("just inserted").0
    }
}

/// A turn read from a line.
struct Turn {
    text: String,
    conversation: Option<String>,
    role: Role,
    time: Option<u64>,
    ctx: Context,
}

/// Answers stdin; true if some lines were invalid (each got an error object).
pub fn answer_stdin(engine: &Engine, base: &Context, max_threads: usize) -> bool {
    let base_fields = match serde_json::to_value(base) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut threads = Threads {
        engine,
        max: max_threads,
        threads: HashMap::new(),
        by_use: BTreeMap::new(),
        tick: 0,
        dropped: 0,
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let (mut lines, mut bad) = (0usize, 0usize);
    for (n, line) in io::stdin().lock().split(b'\n').enumerate() {
        let number = n + 1;
        let bytes = line.unwrap_or_else(|e| fail(&format!("reading stdin: {e}")));
        lines += 1;
        let answer = match String::from_utf8(bytes) {
            Err(_) => Err(error(number, "not valid UTF-8", None)),
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => read_turn(&text, number, &base_fields)
                .map(|turn| answer(&mut threads, engine, turn, number)),
        };
        let value = answer.unwrap_or_else(|e| {
            bad += 1;
            e
        });
        // A closed pipe is a normal way to stop; each answer goes out at once.
        if serde_json::to_writer(&mut out, &value).is_err()
            || writeln!(out).is_err()
            || out.flush().is_err()
        {
            exit(0);
        }
    }
    eprintln!(
        "suggest: {lines} lines, {bad} invalid, {} threads kept, {} dropped (least recently used first)",
        threads.threads.len(),
        threads.dropped
    );
    bad > 0
}

fn answer(threads: &mut Threads, engine: &Engine, turn: Turn, number: usize) -> Value {
    let Some(id) = turn.conversation else {
        let s = engine.suggest(&turn.text, &turn.ctx);
        return with_line(
            merge(json!({ "message": turn.text }), json!(s)),
            number,
            None,
        );
    };
    let thread = threads.get(&id);
    match turn.role {
        Role::Seller => {
            thread.seller(&turn.text, turn.time);
            with_line(
                json!({ "role": "seller", "recorded": true }),
                number,
                Some(&id),
            )
        }
        Role::Buyer => {
            let s = thread.buyer(&turn.text, turn.time, &turn.ctx);
            let summary = thread.summary(turn.time);
            let answer = merge(json!({ "message": turn.text }), json!(s));
            with_line(
                merge(answer, json!({ "thread": summary })),
                number,
                Some(&id),
            )
        }
    }
}

/// The fields of `a`, then those of `b` (both objects).
fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            a.extend(b);
            Value::Object(a)
        }
        (a, _) => a,
    }
}

/// `value` with the input line number (and conversation id) first.
fn with_line(value: Value, number: usize, conversation: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("line".into(), json!(number));
    if let Some(c) = conversation {
        m.insert("conversation".into(), json!(c));
    }
    if let Value::Object(rest) = value {
        m.extend(rest);
    }
    Value::Object(m)
}

fn error(number: usize, message: &str, field: Option<&str>) -> Value {
    let mut v = json!({ "line": number, "error": message });
    if let Some(f) = field {
        v["field"] = json!(f);
    }
    v
}

/// A turn from a line: its own fields checked one by one, the others read as context fields
/// over the flags' context.
fn read_turn(line: &str, number: usize, base: &Map<String, Value>) -> Result<Turn, Value> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| error(number, &format!("not JSON: {e}"), None))?;
    let Value::Object(fields) = value else {
        return Err(error(number, "expected a JSON object", None));
    };
    let text = match fields.get("text") {
        Some(Value::String(t)) => t.clone(),
        Some(_) => return Err(error(number, "`text` must be a string", Some("text"))),
        None => return Err(error(number, "missing `text`", Some("text"))),
    };
    let conversation = match fields.get("conversation") {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) => Some(c.clone()),
        Some(_) => {
            return Err(error(
                number,
                "`conversation` must be a string",
                Some("conversation"),
            ));
        }
    };
    let role = match fields.get("role") {
        None | Some(Value::Null) => Role::Buyer,
        Some(Value::String(r)) => r
            .parse()
            .map_err(|e: String| error(number, &e, Some("role")))?,
        Some(_) => {
            return Err(error(
                number,
                "`role` must be \"buyer\" or \"seller\"",
                Some("role"),
            ));
        }
    };
    let time = match fields.get("time") {
        None | Some(Value::Null) => None,
        Some(t) => Some(t.as_u64().ok_or_else(|| {
            error(
                number,
                "`time` must be Unix seconds (a whole number >= 0)",
                Some("time"),
            )
        })?),
    };
    let mut merged = base.clone();
    for (k, v) in fields
        .iter()
        .filter(|(k, _)| !TURN_FIELDS.contains(&k.as_str()))
    {
        // One field at a time, so that an error names it.
        let one = Value::Object(Map::from_iter([(k.clone(), v.clone())]));
        if let Err(e) = serde_json::from_value::<Context>(one) {
            let message = e
                .to_string()
                .replace("unknown field", "unknown context field");
            return Err(error(number, &message, Some(k)));
        }
        merged.insert(k.clone(), v.clone());
    }
    let ctx = serde_json::from_value(Value::Object(merged))
        .map_err(|e| error(number, &e.to_string(), None))?;
    Ok(Turn {
        text,
        conversation,
        role,
        time,
        ctx,
    })
}
