//! The lazily built default engine under concurrent first use: eight threads ask for it at the
//! same moment and all get the one instance, built once. This file holds a single test so that
//! nothing else in its process touches the default engine first.

use replykit::{Context, Engine, default_engine};
use std::sync::Barrier;

#[test]
fn default_engine_is_built_once_under_concurrent_first_use() {
    let start = Barrier::new(8);
    let seen: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    // Some threads come in through `Engine::default()`, which clones it.
                    let engine: &Engine = default_engine();
                    let cloned = if t % 2 == 0 {
                        Some(Engine::default())
                    } else {
                        None
                    };
                    let used = cloned.as_ref().unwrap_or(engine);
                    assert!(used.shares_tables_with(default_engine()));
                    let intents = used
                        .classify("快递怎么还没到", &Context::default())
                        .intents
                        .iter()
                        .map(|i| i.id.to_string())
                        .collect();
                    (engine as *const Engine as usize, intents)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
    assert_eq!(
        seen[0].1.first().map(String::as_str),
        Some("delivery_anxiety")
    );
}
