//! The bundled packs as data and as behaviour: every taxonomy intent in every language with
//! replies, examples that pass, the same hint ids in each language, and context that changes
//! the answer the same way in zh, ko and en.

use replykit::eval::{Corpus, evaluate};
use replykit::{Context, Engine, OrderStatus, default_engine};
use std::collections::BTreeSet;

pub const LANGUAGES: [&str; 3] = ["zh", "ko", "en"];

/// The fourteen intents of the taxonomy.
pub const INTENTS: [&str; 14] = [
    "greeting",
    "product_inquiry",
    "bargaining",
    "delivery_anxiety",
    "shipping_options",
    "address_change",
    "damage",
    "quality_issue",
    "usage_question",
    "repeat_dissatisfaction",
    "return_refund",
    "cancel_order",
    "complaint",
    "praise",
];

fn pack(language: &str) -> toml::Table {
    let text = std::fs::read_to_string(format!("rules/{language}.toml")).unwrap();
    text.parse().unwrap()
}

/// A message of `language` the packs read as `intent` alone: the first such pack example.
fn example_of(language: &str, intent: &str) -> String {
    let examples = default_engine().examples(language);
    let e = examples
        .iter()
        .find(|e| e.intents.len() == 1 && e.intents[0] == intent)
        .unwrap_or_else(|| panic!("{language}: no single-intent example of {intent}"));
    e.text.clone()
}

#[test]
fn every_language_covers_exactly_the_taxonomy() {
    for language in LANGUAGES {
        let got: BTreeSet<&str> = default_engine()
            .intents(language)
            .map(|i| i.as_str())
            .collect();
        assert_eq!(got, INTENTS.into_iter().collect(), "{language}");
    }
}

#[test]
fn the_bundled_packs_lint_clean() {
    let warnings = Engine::builder().lint().unwrap();
    let shown: Vec<String> = warnings.iter().take(20).map(|w| w.to_string()).collect();
    assert!(
        warnings.is_empty(),
        "{} warnings:\n{}",
        warnings.len(),
        shown.join("\n")
    );
}

#[test]
fn every_intent_has_three_replies_that_address_the_buyer() {
    for language in LANGUAGES {
        let pack = pack(language);
        let intents = pack["intent"].as_table().unwrap();
        for intent in INTENTS {
            let replies = intents[intent]
                .get("reply")
                .and_then(|r| r.as_array())
                .map_or(&[][..], |a| a.as_slice());
            assert!(
                replies.len() >= 3,
                "{language}: {intent} has {} replies",
                replies.len()
            );
            let texts: Vec<&str> = replies.iter().filter_map(|r| r["text"].as_str()).collect();
            assert!(
                texts.iter().any(|t| t.contains("{buyer}")),
                "{language}: no {intent} reply names the buyer"
            );
        }
    }
}

#[test]
fn the_pack_examples_pass() {
    let engine = default_engine();
    let corpus = Corpus::pack_examples(engine);
    for language in LANGUAGES {
        let n = engine.examples(language).len();
        assert!(n >= 5 * INTENTS.len() + 8, "{language}: only {n} examples");
    }
    let report = evaluate(engine, &corpus, &Context::default());
    let failing: Vec<String> = corpus
        .messages
        .iter()
        .zip(&report.predictions)
        .filter(|(m, got)| {
            let mut want = m.labels.clone();
            let mut got = (*got).clone();
            want.sort();
            got.sort();
            want != got
        })
        .map(|(m, got)| {
            format!(
                "{}: {:?} wants {:?}, got {:?}",
                m.place, m.text, m.labels, got
            )
        })
        .collect();
    assert!(
        failing.is_empty(),
        "{} failing pack examples:\n{}",
        failing.len(),
        failing.join("\n")
    );
}

#[test]
fn hint_ids_are_the_same_in_every_language() {
    let ids = |language| -> BTreeSet<String> {
        pack(language)["hint"]
            .as_table()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let zh = ids("zh");
    assert!(zh.len() >= 20, "zh has only {} hints", zh.len());
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
        assert_eq!(s.classification.language, language);
        assert_eq!(
            s.classification.top().map(|i| i.id.as_str()),
            Some("greeting"),
            "{language}: {hello}"
        );
        let reply = &s.replies[0].text;
        assert!(
            reply.contains("SHOP") && reply.contains("AGENT"),
            "{language}: {reply}"
        );
        let smile = |c: char| ('\u{1F600}'..='\u{1F64F}').contains(&c) || c == '☺';
        assert!(reply.chars().any(smile), "{language}: no smile in {reply}");
        assert!(s.has_hint("reply_fast_warm"));
    }
}

