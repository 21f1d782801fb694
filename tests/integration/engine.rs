//! Behaviour of the engine on small packs written here, so each test shows the rule it relies on.

use replykit::{Context, Engine, OrderStatus, Verdict};

/// A small pack exercising every kind of rule.
pub const ZH: &str = r#"
language = "zh"
[defaults]
shop = "本店"
agent = "小美"
buyer = "亲"
[negation]
before = ["没", "没有", "不"]
window = 2

[intent.damage]
keywords = ["压坏", "碎了", "坏了"]
[[intent.damage.reply]]
id = "sorry"
text = "{buyer},非常抱歉!我是{agent}😊"
[[intent.damage.reply]]
id = "photo"
text = "麻烦{buyer}拍张照片给{agent}~"
weight = 0.8

[intent.delivery_anxiety]
keywords = ["还没到", "物流"]
negatable = false
weak_patterns = ['\d+天了']
boost = [{ when = { order_status = ["shipped"], min_days_since_shipped = 5 }, weight = 1.0 }]
[[intent.delivery_anxiety.reply]]
id = "late"
text = "已经发货{days_since_shipped}天了,我马上帮您查物流。"
when = { min_days_since_shipped = 5 }
[[intent.delivery_anxiety.reply]]
id = "calm"
text = "{buyer}别急,包裹在路上了。"

[intent.repeat_dissatisfaction]
weak = ["少了"]
near = [{ groups = [["上次", "之前"], ["少了", "小了"]] }]
boost = [{ when = { repeat_customer = true }, weight = 0.6 }]

[signal.urgent]
keywords = ["急"]

[hint.apologize_compensate_first]
text = "先道歉补偿"
priority = 90
intents = ["damage"]
[hint.check_tracking_explain]
text = "查物流并说明原因"
priority = 95
intents = ["delivery_anxiety"]
when = { order_status = ["shipped"], min_days_since_shipped = 5 }
[hint.offer_faster_courier]
text = "可加价换顺丰"
priority = 85
intents = ["delivery_anxiety"]
signals = ["urgent"]
"#;

pub const EN: &str = r#"
language = "en"
[defaults]
shop = "the shop"
agent = "Amy"
buyer = "there"
[negation]
before = ["not", "no", "nothing", "never"]
[intent.damage]
keywords = ["damaged", "broke*", "cracked"]
[[intent.damage.reply]]
id = "sorry"
text = "So sorry, {buyer}! {agent} from {shop} here."
[intent.return_refund]
keywords = ["refund", "money back"]
[[intent.return_refund.reply]]
id = "how"
text = "Happy to refund, {buyer}."
"#;

pub fn engine() -> Engine {
    Engine::builder()
        .bundled(false)
        .pack_str("zh.toml", ZH)
        .pack_str("en.toml", EN)
        .build()
        .unwrap()
}

fn intents(engine: &Engine, message: &str, ctx: &Context) -> Vec<String> {
    let c = engine.classify(message, ctx);
    c.intents.iter().map(|i| i.id.to_string()).collect()
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
    keyword_fires: "东西压坏了" => ["damage"];
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
    weak_keyword_alone_stays_below_threshold: "少了" => [];
    near_rule_fires: "比上次少了" => ["repeat_dissatisfaction"];
    weak_pattern_alone_stays_below: "5天了" => [];
    multi_label_sorted_by_score: "it cracked, refund please" => ["damage", "return_refund"];
    misspelled_keyword_fires_fuzzily: "it arrived damgaed" => ["damage"];
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
    let top = c.top().unwrap();
    assert!(top.id == "damage" && c.has("damage") && !c.has("praise"));
    let e = &top.evidence[0];
    assert_eq!(&message[e.start..e.end], "壓壞");
    assert_eq!(e.text(message), "壓壞");
    assert_eq!(e.keyword.as_deref(), Some("压坏"));
    assert_eq!(e.weight, 1.0);
    assert!(!e.fuzzy);
    assert!(
        e.rule.starts_with("zh.toml:") && e.rule.ends_with("damage keywords"),
        "{}",
        e.rule
    );
}

#[test]
fn a_keyword_counts_once_and_not_inside_a_longer_one() {
    // "坏了" inside "压坏了"? No: "压坏" and "坏了" overlap, neither inside the other, so both
    // count; "压坏" twice counts once.
    let c = engine().classify("压坏了,又压坏", &Context::default());
    assert_eq!(c.top().unwrap().score, 2.0);
    let shop = "language = \"zh\"\n[intent.damage]\nkeywords = [\"压坏\", \"坏\"]\n";
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", shop)
        .build()
        .unwrap();
    let c = e.classify("压坏", &Context::default());
    assert_eq!(
        c.top().unwrap().score,
        1.0,
        "坏 lies inside 压坏: it says nothing more"
    );
    assert_eq!(c.top().unwrap().evidence.len(), 1);
}

