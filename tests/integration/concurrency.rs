//! The API's thread-safety guarantees: `Engine`, results and errors are `Send + Sync`,
//! `Engine` is cheap to clone, and many threads sharing one engine get exactly the answers one
//! thread gets. (The lazily built default engine under concurrent first use is checked alone in
//! `tests/default_engine_once.rs`, a process of its own.)

use replykit::{
    Candidate, Classification, Context, Engine, EngineBuilder, Error, Evidence, Explanation, Hint,
    Id, Intent, OrderStatus, PackExample, Reply, Suggestion, Verdict, Warning, default_engine,
};
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Barrier;

fn assert_all<T: Send + Sync + UnwindSafe + RefUnwindSafe + 'static>() {}
fn assert_clone<T: Clone>() {}

#[test]
fn public_types_are_send_sync_unwind_safe_and_clone() {
    assert_all::<Engine>();
    assert_all::<EngineBuilder>();
    assert_all::<Error>();
    assert_all::<Classification>();
    assert_all::<Suggestion>();
    assert_all::<Explanation>();
    assert_all::<Candidate>();
    assert_all::<Verdict>();
    assert_all::<Intent>();
    assert_all::<Evidence>();
    assert_all::<Reply>();
    assert_all::<Hint>();
    assert_all::<Id>();
    assert_all::<Warning>();
    assert_all::<PackExample>();
    assert_all::<Context>();
    assert_all::<OrderStatus>();
    assert_clone::<Engine>();
    assert_clone::<EngineBuilder>();
    assert_clone::<Error>();
    assert_clone::<Classification>();
    assert_clone::<Suggestion>();
    assert_clone::<Context>();
    // Errors travel across threads as `Box<dyn Error + Send + Sync>`.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(
        Engine::builder()
            .bundled(false)
            .build()
            .expect_err("no packs"),
    );
    assert!(boxed.to_string().contains("no rule packs"));
}

#[test]
fn cloning_an_engine_shares_its_tables() {
    let engine = Engine::default();
    let clone = engine.clone();
    assert!(engine.shares_tables_with(&clone));
    assert!(engine.shares_tables_with(default_engine()));
    assert!(!engine.shares_tables_with(&Engine::builder().build().unwrap()));
    // A clone outlives the original and answers the same.
    let message = "碎成这样了,直接给我退款吧";
    let before = engine.suggest(message, &Context::default());
    drop(engine);
    assert_eq!(clone.suggest(message, &Context::default()), before);
}

/// Messages from the labeled corpora plus some hard cases, each with a few contexts.
fn workload() -> Vec<(String, Context)> {
    let mut messages: Vec<String> = ["zh", "ko", "en"]
        .iter()
        .flat_map(|lang| {
            let text = std::fs::read_to_string(format!("tests/corpus/{lang}.tsv")).unwrap();
            text.lines()
                .filter_map(|l| l.split_once('\t').map(|(_, m)| m.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    messages.extend(
        [
            "",
            "👍",
            "压\u{200B}坏了没有?? 没坏",
            "ＩＴ ＷＡＳ ＤＡＭＡＧＥＤ, refund!!",
            "배송 언제 와요 ㅠㅠ 3일째 배송조회가 안 돼요",
        ]
        .map(String::from),
    );
    let mut shipped = Context::default();
    shipped.order_status = Some(OrderStatus::Shipped);
    shipped.days_since_shipped = Some(6);
    shipped.repeat_customer = true;
    shipped.shop = Some("鲜果铺".into());
    let mut english = Context::default();
    english.language = Some("en".into());
    english.vip = true;
    let contexts = [Context::default(), shipped, english];
    messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.clone(), contexts[i % contexts.len()].clone()))
        .collect()
}

#[test]
fn eight_threads_sharing_one_engine_answer_like_one_thread() {
    let work = workload();
    assert!(work.len() > 400);
    let engine = default_engine();
    let expected: Vec<Suggestion> = work.iter().map(|(m, c)| engine.suggest(m, c)).collect();
    let start = Barrier::new(8);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let (work, expected, start) = (&work, &expected, &start);
            // Half the threads use the shared reference, half their own clone.
            let engine = if t % 2 == 0 {
                engine.clone()
            } else {
                Engine::default()
            };
            scope.spawn(move || {
                start.wait();
                for round in 0..3 {
                    // Each thread walks the work in its own order, so that the threads'
                    // per-thread buffers see different histories.
                    let n = work.len();
                    for k in 0..n {
                        let i = if (t + round) % 2 == 0 {
                            (k * (2 * t + 1) + t * 37) % n
                        } else {
                            n - 1 - (k + t * 11) % n
                        };
                        let (m, c) = &work[i];
                        assert_eq!(engine.suggest(m, c), expected[i], "thread {t}: {m:?}");
                        assert_eq!(
                            engine.classify(m, c),
                            expected[i].classification,
                            "thread {t}: {m:?}"
                        );
                    }
                }
            });
        }
    });
}

#[test]
fn engines_built_concurrently_are_identical() {
    let pack = "language = \"en\"\n[intent.damage]\nkeywords = [\"squashed\", \"bruised\"]\n";
    let message = "two peaches came bruised and one squashed";
    let answers: Vec<Classification> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    Engine::builder()
                        .pack_str("shop.toml", pack)
                        .build()
                        .unwrap()
                        .classify(message, &Context::default())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers[0].top().unwrap().id, "damage");
    assert!(answers.iter().all(|a| *a == answers[0]));
}
