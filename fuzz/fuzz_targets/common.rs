//! Invariants every classification and suggestion must hold, whatever the input.

use arbitrary::Unstructured;
use replykit::{Classification, Context, Engine, Intent, OrderStatus, Suggestion};

/// Evidence spans are non-empty, on char boundaries of `message`, inside the part that was
/// read, and slice back to their text.
pub fn check_intents(message: &str, read: usize, intents: &[Intent]) {
    for intent in intents {
        assert!(intent.score.is_finite(), "{intent:?}");
        for e in &intent.evidence {
            assert!(e.start < e.end && e.end <= read, "{e:?} in {} bytes", read);
            assert!(message.is_char_boundary(e.start) && message.is_char_boundary(e.end));
            assert_eq!(&message[e.start..e.end], e.text);
            assert!(!e.keyword.is_empty());
        }
    }
}

/// How many bytes of `message` an engine with `limit` reads.
pub fn read_len(message: &str, limit: usize) -> usize {
    if message.len() <= limit {
        return message.len();
    }
    let mut end = limit;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Classifies and suggests, checking every invariant and that the two agree.
pub fn check_engine(
    engine: &Engine,
    limit: usize,
    max_replies: usize,
    message: &str,
    ctx: &Context,
) {
    let read = read_len(message, limit);
    let c: Classification = engine.classify(message, ctx);
    assert_eq!(c.truncated, message.len() > limit);
    check_intents(message, read, &c.intents);
    assert_eq!(engine.classify(message, ctx), c, "not deterministic");
    let s: Suggestion = engine.suggest(message, ctx);
    assert_eq!(
        (&s.language, &s.intents, &s.signals, s.truncated),
        (&c.language, &c.intents, &c.signals, c.truncated)
    );
    assert!(s.replies.len() <= max_replies);
    for r in &s.replies {
        assert!(s.intents.iter().any(|i| i.intent == r.intent), "{r:?}");
        assert!(r.score.is_finite());
    }
    assert!(
        s.hints.windows(2).all(|w| w[0].priority >= w[1].priority),
        "{:?}",
        s.hints
    );
}

/// A context drawn from fuzzer bytes (used by `suggest`).
#[allow(dead_code)]
pub fn context(u: &mut Unstructured) -> arbitrary::Result<Context> {
    let mut ctx = Context::default();
    ctx.repeat_customer = u.arbitrary()?;
    ctx.vip = u.arbitrary()?;
    ctx.order_status = match u.int_in_range(0..=4u8)? {
        0 => None,
        1 => Some(OrderStatus::Unpaid),
        2 => Some(OrderStatus::Paid),
        3 => Some(OrderStatus::Shipped),
        _ => Some(OrderStatus::Delivered),
    };
    ctx.days_since_shipped = u.arbitrary()?;
    ctx.order_amount = u.arbitrary()?;
    ctx.language = match u.int_in_range(0..=5u8)? {
        0 => None,
        1 => Some("zh".into()),
        2 => Some("ko".into()),
        3 => Some("en".into()),
        4 => Some(String::new()),
        _ => Some(u.arbitrary()?),
    };
    ctx.shop = u.arbitrary()?;
    ctx.agent = u.arbitrary()?;
    ctx.buyer = u.arbitrary()?;
    ctx.courier = u.arbitrary()?;
    ctx.vars = u.arbitrary()?;
    Ok(ctx)
}
