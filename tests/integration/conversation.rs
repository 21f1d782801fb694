//! Threads and order events: carry-over, the three escalation triggers, bounded threads, every
//! event in every language, and the JSONL CLI answering while its stdin stays open.

use replykit::{Context, Conversation, Engine, Role, Trend, default_engine};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const PACK: &str = r#"
language = "en"
[defaults]
buyer = "there"
[conversation]
reply_target_seconds = 6
followups = ["how long", "when"]
resolved = ["anything else"]
accepted = ["ok"]
anger = ["complaint", "angry"]
closing = ["praise"]
opening = ["greeting"]
[intent.greeting]
keywords = ["hello"]
[intent.delivery_anxiety]
keywords = ["where is my parcel", "not arrived"]
[intent.complaint]
keywords = ["1 star", "scam", "ridiculous"]
[intent.praise]
keywords = ["thanks"]
[signal.angry]
keywords = ["!!!"]
[hint.escalate_repeated]
text = "Answer now; escalate if you cannot."
priority = 93
thread = ["repeated"]
[hint.escalate_rising_anger]
text = "Stay calm and hand it to a supervisor."
priority = 96
thread = ["rising_anger"]
[hint.apologize_for_wait]
text = "Apologize for the wait first."
priority = 89
thread = ["waited"]
"#;

fn engine() -> Engine {
    Engine::builder()
        .bundled(false)
        .pack_str("p.toml", PACK)
        .build()
        .unwrap()
}

fn ids(s: &replykit::Suggestion) -> Vec<&str> {
    s.classification
        .intents
        .iter()
        .map(|i| i.id.as_str())
        .collect()
}

#[test]
fn a_follow_up_carries_the_open_topic_at_a_lower_score() {
    let e = engine();
    let ctx = Context::default();
    let mut t = Conversation::new(&e);
    let first = t.buyer("where is my parcel", Some(0), &ctx);
    t.seller("let me check", Some(3));
    let s = t.buyer("how long?", Some(10), &ctx);
    let carried = s.classification.top().unwrap();
    assert_eq!(carried.id, "delivery_anxiety");
    assert_eq!(
        carried.score,
        first.classification.top().unwrap().score / 2.0
    );
    let ev = &carried.evidence[0];
    assert_eq!(ev.carried_from, Some(0));
    assert!(ev.rule.contains("carried over from turn 0"), "{}", ev.rule);
    assert_eq!((ev.start, ev.end), (0, "how long?".len()));
    // Read alone, the same words say nothing.
    assert!(e.classify("how long?", &ctx).intents.is_empty());
    // "ok" is no follow-up; a closing thanks closes the topic.
    assert!(
        t.buyer("ok", Some(12), &ctx)
            .classification
            .intents
            .is_empty()
    );
    t.buyer("thanks", Some(14), &ctx);
    assert!(
        t.buyer("how long?", Some(20), &ctx)
            .classification
            .intents
            .is_empty()
    );
    let sum = t.summary(None);
    assert!(sum.open.is_empty());
    assert_eq!(sum.resolved, ["delivery_anxiety"]);
    assert_eq!(sum.turns, 6);
}

#[test]
fn a_seller_closing_words_close_the_topic_and_pings_are_no_greeting() {
    let e = engine();
    let ctx = Context::default();
    let mut t = Conversation::new(&e);
    assert_eq!(ids(&t.buyer("hello", Some(0), &ctx)), ["greeting"]);
    t.buyer("where is my parcel", Some(1), &ctx);
    t.seller("it is out for delivery today. anything else?", Some(4));
    assert!(
        t.buyer("when?", Some(9), &ctx)
            .classification
            .intents
            .is_empty()
    );
    assert!(
        t.buyer("hello??", Some(30), &ctx)
            .classification
            .intents
            .is_empty(),
        "a ping, not a greeting"
    );
}

#[test]
fn asking_again_unanswered_calls_for_escalation_with_the_turns() {
    let e = engine();
    let ctx = Context::default();
    let mut t = Conversation::new(&e);
    let s = t.buyer("where is my parcel", Some(0), &ctx);
    assert!(!s.has_hint("escalate_repeated"));
    let s = t.buyer("still not arrived", Some(3), &ctx);
    let hint = s
        .hints
        .iter()
        .find(|h| h.id == "escalate_repeated")
        .expect("repeated");
    assert_eq!(hint.turns, [0, 1]);
    // After a seller turn, asking again is a new round, not a repeat.
    t.seller("checking", Some(5));
    assert!(
        !t.buyer("where is my parcel", Some(6), &ctx)
            .has_hint("escalate_repeated")
    );
}

#[test]
fn rising_anger_calls_for_a_supervisor() {
    let e = engine();
    let ctx = Context::default();
    let mut t = Conversation::new(&e);
    t.buyer("where is my parcel", Some(0), &ctx);
    t.seller("checking", Some(2));
    let s = t.buyer("this is ridiculous", Some(4), &ctx);
    assert!(
        !s.has_hint("escalate_rising_anger"),
        "one angry turn is not a rise"
    );
    t.seller("sorry, still checking", Some(5));
    let s = t.buyer("scam!!! 1 star", Some(7), &ctx);
    let hint = s
        .hints
        .iter()
        .find(|h| h.id == "escalate_rising_anger")
        .expect("rising");
    assert_eq!(hint.turns, [2, 4]);
    let sum = t.summary(None);
    assert_eq!(sum.trend, Trend::Angrier);
    assert_eq!(sum.mood, [0, 1, 2]);
}

