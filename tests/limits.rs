use replykit::{Context, Engine};
#[test]
fn probe_b() {
    let pack = "language = \"en\"\n[[intent]]\nid = \"x\"\n[[intent.pattern]]\nregex = '\\b'\n";
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", pack)
        .build();
    println!("{:?}", e.as_ref().err());
    let e = e.unwrap();
    let c = e.classify("hello", &Context::default());
    println!("{c:?}");
}
#[test]
fn probe_nest() {
    let depth = 10000;
    let pack = format!(
        "language = \"en\"\nx = {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let e = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", &pack)
        .build();
    println!("{}", e.err().map(|e| e.message()).unwrap_or_default());
}
