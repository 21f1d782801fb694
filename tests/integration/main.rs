//! The crate's integration tests, in one binary (`tests/default_engine_once.rs` needs a
//! process of its own): behaviour on small packs, the bundled packs, accuracy on corpora,
//! malformed packs, limits, concurrency, properties, regressions, the rule-author tools and
//! the CLIs.

mod accuracy;
mod bad_packs;
mod bundled;
mod cli;
mod concurrency;
mod conversation;
mod engine;
mod limits;
mod properties;
mod regressions;
mod tools;