#[test]
fn a_buyer_left_waiting_past_the_reply_target_gets_an_apology() {
    let e = engine();
    let ctx = Context::default();
    let mut t = Conversation::new(&e);
    t.buyer("where is my parcel", Some(100), &ctx);
    assert!(
        !t.buyer("hello?", Some(104), &ctx)
            .has_hint("apologize_for_wait"),
        "4 s is within the 6 s target"
    );
    let s = t.buyer("hello??", Some(120), &ctx);
    let hint = s
        .hints
        .iter()
        .find(|h| h.id == "apologize_for_wait")
        .expect("waited");
    assert_eq!(hint.turns, [0, 2]);
    assert_eq!(t.summary(Some(130)).waiting_seconds, Some(30));
    t.seller("sorry for the wait!", Some(131));
    assert_eq!(t.summary(Some(200)).waiting_seconds, None);
}

#[test]
fn threads_are_bounded_and_a_turn_costs_the_same_however_long_the_thread() {
    let e = engine();
    let ctx = Context::default();
    let mut t = Conversation::new(&e).max_turns(8).max_turn_bytes(32);
    for i in 0..10_000u64 {
        if i % 2 == 0 {
            t.buyer(&"where is my parcel ".repeat(100), Some(i), &ctx);
        } else {
            t.seller("checking", Some(i));
        }
        assert!(t.kept() <= 8);
    }
    assert_eq!(t.summary(None).turns, 10_000);
    // A turn past the byte limit is read only so far: evidence stays within it.
    let s = t.buyer(&"where is my parcel ".repeat(100), Some(10_001), &ctx);
    assert!(
        s.classification.intents[0]
            .evidence
            .iter()
            .all(|e| e.end <= 32)
    );
}

#[test]
fn every_event_has_replies_and_a_hint_in_every_language() {
    let events = [
        "unpaid",
        "not_shipped",
        "shipped",
        "in_transit",
        "delivered",
        "case_closed",
    ];
    for language in ["zh", "ko", "en"] {
        let mut ctx = Context::default();
        ctx.language = Some(language.into());
        ctx.courier = Some("COURIER".into());
        ctx.vars.insert("tracking".into(), "TRACK123".into());
        let listed: Vec<&str> = default_engine()
            .events(language)
            .map(|e| e.as_str())
            .collect();
        for event in events {
            assert!(listed.contains(&event), "{language}: {event} not listed");
            let p = default_engine().proactive(event, &ctx).unwrap();
            assert_eq!(p.language, language);
            assert!(p.replies.len() >= 2, "{language} {event}: {:?}", p.replies);
            assert!(!p.hints.is_empty(), "{language} {event}: no hint");
            assert!(p.replies.iter().all(|r| !r.text.contains('{')));
            if event == "shipped" {
                assert!(
                    p.replies
                        .iter()
                        .any(|r| r.text.contains("COURIER") && r.text.contains("TRACK123")),
                    "{language}: {:?}",
                    p.replies
                );
            }
        }
    }
}

#[test]
fn roles_parse() {
    assert_eq!("buyer".parse::<Role>(), Ok(Role::Buyer));
    assert!(
        "admin"
            .parse::<Role>()
            .unwrap_err()
            .contains("unknown role")
    );
}

#[test]
fn the_jsonl_cli_answers_a_line_while_stdin_stays_open() {
    let mut child = Command::new(super::cli::example("suggest"))
        .args(["--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    writeln!(
        stdin,
        r#"{{"text": "where is my parcel", "conversation": "c1", "time": 1}}"#
    )
    .unwrap();
    stdin.flush().unwrap();
    out.read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["line"], 1);
    assert_eq!(v["classification"]["intents"][0]["id"], "delivery_anxiety");
    // A bad line gets an error object naming its line and field; the run goes on.
    writeln!(stdin, r#"{{"text": 5}}"#).unwrap();
    writeln!(
        stdin,
        r#"{{"text": "how long?", "conversation": "c1", "time": 3}}"#
    )
    .unwrap();
    drop(stdin);
    let rest: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert_eq!(rest[0]["line"], 2);
    assert_eq!(rest[0]["field"], "text");
    assert_eq!(
        rest[1]["classification"]["intents"][0]["evidence"][0]["carried_from"],
        0
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "a bad line makes the exit status 1");
}

#[test]
fn the_jsonl_cli_drops_the_least_recently_used_thread() {
    let mut child = Command::new(super::cli::example("suggest"))
        .args(["--jsonl", "--max-threads", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for c in ["a", "b", "c", "a"] {
        writeln!(
            stdin,
            r#"{{"text": "where is my parcel", "conversation": "{c}"}}"#
        )
        .unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 threads kept, 2 dropped"), "{err}");
}

#[test]
fn a_turn_that_accepts_carries_no_topic_unless_it_asks() {
    let e = engine();
    let ctx = Context::default();
    let mut t = Conversation::new(&e);
    t.buyer("where is my parcel", Some(0), &ctx);
    t.seller("it arrives in 2 days", Some(3));
    // Short, with a number: a follow-up, were it not that it accepts what was said.
    assert!(ids(&t.buyer("ok then 2 days", Some(10), &ctx)).is_empty());
    // Accepting and asking again is a follow-up.
    assert_eq!(
        ids(&t.buyer("ok, when?", Some(20), &ctx)),
        ["delivery_anxiety"]
    );
}