#[test]
fn misspellings_are_fuzzy_and_weigh_less() {
    let c = engine().classify("it arrived damgaed", &Context::default());
    let damage = c.top().unwrap();
    assert!(damage.evidence[0].fuzzy);
    assert_eq!(damage.score, 0.9);
    assert_eq!(damage.evidence[0].keyword.as_deref(), Some("damaged"));
    let exact = engine().classify("it arrived damaged", &Context::default());
    assert!(exact.top().unwrap().score > damage.score);
}

#[test]
fn language_detection_and_override() {
    let e = engine();
    let lang = |m: &str, ctx: &Context| e.classify(m, ctx).language.to_string();
    assert_eq!(lang("my phone cracked", &Context::default()), "en");
    assert_eq!(
        lang("我的iphone cracked", &Context::default()),
        "zh",
        "ties go to the first loaded"
    );
    assert_eq!(
        lang("😀", &Context::default()),
        "zh",
        "default is the first pack"
    );
    let mut ctx = Context::default();
    ctx.language = Some("en".into());
    assert_eq!(lang("东西压坏了", &ctx), "en");
    ctx.language = Some("fr".into());
    assert_eq!(
        lang("东西压坏了", &ctx),
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
    let ids: Vec<&str> = s.replies.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["zh.damage.sorry", "zh.damage.photo"]);
    assert_eq!(s.top_reply().unwrap().text, "亲,非常抱歉!我是阿青😊");
    assert!(s.has_hint("apologize_compensate_first") && s.hints.len() == 1);
}

#[test]
fn context_templates_and_hints() {
    let e = engine();
    let mut ctx = Context::default();
    let calm = e.suggest("物流怎么不动", &ctx);
    let ids: Vec<&str> = calm.replies.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["zh.delivery_anxiety.calm"]);
    assert!(calm.hints.is_empty());

    ctx.order_status = Some(OrderStatus::Shipped);
    ctx.days_since_shipped = Some(6);
    let late = e.suggest("物流怎么不动,急", &ctx);
    assert_eq!(late.replies[0].id, "zh.delivery_anxiety.late");
    assert_eq!(late.replies[0].text, "已经发货6天了,我马上帮您查物流。");
    assert_eq!(
        late.replies[0].score,
        1.5 * late.classification.intents[0].score
    );
    let hints: Vec<&str> = late.hints.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(hints, ["check_tracking_explain", "offer_faster_courier"]);
    assert!(late.classification.has_signal("urgent"));
}

#[test]
fn days_since_shipped_imply_shipped() {
    let mut ctx = Context::default();
    ctx.days_since_shipped = Some(6);
    let s = engine().suggest("物流怎么不动", &ctx);
    assert_eq!(s.replies[0].id, "zh.delivery_anxiety.late");
    assert!(s.has_hint("check_tracking_explain"));
}

#[test]
fn multi_intent_replies_interleave() {
    let s = engine().suggest("it cracked, refund please", &Context::default());
    let ids: Vec<&str> = s.replies.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["en.damage.sorry", "en.return_refund.how"]);
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
[intent.damage]
keywords = ["烂了"]
[[intent.damage.reply]]
id = "sorry"
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
    let top = s.classification.top().unwrap();
    assert_eq!(top.id, "damage");
    assert_eq!(s.replies[0].text, "本店给您赔个不是");
    assert!(top.evidence[0].rule.starts_with("shop.toml:"));
}

#[test]
fn a_shop_adding_a_bundled_keyword_does_not_double_it() {
    let shop = "language = \"zh\"\n[intent.damage]\nkeywords = [\"压坏\"]\n";
    let e = Engine::builder()
        .bundled(false)
        .pack_str("zh.toml", ZH)
        .pack_str("shop.toml", shop)
        .build()
        .unwrap();
    assert_eq!(
        e.classify("压坏", &Context::default()).top().unwrap().score,
        1.0
    );
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
fn the_engine_lists_what_it_loaded() {
    let e = engine();
    let langs: Vec<&str> = e.languages().map(|l| l.as_str()).collect();
    assert_eq!(langs, ["zh", "en"]);
    let intents: Vec<&str> = e.intents("zh").map(|i| i.as_str()).collect();
    assert_eq!(
        intents,
        ["damage", "delivery_anxiety", "repeat_dissatisfaction"]
    );
    assert_eq!(
        e.signals("zh").map(|s| s.as_str()).collect::<Vec<_>>(),
        ["urgent"]
    );
    assert_eq!(
        e.hints("zh").next().unwrap(),
        "check_tracking_explain",
        "highest priority first"
    );
    assert_eq!(e.intents("fr").count(), 0);
}

#[test]
fn results_round_trip_through_json() {
    let mut ctx = Context::default();
    ctx.order_status = Some(OrderStatus::Shipped);
    ctx.days_since_shipped = Some(7);
    let s = engine().suggest("物流不动,急!压坏了也说不定", &ctx);
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        json.starts_with("{\"classification\":{\"language\":\"zh\",\"intents\":[{\"id\":"),
        "{json}"
    );
    let back: replykit::Suggestion = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    let ctx_json = serde_json::to_string(&ctx).unwrap();
    assert_eq!(serde_json::from_str::<Context>(&ctx_json).unwrap(), ctx);
}

