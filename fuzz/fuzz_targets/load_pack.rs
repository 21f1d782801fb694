//! Any bytes as a rule pack: alone or layered after the bundled packs, from a string or a
//! file, with default or tiny limits. A pack either fails with an error that names its file,
//! or builds an engine that answers its own keywords (and the pack text) soundly.
//!
//! Input: one flags byte (low 6 bits 0x01: layer after the bundled packs; 0x02: read from a
//! file; 0x04: tiny limits), then the pack.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use replykit::{Context, Engine, OrderStatus};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, pack)) = data.split_first() else {
        return;
    };
    // Building the bundled packs takes ~0.1 s (0.3 s instrumented): layer over them for one
    // flags value in 64, so that they get fuzzed without starving everything else.
    let bundled = flags & 0x3F == 0x01;
    let tiny = flags & 4 != 0;
    let mut builder = Engine::builder();
    builder.bundled(bundled).max_replies(5);
    let limit = if tiny { 64 } else { 64 * 1024 };
    if tiny {
        builder
            .max_message_bytes(limit)
            .max_pack_bytes(2048)
            .max_keywords(if bundled { 100_000 } else { 40 })
            .max_keyword_bytes(12)
            .max_template_bytes(48)
            .max_patterns(if bundled { 1_000 } else { 2 })
            .regex_size_limit(20_000);
    }
    let name;
    let path = std::env::temp_dir().join(format!("replykit-fuzz-{}.toml", std::process::id()));
    match std::str::from_utf8(pack) {
        Ok(text) if flags & 2 == 0 => {
            name = "fuzz.toml".to_string();
            builder.pack_str(&name, text);
        }
        _ => {
            std::fs::write(&path, pack).unwrap();
            name = path.display().to_string();
            builder.pack_path(&path);
        }
    }
    match builder.build() {
        Err(e) => {
            let shown = e.to_string();
            let _ = format!("{e:?}");
            let path = e.path().expect("a pack error names its file");
            assert!(shown.starts_with(path), "{shown}");
            assert!(
                path == name || path.starts_with("rules/"),
                "{path} vs {name}"
            );
            if let (Some(line), Some(col)) = (e.line(), e.column()) {
                assert!(
                    shown.starts_with(&format!("{path}:{line}:{col}: ")),
                    "{shown}"
                );
            }
        }
        Ok(engine) => {
            let text = String::from_utf8_lossy(pack);
            let mut ctx = Context::default();
            ctx.repeat_customer = true;
            ctx.vip = true;
            ctx.order_status = Some(OrderStatus::Shipped);
            ctx.days_since_shipped = Some(9);
            ctx.order_amount = Some(12.5);
            let keywords: Vec<String> = engine.keywords().take(64).map(str::to_string).collect();
            let all = keywords.join(" ");
            for message in [&*text, &all, "你好 안녕하세요 hello"] {
                for ctx in [&Context::default(), &ctx] {
                    common::check_engine(&engine, limit, 5, message, ctx);
                }
            }
            for k in &keywords {
                common::check_engine(&engine, limit, 5, k, &Context::default());
            }
        }
    }
});
