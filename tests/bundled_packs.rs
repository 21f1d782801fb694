//! The bundled packs as data: every taxonomy intent in every language, with at least two
//! complete replies, the same hint ids in each language, and replies that render cleanly.

#[path = "../examples/common/eval.rs"]
#[allow(dead_code)]
mod eval;

use replykit::{Context, OrderStatus, default_engine};
use std::collections::{BTreeMap, BTreeSet};

const LANGUAGES: [&str; 3] = ["zh", "ko", "en"];

fn pack(language: &str) -> toml::Table {
    let text = std::fs::read_to_string(format!("rules/{language}.toml")).unwrap();
    text.parse().unwrap()
}

fn array<'a>(t: &'a toml::Table, key: &str) -> &'a [toml::Value] {
    t.get(key)
        .and_then(|v| v.as_array())
        .map_or(&[], |a| a.as_slice())
}

fn str_of<'a>(v: &'a toml::Value, key: &str) -> &'a str {
    v.get(key).and_then(|s| s.as_str()).unwrap_or("")
}

#[test]
fn every_intent_has_rules_and_two_complete_replies_in_every_language() {
    for language in LANGUAGES {
        let pack = pack(language);
        let declared: BTreeSet<&str> = array(&pack, "intent")
            .iter()
            .map(|i| str_of(i, "id"))
            .collect();
        let mut templates: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for t in array(&pack, "template") {
            templates
                .entry(str_of(t, "intent"))
                .or_default()
                .push(str_of(t, "text"));
        }
        for intent in eval::INTENTS {
            assert!(
                declared.contains(intent),
                "{language}: intent {intent} missing"
            );
            let texts = templates.get(intent).map_or(&[][..], |v| v.as_slice());
            assert!(
                texts.len() >= 2,
                "{language}: {intent} has {} templates",
                texts.len()
            );
            for text in texts {
                // A warm, complete reply, never a one-word answer.
                assert!(
                    text.chars().count() >= 20,
                    "{language}: {intent}: too short: {text}"
                );
            }
        }
        assert_eq!(
            declared.len(),
            14,
            "{language}: the bundled packs cover exactly the taxonomy"
        );
    }
}

#[test]
fn hint_ids_are_the_same_in_every_language() {
    let ids = |language| -> BTreeSet<String> {
        array(&pack(language), "hint")
            .iter()
            .map(|h| str_of(h, "id").to_string())
            .collect()
    };
    let zh = ids("zh");
    assert!(zh.len() >= 14, "zh has only {} hints", zh.len());
    assert_eq!(ids("ko"), zh);
    assert_eq!(ids("en"), zh);
}

#[test]
fn greeting_replies_follow_the_six_second_rule() {
    // Shop name, the agent's nickname and a smile, in every language.
    let mut ctx = Context::default();
    ctx.shop = Some("SHOP".into());
    ctx.agent = Some("AGENT".into());
    for (language, hello) in [("zh", "在吗"), ("ko", "안녕하세요"), ("en", "hello")] {
        let s = default_engine().suggest(hello, &ctx);
        assert_eq!(&*s.language, language);
        assert_eq!(
            s.intents.first().map(|i| &*i.intent),
            Some("greeting"),
            "{language}: {hello}"
        );
        let reply = &s.replies[0].text;
        assert!(
            reply.contains("SHOP") && reply.contains("AGENT"),
            "{language}: {reply}"
        );
        assert!(
            reply
                .chars()
                .any(|c| ('\u{1F600}'..='\u{1F64F}').contains(&c) || c == '☺'),
            "{language}: no smile in {reply}"
        );
        assert!(s.hints.iter().any(|h| &*h.id == "reply_fast_warm"));
    }
}

#[test]
fn no_reply_ever_shows_a_raw_placeholder() {
    // Every template of every intent, rendered with and without context values.
    let engine = replykit::Engine::builder().max_replies(50).build().unwrap();
    let mut full = Context::default();
    full.repeat_customer = true;
    full.vip = true;
    full.order_status = Some(OrderStatus::Shipped);
    full.days_since_shipped = Some(9);
    full.order_amount = Some(5_000_000.0);
    for language in LANGUAGES {
        let corpus = std::fs::read_to_string(format!("tests/corpus/{language}.tsv")).unwrap();
        for ctx in [Context::default(), full.clone()] {
            for line in corpus.lines().filter(|l| !l.starts_with('#')) {
                let message = line.split_once('\t').map_or(line, |(_, m)| m);
                for r in engine.suggest(message, &ctx).replies {
                    assert!(
                        !r.text.contains('{') && !r.text.contains('}'),
                        "{}: {}",
                        r.id,
                        r.text
                    );
                }
            }
        }
    }
}

#[test]
fn policy_hints_follow_the_context() {
    let e = default_engine();
    let mut late = Context::default();
    late.order_status = Some(OrderStatus::Shipped);
    late.days_since_shipped = Some(6);
    for message in ["快递怎么还没到", "배송 언제 와요?", "where is my order"] {
        let s = e.suggest(message, &late);
        assert_eq!(
            s.hints.first().map(|h| &*h.id),
            Some("check_tracking_explain"),
            "{message}"
        );
        let s = e.suggest(message, &Context::default());
        assert!(
            s.hints.iter().all(|h| &*h.id != "check_tracking_explain"),
            "{message}"
        );
    }
    for message in [
        "急用!快递什么时候到",
        "급해요 배송 언제 와요",
        "i need it urgently, when will it arrive",
    ] {
        let s = e.suggest(message, &Context::default());
        assert!(
            s.hints.iter().any(|h| &*h.id == "offer_faster_courier"),
            "{message}: {:?}",
            s.hints
        );
    }
    let mut large = Context::default();
    large.order_amount = Some(100_000_000.0);
    for message in ["我要退款", "환불해주세요", "i want a refund"] {
        let s = e.suggest(message, &large);
        assert!(
            s.hints
                .iter()
                .any(|h| &*h.id == "item_back_before_large_refund"),
            "{message}"
        );
        let s = e.suggest(message, &Context::default());
        assert!(
            s.hints
                .iter()
                .all(|h| &*h.id != "item_back_before_large_refund"),
            "{message}"
        );
    }
}