#[test]
fn zero_width_regex_matches_are_ignored() {
    // `\b` does not match the empty string, so it loads; its matches have no text to show.
    let pack = "language = \"en\"\n[intent.x]\npatterns = ['\\b']\n";
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
    // "碎没碎了" asks whether it broke (and the keyword "碎了" follows the negator directly);
    // "没碎了" says it did not.
    assert_eq!(
        intents(&engine(), "你看看碎没碎了", &Context::default()),
        ["damage"]
    );
    assert!(intents(&engine(), "没碎了", &Context::default()).is_empty());
}

#[test]
fn unless_suppresses_and_explain_says_why() {
    let pack = r#"
language = "en"
[intent.damage]
keywords = ["broken"]
[intent.quality_issue]
keywords = ["broken", "stopped working"]
unless = ["damage"]
"#;
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    assert_eq!(
        intents(&e, "it came broken", &Context::default()),
        ["damage"]
    );
    assert_eq!(
        intents(&e, "it stopped working", &Context::default()),
        ["quality_issue"]
    );
    let x = e.explain("it came broken", &Context::default());
    let q = x
        .candidates
        .iter()
        .find(|c| c.intent.id == "quality_issue")
        .unwrap();
    assert!(matches!(&q.verdict, Verdict::Suppressed { by } if *by == "damage"));
}

#[test]
fn near_rules_keep_their_distance_and_order() {
    let pack = r#"
language = "en"
[intent.repeat_dissatisfaction]
near = [
  { groups = [["last time"], ["smaller"]], within = 3, ordered = true },
]
[intent.bargaining]
near = [{ groups = [["cheaper"], ["if i buy"]], within = 4 }]
"#;
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    let has = |m: &str, i: &str| e.classify(m, &Context::default()).has(i);
    assert!(has(
        "last time they were much smaller",
        "repeat_dissatisfaction"
    ));
    assert!(
        !has(
            "last time the peaches i got from you were smaller",
            "repeat_dissatisfaction"
        ),
        "too far"
    );
    assert!(
        !has("smaller than last time", "repeat_dissatisfaction"),
        "out of order"
    );
    assert!(has("if i buy two, cheaper?", "bargaining"), "unordered");
}

#[test]
fn typo_table_variants_match_fuzzily() {
    let pack = "language = \"zh\"\n[fuzzy]\ntypos = { \"券\" = [\"卷\"] }\n[intent.bargaining]\nkeywords = [\"优惠券\"]\n";
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    let c = e.classify("有优惠卷吗", &Context::default());
    let b = c.top().unwrap();
    assert!(b.id == "bargaining" && b.evidence[0].fuzzy && b.score == 0.9);
    assert!(
        e.classify("卷纸", &Context::default()).intents.is_empty(),
        "卷 alone is still 卷"
    );
}

#[test]
fn fuzzy_edits_can_be_turned_off() {
    let pack = "language = \"en\"\n[fuzzy]\nedits = false\n[intent.return_refund]\nkeywords = [\"refund\"]\n";
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    assert!(e.classify("reufnd", &Context::default()).intents.is_empty());
}

#[test]
fn a_shop_language_is_detected_by_its_scripts() {
    let ja = "language = \"ja\"\nscripts = [\"kana\", \"han\"]\n[intent.delivery_anxiety]\nkeywords = [\"届かない\"]\n";
    let tw = "language = \"zh-tw\"\n[intent.delivery_anxiety]\nkeywords = [\"还没到\"]\n";
    let e = Engine::builder()
        .bundled(false)
        .pack_str("zh.toml", ZH)
        .pack_str("ja.toml", ja)
        .pack_str("tw.toml", tw)
        .build()
        .unwrap();
    let lang = |m: &str| e.classify(m, &Context::default()).language.to_string();
    assert_eq!(lang("荷物が届かない"), "ja");
    assert_eq!(lang("快递还没到"), "zh");
    assert_eq!(lang("快遞還沒到"), "zh-tw", "traditional characters");
}

