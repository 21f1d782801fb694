//! Behaviour of the engine on small packs written here, so each test shows the rule it relies on.

use replykit::{Context, Engine, OrderStatus};

/// A small pack exercising every kind of rule.
const ZH: &str = r#"
language = "zh"
[defaults]
shop = "本店"
agent = "小美"
buyer = "亲"
[negation]
before = ["没", "没有", "不"]
window = 2

[[intent]]
id = "damage"
[[intent.cue]]
keywords = ["压坏", "碎了", "坏了"]

[[intent]]
id = "delivery_anxiety"
[[intent.cue]]
keywords = ["还没到", "物流"]
negatable = false
[[intent.pattern]]
regex = '\d+天了'
weight = 0.5
[[intent.boost]]
when = { order_status = ["shipped"], min_days_since_shipped = 5 }
weight = 1.0

[[intent]]
id = "repeat_dissatisfaction"
threshold = 1.0
[[intent.cue]]
keywords = ["少了"]
weight = 0.5
[[intent.all]]
groups = [["上次", "之前"], ["少了", "小了"]]
weight = 1.0
[[intent.boost]]
when = { repeat_customer = true }
weight = 0.6

[[signal]]
id = "urgent"
keywords = ["急"]

[[template]]
id = "zh.damage.sorry"
intent = "damage"
text = "{buyer},非常抱歉!我是{agent}😊"
[[template]]
id = "zh.damage.photo"
intent = "damage"
text = "麻烦{buyer}拍张照片给{agent}~"
weight = 0.8
[[template]]
id = "zh.delivery.late"
intent = "delivery_anxiety"
text = "已经发货{days_since_shipped}天了,我马上帮您查物流。"
when = { min_days_since_shipped = 5 }
[[template]]
id = "zh.delivery.calm"
intent = "delivery_anxiety"
text = "{buyer}别急,包裹在路上了。"

[[hint]]
id = "apologize_compensate_first"
text = "先道歉补偿"
priority = 90
intents = ["damage"]
[[hint]]
id = "check_tracking_explain"
text = "查物流并说明原因"
priority = 95
intents = ["delivery_anxiety"]
when = { order_status = ["shipped"], min_days_since_shipped = 5 }
[[hint]]
id = "offer_faster_courier"
text = "可加价换顺丰"
priority = 85
intents = ["delivery_anxiety"]
signals = ["urgent"]
"#;

const EN: &str = r#"
language = "en"
[defaults]
shop = "the shop"
agent = "Amy"
buyer = "there"
[negation]
before = ["not", "no", "nothing", "never"]
[[intent]]
id = "damage"
[[intent.cue]]
keywords = ["damaged", "broke*", "cracked"]
[[intent]]
id = "return_refund"
[[intent.cue]]
keywords = ["refund", "money back"]
[[template]]
id = "en.damage.sorry"
intent = "damage"
text = "So sorry, {buyer}! {agent} from {shop} here."
[[template]]
id = "en.refund.how"
intent = "return_refund"
text = "Happy to refund, {buyer}."
"#;

fn engine() -> Engine {
    Engine::builder()
        .bundled(false)
        .pack_str("zh.toml", ZH)
        .pack_str("en.toml", EN)
        .build()
        .unwrap()
}

fn intents(engine: &Engine, message: &str, ctx: &Context) -> Vec<String> {
    engine
        .classify(message, ctx)
        .intents
        .iter()
        .map(|i| i.intent.to_string())
        .collect()
}

macro_rules! cases {
    ($($name:ident: $message:expr => [$($intent:expr),*];)*) => {$(
        #[test]
        fn $name() {
            let expected: Vec<&str> = vec![$($intent),*];
            assert_eq!(intents(&engine(), $message, &Context::default()), expected, "{}", $message);
        }
    )*};
}

