//! Placeholder replaced by the throughput work (issue 4).
fn main() {}