#[test]
fn korean_particles_agree_with_the_name() {
    let ko = r#"
language = "ko"
[defaults]
shop = "저희 가게"
[intent.praise]
keywords = ["감사"]
[[intent.praise.reply]]
id = "thanks"
text = "{shop}은(는) 늘 감사드려요! {shop}을(를) 찾아 주셔서 고맙습니다."
"#;
    let e = Engine::builder()
        .bundled(false)
        .pack_str("ko.toml", ko)
        .build()
        .unwrap();
    let mut ctx = Context::default();
    for (shop, want) in [
        ("행복상회", "행복상회는 늘 감사드려요! 행복상회를"),
        ("과일가게집", "과일가게집은 늘 감사드려요! 과일가게집을"),
    ] {
        ctx.shop = Some(shop.into());
        let text = &e.suggest("감사합니다", &ctx).replies[0].text;
        assert!(text.starts_with(want), "{text}");
    }
}

#[test]
fn amounts_are_written_in_the_language_format() {
    let pack = |lang: &str| {
        format!(
            "language = \"{lang}\"\n[intent.return_refund]\nkeywords = [\"refund\"]\n[[intent.return_refund.reply]]\nid = \"amount\"\ntext = \"Refund of {{order_amount}} on its way\"\nwhen = {{ min_order_amount = 0 }}\n"
        )
    };
    let mut ctx = Context::default();
    ctx.order_amount = Some(1280.0);
    for (lang, want) in [("zh", "¥1,280"), ("ko", "1,280원"), ("en", "$1,280.00")] {
        let e = Engine::builder()
            .bundled(false)
            .pack_str("p.toml", &pack(lang))
            .build()
            .unwrap();
        let text = &e.suggest("refund", &ctx).replies[0].text;
        assert!(text.contains(want), "{lang}: {text}");
    }
    ctx.currency = Some("€".into());
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", &pack("en"))
        .build()
        .unwrap();
    assert!(
        e.suggest("refund", &ctx).replies[0]
            .text
            .contains("€1,280.00")
    );
}

#[test]
fn contradicting_hints_give_the_higher_priority_only() {
    let pack = r#"
language = "en"
[intent.damage]
keywords = ["broken"]
[intent.return_refund]
keywords = ["refund"]
[hint.apologize_compensate_first]
text = "Apologize and compensate first."
priority = 95
intents = ["damage"]
[hint.item_back_before_large_refund]
text = "Large refund on a doubtful claim: ask for the item back first."
priority = 90
intents = ["return_refund"]
contradicts = ["apologize_compensate_first"]
"#;
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build()
        .unwrap();
    let s = e.suggest("it came broken, refund please", &Context::default());
    let hints: Vec<&str> = s.hints.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(hints, ["apologize_compensate_first"]);
    let s = e.suggest("refund please", &Context::default());
    assert!(s.has_hint("item_back_before_large_refund"));
}

#[test]
fn alone_words_fire_only_when_the_message_is_nothing_else() {
    let engine = Engine::builder()
        .bundled(false)
        .pack_str(
            "shop.toml",
            r#"
            language = "en"
            [intent.greeting]
            alone = ["hi", "hello", "good morning"]
            alone_with = ["there", "anyone", "please"]
            [intent.delivery_anxiety]
            keywords = ["where is my order"]
            "#,
        )
        .build()
        .unwrap();
    let ctx = Context::default();
    for greeting in [
        "hi",
        "Hello there!!",
        "good morning, anyone there?",
        "hi 12345",
        "  HI  ",
    ] {
        assert_eq!(
            intents(&engine, greeting, &ctx),
            ["greeting"],
            "{greeting:?}"
        );
    }
    // Another word, another intent, or fillers without an opener: no greeting.
    for other in [
        "hi, where is my order",
        "hi can you help",
        "there there",
        "anyone please",
        "",
    ] {
        assert!(
            !intents(&engine, other, &ctx).contains(&"greeting".to_string()),
            "{other:?}"
        );
    }
    let c = engine.classify("hello there", &ctx);
    let evidence = &c.top().unwrap().evidence[0];
    assert_eq!(evidence.text("hello there"), "hello");
    assert!(
        evidence.rule.contains("greeting alone"),
        "{}",
        evidence.rule
    );
}

#[test]
fn an_alone_word_inside_a_longer_filler_does_not_count() {
    let engine = Engine::builder()
        .bundled(false)
        .pack_str(
            "shop.toml",
            "language = \"zh\"\n[intent.greeting]\nalone = [\"咨询\", \"你好\"]\nalone_with = [\"咨询订单号\", \"[订单x]\"]\n",
        )
        .build()
        .unwrap();
    let ctx = Context::default();
    assert!(intents(&engine, "咨询订单号:[订单x]", &ctx).is_empty());
    assert_eq!(
        intents(&engine, "你好 咨询订单号:[订单x]", &ctx),
        ["greeting"]
    );
    assert_eq!(intents(&engine, "咨询一下", &ctx), Vec::<String>::new());
    assert_eq!(intents(&engine, "咨询", &ctx), ["greeting"]);
}
