//! Any message and context through the bundled engine (and one with tiny limits).
//!
//! Input: the message, then optionally a 0xFF byte (never in UTF-8) and bytes that draw a
//! context, so plain text files make good seeds. Invalid UTF-8 in the message is replaced.
#![no_main]

#[path = "common.rs"]
mod common;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use replykit::{Context, Engine, default_engine};
use std::sync::OnceLock;

const SMALL_LIMIT: usize = 37;

fn small() -> &'static Engine {
    static SMALL: OnceLock<Engine> = OnceLock::new();
    SMALL.get_or_init(|| {
        Engine::builder()
            .max_message_bytes(SMALL_LIMIT)
            .max_replies(10)
            .build()
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let (message, rest) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let message = String::from_utf8_lossy(message);
    let mut u = Unstructured::new(rest);
    let ctx = common::context(&mut u).unwrap_or_default();
    let use_small = u.arbitrary::<bool>().unwrap_or(false);
    common::check_engine(default_engine(), 64 * 1024, 3, &message, &ctx);
    common::check_engine(
        default_engine(),
        64 * 1024,
        3,
        &message,
        &Context::default(),
    );
    if use_small {
        common::check_engine(small(), SMALL_LIMIT, 10, &message, &ctx);
    }
});
