fn main() {
    let text = include_str!("../benches/data/zh.txt");
    let lines: Vec<&str> = text.lines().collect();
    let e = replykit::default_engine();
    let ctx = replykit::Context::default();
    let lang = std::env::args().nth(1).unwrap_or("zh".into());
    let text = match lang.as_str() {
        "en" => include_str!("../benches/data/en.txt"),
        "ko" => include_str!("../benches/data/ko.txt"),
        _ => text,
    };
    let lines: Vec<&str> = if lang == "zh" {
        lines
    } else {
        text.lines().collect()
    };
    let mut n = 0;
    for _ in 0..200 {
        for l in &lines {
            n += e.classify(l, &ctx).intents.len();
        }
    }
    println!("{n}");
}