#[test]
fn no_reply_ever_shows_a_raw_placeholder() {
    // Every reply of every intent, rendered with and without context values.
    let engine = Engine::builder().max_replies(50).build().unwrap();
    let mut full = Context::default();
    full.repeat_customer = true;
    full.vip = true;
    full.order_status = Some(OrderStatus::Shipped);
    full.days_since_shipped = Some(9);
    full.order_amount = Some(5_000_000.0);
    for language in LANGUAGES {
        let corpus = std::fs::read_to_string(format!("tests/corpus/{language}.tsv")).unwrap();
        let examples = engine.examples(language).iter().map(|e| e.text.clone());
        let messages: Vec<String> = corpus
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split_once('\t').map_or(l, |(_, m)| m).to_string())
            .chain(examples)
            .collect();
        for ctx in [Context::default(), full.clone()] {
            for message in &messages {
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
    for language in LANGUAGES {
        let message = example_of(language, "delivery_anxiety");
        let s = e.suggest(&message, &late);
        assert_eq!(
            s.hints.first().map(|h| h.id.as_str()),
            Some("check_tracking_explain"),
            "{message}"
        );
        assert!(
            !e.suggest(&message, &Context::default())
                .has_hint("check_tracking_explain"),
            "{message}"
        );
        // Days since shipping imply the order shipped.
        let mut days_only = Context::default();
        days_only.days_since_shipped = Some(6);
        assert!(
            e.suggest(&message, &days_only)
                .has_hint("check_tracking_explain"),
            "{language}"
        );
    }
    for message in [
        "急用!快递什么时候到",
        "급해요 배송 언제 와요",
        "i need it urgently, when will it arrive",
    ] {
        let s = e.suggest(message, &Context::default());
        assert!(
            s.has_hint("offer_faster_courier"),
            "{message}: {:?}",
            s.hints
        );
    }
}

#[test]
fn a_large_refund_asks_for_the_item_back_but_never_after_transport_damage() {
    let e = default_engine();
    let mut large = Context::default();
    large.order_amount = Some(100_000_000.0);
    for (refund, broken) in [
        ("我要退款", "东西碎了,我要退款"),
        ("환불해주세요", "택배가 파손돼서 왔어요 환불해주세요"),
        ("i want a refund", "it arrived smashed, i want a refund"),
    ] {
        assert!(
            e.suggest(refund, &large)
                .has_hint("item_back_before_large_refund"),
            "{refund}"
        );
        assert!(
            !e.suggest(refund, &Context::default())
                .has_hint("item_back_before_large_refund"),
            "{refund}"
        );
        let s = e.suggest(broken, &large);
        assert!(s.classification.has("damage"), "{broken}");
        assert!(
            s.has_hint("apologize_compensate_first")
                && !s.has_hint("item_back_before_large_refund"),
            "{broken}: {:?}",
            s.hints
        );
    }
}

#[test]
fn every_order_status_has_its_own_reply_in_every_language() {
    let e = default_engine();
    for language in LANGUAGES {
        for intent in [
            "delivery_anxiety",
            "address_change",
            "cancel_order",
            "return_refund",
        ] {
            let message = example_of(language, intent);
            for (status, name) in [
                (OrderStatus::Unpaid, "unpaid"),
                (OrderStatus::Paid, "paid"),
                (OrderStatus::Shipped, "shipped"),
                (OrderStatus::Delivered, "delivered"),
            ] {
                let mut ctx = Context::default();
                ctx.order_status = Some(status);
                let s = e.suggest(&message, &ctx);
                let want = format!("{language}.{intent}.{name}");
                assert_eq!(
                    s.top_reply().map(|r| r.id.as_str()),
                    Some(want.as_str()),
                    "{message} ({name})"
                );
            }
        }
    }
}

#[test]
fn a_vip_gets_priority_and_a_gesture_in_every_language() {
    let e = default_engine();
    let mut vip = Context::default();
    vip.vip = true;
    for language in LANGUAGES {
        for intent in [
            "damage",
            "quality_issue",
            "complaint",
            "repeat_dissatisfaction",
            "delivery_anxiety",
        ] {
            let message = example_of(language, intent);
            let s = e.suggest(&message, &vip);
            assert_eq!(
                s.top_reply().map(|r| r.id.to_string()),
                Some(format!("{language}.{intent}.vip")),
                "{message}"
            );
            assert!(s.has_hint("vip_priority"), "{message}");
            assert!(
                !e.suggest(&message, &Context::default())
                    .has_hint("vip_priority")
            );
        }
    }
}

#[test]
fn every_reply_family_uses_the_buyers_name() {
    let e = Engine::builder().max_replies(10).build().unwrap();
    let mut ctx = Context::default();
    ctx.buyer = Some("BUYER".into());
    for language in LANGUAGES {
        for intent in INTENTS {
            let message = example_of(language, intent);
            let s = e.suggest(&message, &ctx);
            assert!(
                s.replies.iter().any(|r| r.text.contains("BUYER")),
                "{language} {intent}: {:?}",
                s.replies
            );
        }
    }
}