cases! {
    cue_fires: "东西压坏了" => ["damage"];
    traditional_folds_to_simplified: "東西壓壞了" => ["damage"];
    full_width_and_case_fold: "ＩＴ ＷＡＳ ＤＡＭＡＧＥＤ" => ["damage"];
    negator_before_cancels: "一个都没坏了" => [];
    negator_with_gap_cancels: "nothing was damaged" => [];
    negator_across_punctuation_does_not: "没收到赠品,碎了" => ["damage"];
    keyword_with_own_negation_is_whole: "快递还没到" => ["delivery_anxiety"];
    latin_word_boundary: "undamaged is not a word here, nor damagedly" => [];
    latin_prefix_keyword: "the lid broken off" => ["damage"];
    latin_after_han_is_a_boundary: "my box 箱cracked" => ["damage"];
    spacing_between_cjk_ignored: "东 西 压 坏 了" => ["damage"];
    zero_width_ignored: "压\u{200B}坏" => ["damage"];
    weak_cue_alone_stays_below_threshold: "少了" => [];
    co_occurrence_fires: "比上次少了" => ["repeat_dissatisfaction"];
    pattern_alone_is_weak: "5天了" => [];
    multi_label_sorted_by_score: "it cracked, refund please" => ["damage", "return_refund"];
    none_message: "好的,稍等" => [];
    emoji_only: "👍👍" => [];
    empty: "" => [];
}

#[test]
fn context_boost_needs_evidence_in_the_message() {
    let e = engine();
    let mut ctx = Context::default();
    ctx.repeat_customer = true;
    assert_eq!(intents(&e, "这次少了", &ctx), ["repeat_dissatisfaction"]);
    assert!(
        intents(&e, "你好", &ctx).is_empty(),
        "context alone never fires an intent"
    );
}

#[test]
fn evidence_points_into_the_original_text() {
    let message = "亲，東西 壓壞了!!";
    let c = engine().classify(message, &Context::default());
    let e = &c.intents[0].evidence[0];
    assert_eq!(&message[e.start..e.end], "壓壞");
    assert_eq!(e.text, "壓壞");
    assert_eq!(&*e.keyword, "压坏");
    assert!(e.rule.starts_with("zh.toml:"), "{}", e.rule);
}

#[test]
fn language_detection_and_override() {
    let e = engine();
    assert_eq!(
        &*e.classify("my phone cracked", &Context::default()).language,
        "en"
    );
    assert_eq!(
        &*e.classify("我的iphone cracked", &Context::default())
            .language,
        "zh",
        "ties go to CJK"
    );
    assert_eq!(
        &*e.classify("😀", &Context::default()).language,
        "zh",
        "default is the first pack"
    );
    let mut ctx = Context::default();
    ctx.language = Some("en".into());
    assert_eq!(&*e.classify("东西压坏了", &ctx).language, "en");
    ctx.language = Some("fr".into());
    assert_eq!(
        &*e.classify("东西压坏了", &ctx).language,
        "zh",
        "unknown override falls back"
    );
}

#[test]
fn replies_render_and_rank() {
    let e = engine();
    let mut ctx = Context::default();
    ctx.agent = Some("阿青".into());
    let s = e.suggest("碎了", &ctx);
    let ids: Vec<&str> = s.replies.iter().map(|r| &*r.id).collect();
    assert_eq!(ids, ["zh.damage.sorry", "zh.damage.photo"]);
    assert_eq!(s.replies[0].text, "亲,非常抱歉!我是阿青😊");
    assert_eq!(
        s.hints.iter().map(|h| &*h.id).collect::<Vec<_>>(),
        ["apologize_compensate_first"]
    );
}

#[test]
fn context_templates_and_hints() {
    let e = engine();
    let mut ctx = Context::default();
    let calm = e.suggest("物流怎么不动", &ctx);
    assert_eq!(
        calm.replies.iter().map(|r| &*r.id).collect::<Vec<_>>(),
        ["zh.delivery.calm"]
    );
    assert!(calm.hints.is_empty());

    ctx.order_status = Some(OrderStatus::Shipped);
    ctx.days_since_shipped = Some(6);
    let late = e.suggest("物流怎么不动,急", &ctx);
    assert_eq!(late.replies[0].id.as_ref(), "zh.delivery.late");
    assert_eq!(late.replies[0].text, "已经发货6天了,我马上帮您查物流。");
    assert_eq!(late.replies[0].score, 1.5 * late.intents[0].score);
    let hints: Vec<&str> = late.hints.iter().map(|h| &*h.id).collect();
    assert_eq!(hints, ["check_tracking_explain", "offer_faster_courier"]);
    assert_eq!(
        late.signals.iter().map(|s| &**s).collect::<Vec<_>>(),
        ["urgent"]
    );
}

