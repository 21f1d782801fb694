//! What the criterion benches (`benches/engine.rs`) and the throughput report
//! (`examples/throughput.rs`) share: the message fixtures and synthetic rule packs of a given
//! keyword count. Included by both with `#[path]`.
// Each includer uses a different part of this module.
#![allow(dead_code)]

/// The message fixtures of `benches/data/` (see its README.md): one buyer message per line.
pub const ZH: &str = include_str!("../data/zh.txt");
pub const KO: &str = include_str!("../data/ko.txt");
pub const EN: &str = include_str!("../data/en.txt");

/// The fixture lines of one text.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.is_empty()).collect()
}

/// The three languages' messages interleaved (zh, ko, en, zh, ...): a shop selling abroad.
pub fn mixed<'a>(zh: &[&'a str], ko: &[&'a str], en: &[&'a str]) -> Vec<&'a str> {
    let n = zh.len().min(ko.len()).min(en.len());
    (0..n).flat_map(|i| [zh[i], ko[i], en[i]]).collect()
}

/// The fourteen intents; synthetic packs spread their keywords over them.
pub const INTENTS: [&str; 14] = [
    "greeting",
    "product_inquiry",
    "bargaining",
    "delivery_anxiety",
    "shipping_options",
    "address_change",
    "damage",
    "quality_issue",
    "usage_question",
    "repeat_dissatisfaction",
    "return_refund",
    "cancel_order",
    "complaint",
    "praise",
];

/// Common Han characters: what the filler keywords of a synthetic pack are made of.
const HAN: &str = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切";

/// A small deterministic generator (xorshift): the same pack on every machine and run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The negators of a synthetic pack: a pack of `n` keywords has `n + 3` in all.
pub const NEGATORS: [&str; 3] = ["不", "没", "没有"];

/// How many keywords of a synthetic pack come from the bundled Chinese pack, whatever its size.
pub const BASE_KEYWORDS: usize = 500;

/// The keywords of a synthetic Chinese pack of exactly `n` keywords: first [`BASE_KEYWORDS`]
/// Chinese keywords of `base` (evenly spread over the bundled pack's, so realistic messages hit
/// about as many keywords whatever the size), then filler product terms of 3 to 6 common Han
/// characters, which occasionally match as real shop vocabulary does. A larger pack contains
/// every keyword of a smaller one.
pub fn synthetic_keywords(base: &[&str], n: usize) -> Vec<String> {
    let han: Vec<char> = HAN.chars().collect();
    // The pack's negators are keywords of their own (see `synthetic_pack`).
    let mut seen: std::collections::HashSet<String> =
        NEGATORS.iter().map(|n| n.to_string()).collect();
    let chinese: Vec<&str> = base
        .iter()
        .copied()
        .filter(|kw| kw.chars().all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)))
        .collect();
    let take = BASE_KEYWORDS.min(n).min(chinese.len());
    let mut out = Vec::with_capacity(n);
    for i in 0..take {
        let kw = chinese[i * chinese.len() / take];
        if seen.insert(kw.to_string()) {
            out.push(kw.to_string());
        }
    }
    let mut rng = Rng::new(0x5EED_0FC0_FFEE);
    while out.len() < n {
        let len = 3 + rng.below(4);
        let kw: String = (0..len).map(|_| han[rng.below(han.len())]).collect();
        if seen.insert(kw.clone()) {
            out.push(kw);
        }
    }
    out
}

/// A Chinese rule pack over `keywords`: lists of 50 keywords spread over the fourteen intents,
/// with a negation list, so that classify does all of its usual work.
pub fn synthetic_pack(keywords: &[String]) -> String {
    let mut pack = String::with_capacity(keywords.len() * 24 + 1024);
    pack.push_str("language = \"zh\"\nnegatable = true\n[negation]\nbefore = [");
    for n in NEGATORS {
        pack.push_str(&format!("\"{n}\", "));
    }
    pack.push_str("]\n");
    for (i, intent) in INTENTS.iter().enumerate() {
        pack.push_str(&format!("[intent.{intent}]\nkeywords = [\n"));
        for (c, chunk) in keywords.chunks(50).enumerate() {
            if c % INTENTS.len() != i {
                continue;
            }
            for kw in chunk {
                pack.push('"');
                for ch in kw.chars() {
                    if ch == '"' || ch == '\\' {
                        pack.push('\\');
                    }
                    pack.push(ch);
                }
                pack.push_str("\",");
            }
            pack.push('\n');
        }
        pack.push_str("]\n");
    }
    pack
}

/// Builds an engine over a synthetic pack (see [`synthetic_pack`]) of `keywords`: what the
/// `build` figures time, without the pack's generation.
pub fn build_synthetic(keywords: &[String], pack: &str) -> replykit::Engine {
    replykit::Engine::builder()
        .bundled(false)
        .max_keywords(keywords.len().max(250_000))
        .max_pack_bytes(pack.len().max(8 << 20))
        .pack_str("synthetic.toml", pack)
        .build()
        .expect("the synthetic pack is valid")
}

/// One long message of at least `bytes` bytes: fixture messages one after another.
pub fn long_message(lines: &[&str], bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 256);
    for line in lines.iter().cycle() {
        if out.len() >= bytes {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