#[test]
fn multi_intent_replies_interleave() {
    let s = engine().suggest("it cracked, refund please", &Context::default());
    let ids: Vec<&str> = s.replies.iter().map(|r| &*r.id).collect();
    assert_eq!(ids, ["en.damage.sorry", "en.refund.how"]);
    assert_eq!(
        s.replies[0].text,
        "So sorry, there! Amy from the shop here."
    );
}

#[test]
fn top_n_limits_replies() {
    let e = Engine::builder()
        .bundled(false)
        .pack_str("zh.toml", ZH)
        .max_replies(1)
        .build()
        .unwrap();
    assert_eq!(e.suggest("碎了", &Context::default()).replies.len(), 1);
}

#[test]
fn shop_pack_layers_and_replaces() {
    let shop = r#"
language = "zh"
[[intent]]
id = "damage"
[[intent.cue]]
keywords = ["烂了"]
[[template]]
id = "zh.damage.sorry"
intent = "damage"
text = "{shop}给您赔个不是"
replace = true
"#;
    let e = Engine::builder()
        .bundled(false)
        .pack_str("zh.toml", ZH)
        .pack_str("shop.toml", shop)
        .build()
        .unwrap();
    let s = e.suggest("草莓烂了", &Context::default());
    assert_eq!(&*s.intents[0].intent, "damage");
    assert_eq!(s.replies[0].text, "本店给您赔个不是");
    assert!(s.intents[0].evidence[0].rule.starts_with("shop.toml:"));
}

#[test]
fn long_messages_are_truncated_not_refused() {
    let e = Engine::builder()
        .bundled(false)
        .pack_str("zh.toml", ZH)
        .max_message_bytes(10)
        .build()
        .unwrap();
    let c = e.classify("压坏了压坏了压坏了", &Context::default());
    assert!(c.truncated);
    assert_eq!(c.intents[0].evidence[0].end, 6);
    assert!(!e.classify("压坏了", &Context::default()).truncated);
}

#[test]
fn bundled_engine_builds_and_speaks_three_languages() {
    let langs: Vec<&str> = replykit::default_engine().languages().collect();
    assert_eq!(langs, ["zh", "ko", "en"]);
    assert!(replykit::default_engine().keywords().count() > 500);
}

#[test]
fn results_round_trip_through_json() {
    let mut ctx = Context::default();
    ctx.order_status = Some(OrderStatus::Shipped);
    ctx.days_since_shipped = Some(7);
    let s = engine().suggest("物流不动,急!压坏了也说不定", &ctx);
    let json = serde_json::to_string(&s).unwrap();
    let back: replykit::Suggestion = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    let ctx_json = serde_json::to_string(&ctx).unwrap();
    assert_eq!(serde_json::from_str::<Context>(&ctx_json).unwrap(), ctx);
}

#[test]
fn zero_width_regex_matches_are_ignored() {
    // `\b` does not match the empty string, so it loads; its matches have no text to show.
    let pack = "language = \"en\"\n[[intent]]\nid = \"x\"\n[[intent.pattern]]\nregex = '\\b'\n";
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    assert!(
        e.classify("hi there", &Context::default())
            .intents
            .is_empty()
    );
}

#[test]
fn a_not_a_questions_are_not_negations() {
    // "碎没碎了" asks whether it broke (and the cue "碎了" follows the negator directly);
    // "没碎了" says it did not.
    assert_eq!(
        intents(&engine(), "你看看碎没碎了", &Context::default()),
        ["damage"]
    );
    assert!(intents(&engine(), "没碎了", &Context::default()).is_empty());
}
