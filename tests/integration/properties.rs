//! Property tests: any `&str` is safe to classify, evidence spans are exact, results are
//! deterministic, and the keyword automaton finds exactly what a naive search finds.
//!
//! Every property runs `CASES` (10,000) generated cases; `PROPTEST_CASES` does not lower it.
//! Run them in release mode: `cargo test --release`.
//!
//! Two oracles check that an evidence span "slices back to text that folds to the keyword"
//! without reaching into the crate's private folding:
//!
//! - [`Probe`], for the bundled packs and arbitrary Unicode: an engine whose one intent holds every
//!   bundled keyword, written in its folded form. Classifying the evidence text *alone* with it
//!   must find the evidence keyword over the whole text (`0..text.len()`). Folding maps each
//!   source character on its own (only whitespace looks at its neighbours, and a span never
//!   starts or ends in whitespace), so a span that is exact folds alone to exactly the keyword,
//!   while one that takes in or leaves out a character that folds to something does not. This
//!   uses the crate's folding on both sides, so it checks the span mapping, not the folding
//!   itself; hence the second oracle.
//! - [`reference`], for a small alphabet whose folding is written out here from
//!   `rules/FORMAT.md` (case, full width, traditional to simplified, zero-width characters,
//!   whitespace runs, word boundaries, `*` prefixes): a brute-force search over text folded by
//!   that reference gives the exact set of (keyword, original span) the engine must report.
//!   On the same alphabet, regex patterns are checked against the `regex` crate run directly on
//!   the reference-folded text: a pattern fires exactly when that finds a non-empty match.

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence};
use replykit::{Classification, Context, Engine, Evidence, OrderStatus, default_engine};
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Cases per property: at least the 10,000 the reliability issue asks for.
const CASES: u32 = 10_000;

fn config() -> Config {
    Config {
        cases: CASES,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// The bundled engine's keywords (folded), for messages that actually match something.
static KEYWORDS: LazyLock<Vec<String>> =
    LazyLock::new(|| default_engine().keywords().map(str::to_string).collect());

/// Simplified -> traditional, from the crate's own table, to write keywords the traditional way.
static S2T: LazyLock<Vec<(char, char)>> = LazyLock::new(|| {
    let mut pairs: Vec<(char, char)> = include_str!("../../data/t2s.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cs = l.split('\t').map(|f| f.chars().next());
            let (t, s) = (cs.next()??, cs.next()??);
            Some((s, t))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    pairs
});

static TRADITIONAL: LazyLock<Vec<char>> = LazyLock::new(|| S2T.iter().map(|p| p.1).collect());

fn to_traditional(c: char) -> char {
    S2T.binary_search_by_key(&c, |p| p.0)
        .map_or(c, |i| S2T[i].1)
}

fn to_full_width(c: char) -> char {
    match c {
        '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
        ' ' => '\u{3000}',
        c => c,
    }
}

fn chars_in(ranges: &'static [(u32, u32)]) -> impl Strategy<Value = String> {
    select(ranges).prop_flat_map(|(a, b)| {
        (a..=b).prop_map(|u| char::from_u32(u).map(String::from).unwrap_or_default())
    })
}

fn one_of(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    select(items).prop_map(str::to_string)
}

/// A keyword of the bundled packs, whole or in part, written the way buyers type: upper case,
/// full width, traditional characters, spaces or zero-width characters between letters.
fn keyword_fragment() -> impl Strategy<Value = String> {
    (
        0..KEYWORDS.len(),
        0usize..8,
        0usize..8,
        0u8..8,
        select(&[" ", "  ", "\u{200B}", "\u{200D}", "\u{3000}", "\t"][..]),
    )
        .prop_map(|(i, cut_front, cut_back, variant, gap)| {
            let chars: Vec<char> = KEYWORDS[i].chars().collect();
            let chars = if variant == 7 && chars.len() > 1 {
                let from = cut_front.min(chars.len() - 1);
                let to = chars.len().saturating_sub(cut_back).max(from + 1);
                chars[from..to].to_vec()
            } else {
                chars
            };
            let sep = |c: &char| {
                let mut s = String::from(*c);
                s.push_str(gap);
                s
            };
            match variant {
                0 => chars.iter().flat_map(|c| c.to_uppercase()).collect(),
                1 => chars.iter().map(|&c| to_full_width(c)).collect(),
                2 => chars.iter().map(|&c| to_traditional(c)).collect(),
                3 => chars.iter().map(sep).collect(),
                _ => chars.into_iter().collect(),
            }
        })
}

/// One piece of a message: a script, a tricky character class, or a keyword fragment.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        // Combining marks, Hangul jungseong/jongseong jamo.
        2 => chars_in(&[(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x20D0, 0x20FF), (0x1160, 0x11FF)]),
        // Zero-width and format characters, variation selectors, soft hyphen.
        2 => one_of(&["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}",
            "\u{FE0F}", "\u{FE0E}", "\u{180E}", "\u{034F}", "\u{E0001}"]),
        // Bidi controls and marks.
        2 => one_of(&["\u{200E}", "\u{200F}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}",
            "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{061C}"]),
        // Emoji sequences: ZWJ families, flags, skin tones, keycaps.
        2 => one_of(&["👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇰🇷", "🇨🇳", "❤️", "1️⃣", "😀", "🙏🏻",
            "👩🏾‍💻", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "😡😡"]),
        // Full-width and half-width forms, ideographic space.
        2 => chars_in(&[(0xFF01, 0xFF5E), (0xFF61, 0xFF9F), (0xFFE0, 0xFFEE), (0x3000, 0x3000)]),
        // Hangul syllables, jamo, compatibility jamo (ㅋㅋ ㅠㅠ).
        3 => chars_in(&[(0xAC00, 0xD7A3), (0x1100, 0x115F), (0x3131, 0x318E)]),
        // Han: unified, extension A and B, compatibility ideographs; traditional characters.
        3 => chars_in(&[(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0xF900, 0xFAFF)]),
        2 => select(TRADITIONAL.clone()).prop_map(String::from),
        // Latin, accented and other cased letters with odd lowercase forms.
        3 => "[a-zA-Z0-9]{1,8}",
        2 => one_of(&["İ", "ß", "ẞ", "Σ", "ς", "\u{212A}", "\u{212B}", "ﬁ", "Ǆ", "ǅ", "É",
            "ŉ", "ΐ", "Ω", "ﬀ", "Ⅻ", "①", "٣", "é", "Привет", "ÀÉÎÕÜ"]),
        // Whitespace runs, including line and paragraph separators.
        3 => proptest::collection::vec(select(&[" ", "\t", "\n", "\r", "\u{3000}", "\u{00A0}",
            "\u{2028}", "\u{2029}", "\u{0085}", "\u{1680}", "\u{2003}", "\u{000B}"][..]), 1..6)
            .prop_map(|v| v.concat()),
        // Punctuation, including the clause breaks negation stops at, and braces.
        2 => one_of(&[",", ".", "!", "?", "，", "。", "！", "？", "…", "~", "～", ";", ":", "、",
            "*", "{", "}", "{buyer}", "'", "\"", "\\", "$", "%", "-"]),
        // Negators of the three languages.
        2 => one_of(&["没", "没有", "不", "not ", "no ", "never ", "안 ", "못 ", "없이", "別"]),
        // Control characters and the ends of the code space.
        1 => chars_in(&[(0x0000, 0x001F), (0x007F, 0x009F), (0xE000, 0xE0FF), (0xFFF0, 0xFFFF),
            (0x10FFF0, 0x10FFFF)]),
        // Keywords of the bundled packs, so that matches, negation and scoring happen.
        8 => keyword_fragment(),
    ]
}

/// A message mixing the pieces above.
fn mixed_message() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..24).prop_map(|v| v.concat())
}

/// Arbitrary Unicode: any scalar value, any length up to a few hundred characters.
fn any_message() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter),
    ]
}

fn context() -> impl Strategy<Value = Context> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(select(
            &[
                OrderStatus::Unpaid,
                OrderStatus::Paid,
                OrderStatus::Shipped,
                OrderStatus::Delivered,
            ][..],
        )),
        prop::option::of(0u32..40),
        // Amounts in cents, as shops have them. (An arbitrary f64 such as 3651.2132292790725
        // may come back one ULP off unless serde_json's `float_roundtrip` feature is on.)
        prop::option::of((-1_000i64..10_000_000).prop_map(|cents| cents as f64 / 100.0)),
        prop::option::of(select(&["zh", "ko", "en", "fr", ""][..])),
        prop::option::of("[{}a-z가-힣 ]{0,6}"),
    )
        .prop_map(|(repeat, vip, status, days, amount, language, shop)| {
            let mut ctx = Context::default();
            ctx.repeat_customer = repeat;
            ctx.vip = vip;
            ctx.order_status = status;
            ctx.days_since_shipped = days;
            ctx.order_amount = amount;
            ctx.language = language.map(str::to_string);
            ctx.shop = shop;
            ctx
        })
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// The probe oracle described at the top of the file.
struct Probe {
    engine: Engine,
}

static PROBE: LazyLock<Probe> = LazyLock::new(|| {
    let mut pack =
        String::from("language = \"xx\"\n[fuzzy]\nedits = false\n[intent.probe]\nkeywords = [\n");
    for k in KEYWORDS.iter() {
        // A folded keyword that itself ends in `*` gets one more: the format strips one.
        let written = if k.ends_with('*') {
            format!("{k}*")
        } else {
            k.clone()
        };
        pack.push_str(&toml_string(&written));
        pack.push_str(",\n");
    }
    pack.push_str("]\n");
    let engine = Engine::builder()
        .bundled(false)
        .pack_str("probe.toml", &pack)
        .build()
        .unwrap();
    Probe { engine }
});

impl Probe {
    /// True when `text`, folded on its own, is exactly `keyword`.
    fn folds_to(&self, text: &str, keyword: &str) -> bool {
        self.engine
            .classify(text, &Context::default())
            .intents
            .iter()
            .flat_map(|i| &i.evidence)
            .any(|e| e.start == 0 && e.end == text.len() && e.keyword.as_deref() == Some(keyword))
    }
}

/// A TOML basic string for `s`.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7F}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Evidence whose text need not fold to a keyword: a regex match, or a misspelled match.
fn is_inexact(e: &Evidence) -> bool {
    e.keyword.is_none() || e.fuzzy
}

/// Spans are non-empty, within the part read, on char boundaries, and slice back to `text`.
fn check_spans(message: &str, read: usize, c: &Classification) -> Result<(), TestCaseError> {
    for intent in &c.intents {
        prop_assert!(intent.score.is_finite());
        for e in &intent.evidence {
            prop_assert!(e.start < e.end && e.end <= read, "{e:?} in {read} bytes");
            prop_assert!(message.is_char_boundary(e.start), "{e:?}");
            prop_assert!(message.is_char_boundary(e.end), "{e:?}");
            prop_assert_eq!(&message[e.start..e.end], e.text(message));
        }
    }
    Ok(())
}

/// Every exact keyword evidence of the bundled engine folds back to its keyword (probe oracle).
fn check_folds_back(message: &str, c: &Classification) -> Result<(), TestCaseError> {
    for e in c.intents.iter().flat_map(|i| &i.evidence) {
        if !is_inexact(e) {
            let keyword = e.keyword.as_deref().unwrap_or("");
            prop_assert!(
                PROBE.folds_to(e.text(message), keyword),
                "evidence text {:?} does not fold to keyword {:?}",
                e.text(message),
                keyword
            );
        }
    }
    Ok(())
}

/// Everything the bundled engine promises for one message and context.
fn check_bundled(message: &str, ctx: &Context) -> Result<(), TestCaseError> {
    let engine = default_engine();
    let c = engine.classify(message, ctx);
    let read = message.len().min(64 * 1024);
    prop_assert_eq!(c.truncated, message.len() > 64 * 1024);
    check_spans(message, read, &c)?;
    check_folds_back(message, &c)?;
    // Deterministic, and suggest agrees with classify.
    prop_assert_eq!(&engine.classify(message, ctx), &c);
    let s = engine.suggest(message, ctx);
    prop_assert_eq!(&s.classification, &c);
    prop_assert!(s.replies.len() <= 3);
    prop_assert!(s.hints.windows(2).all(|w| w[0].priority >= w[1].priority));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties over the bundled packs
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Arbitrary Unicode never panics and yields exact, folding spans.
    #[test]
    fn arbitrary_unicode_is_safe(message in any_message()) {
        check_bundled(&message, &Context::default())?;
    }

    /// Mixed scripts, combining marks, ZWJ/ZWSP, bidi controls, emoji, full width, whitespace
    /// runs and keyword fragments, under any context: safe, exact, deterministic.
    #[test]
    fn mixed_messages_are_safe(message in mixed_message(), ctx in context()) {
        check_bundled(&message, &ctx)?;
    }

    /// The same message gives the same answer after other messages (per-thread buffers are
    /// reset) and on a fresh thread (with fresh buffers).
    #[test]
    fn answers_do_not_depend_on_history_or_thread(
        a in mixed_message(),
        b in mixed_message(),
        ctx in context(),
    ) {
        let engine = default_engine();
        let first = engine.suggest(&a, &ctx);
        let _ = engine.suggest(&b, &Context::default());
        let _ = engine.classify(&b, &ctx);
        prop_assert_eq!(&engine.suggest(&a, &ctx), &first);
        let (a2, ctx2) = (a.clone(), ctx.clone());
        let other = std::thread::spawn(move || default_engine().suggest(&a2, &ctx2))
            .join()
            .unwrap();
        prop_assert_eq!(&other, &first);
    }

    /// Results round-trip through JSON, whatever the message.
    #[test]
    fn results_round_trip_through_json(message in mixed_message(), ctx in context()) {
        let s = default_engine().suggest(&message, &ctx);
        let back: replykit::Suggestion =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        prop_assert_eq!(&back, &s);
        let c = default_engine().classify(&message, &ctx);
        let back: Classification =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        prop_assert_eq!(&back, &c);
        let back: Context = serde_json::from_str(&serde_json::to_string(&ctx).unwrap()).unwrap();
        prop_assert_eq!(&back, &ctx);
    }

    /// Past the maximum message size only a prefix (cut on a char boundary) is read: the
    /// answer is the prefix's answer, flagged as truncated.
    #[test]
    fn long_messages_read_only_their_prefix(
        message in mixed_message(),
        limit in select(&[0usize, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89][..]),
        ctx in context(),
    ) {
        let engine = small_engine(limit);
        let c = engine.classify(&message, &ctx);
        prop_assert_eq!(c.truncated, message.len() > limit);
        let mut read = message.len().min(limit);
        while !message.is_char_boundary(read) {
            read -= 1;
        }
        check_spans(&message, read, &c)?;
        let mut prefix = engine.classify(&message[..read], &ctx);
        prop_assert!(!prefix.truncated);
        prefix.truncated = c.truncated;
        prop_assert_eq!(&prefix, &c);
        let s = engine.suggest(&message, &ctx);
        prop_assert_eq!(s.classification.truncated, c.truncated);
    }
}

/// The bundled engine with a small message limit, built once per limit.
fn small_engine(limit: usize) -> &'static Engine {
    static ENGINES: LazyLock<Vec<(usize, Engine)>> = LazyLock::new(|| {
        [0usize, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
            .into_iter()
            .map(|n| (n, Engine::builder().max_message_bytes(n).build().unwrap()))
            .collect()
    });
    &ENGINES.iter().find(|(n, _)| *n == limit).unwrap().1
}

/// The probe oracle is exact for the bundled keywords: each folds to itself (folding is
/// idempotent on them), and each is found over its whole length in itself.
#[test]
fn probe_oracle_is_sound() {
    let probe: BTreeSet<&str> = PROBE.engine.keywords().collect();
    let bundled: BTreeSet<&str> = KEYWORDS.iter().map(String::as_str).collect();
    assert_eq!(
        probe.symmetric_difference(&bundled).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "folding is not idempotent on these bundled keywords"
    );
    for k in KEYWORDS.iter() {
        assert!(PROBE.folds_to(k, k), "{k:?}");
    }
    // And it tells a span off by one character from an exact one.
    assert!(PROBE.folds_to("壓壞", "压坏"));
    assert!(!PROBE.folds_to("壓壞了", "压坏"));
    assert!(!PROBE.folds_to("壞", "压坏"));
}

/// Each bundled keyword, alone and written in capitals, full width or traditional, read in
/// each language: safe and exact.
#[test]
fn every_bundled_keyword_is_safe_in_every_language() {
    let mut ctx = Context::default();
    for lang in ["zh", "ko", "en"] {
        ctx.language = Some(lang.to_string());
        for k in KEYWORDS.iter() {
            let variants = [
                k.clone(),
                k.to_uppercase(),
                k.chars().map(to_full_width).collect(),
                k.chars().map(to_traditional).collect(),
                format!("  {k}!! {k}"),
            ];
            for message in &variants {
                let c = default_engine().classify(message, &ctx);
                check_spans(message, message.len(), &c).unwrap();
                check_folds_back(message, &c).unwrap();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The automaton against a naive search, over an alphabet whose folding is written out here
// ---------------------------------------------------------------------------------------------

/// The reference folding for the test alphabet, written from `rules/FORMAT.md`.
mod reference {
    /// Characters messages are made of: ASCII letters and digits in both cases, their full-width
    /// forms, a Latin letter outside ASCII, Han (simplified and traditional), Hangul,
    /// whitespace, zero-width characters and punctuation.
    pub const MESSAGE: &[char] = &[
        'a', 'b', 'c', 'A', 'B', 'C', 'Ａ', 'ｂ', 'Ｃ', '1', '１', 'é', 'É', '坏', '东', '压',
        '了', '壞', '東', '壓', '가', '나', ' ', ' ', '\t', '\n', '\u{3000}', '\u{200B}',
        '\u{200D}', ',', '-', '*',
    ];
    /// Characters keywords are made of (no newline: TOML strings cannot hold one raw).
    pub const KEYWORD: &[char] = &[
        'a', 'b', 'c', 'A', 'Ｂ', '1', 'é', '坏', '东', '壓', '了', '가', '나', ' ', '\u{200B}',
        ',', '-',
    ];

    /// What one character folds to; `None` for characters folding drops.
    fn fold_char(c: char) -> Option<char> {
        Some(match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'Ａ'..='Ｚ' => char::from_u32(c as u32 - 0xFEE0 + 0x20).unwrap(),
            'ａ'..='ｚ' | '１' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
            'É' => 'é',
            '壞' => '坏',
            '東' => '东',
            '壓' => '压',
            '\u{200B}' | '\u{200D}' => return None,
            c => c,
        })
    }

    fn is_space(c: char) -> bool {
        matches!(c, ' ' | '\t' | '\n' | '\u{3000}')
    }

    /// Han and Hangul: keywords in them match anywhere, and spaces between them vanish.
    fn is_cjk(c: char) -> bool {
        matches!(c, '坏' | '东' | '压' | '了' | '가' | '나')
    }

    /// Letters and digits of words, which Latin keywords may not cut.
    pub fn is_word(c: char) -> bool {
        c.is_ascii_alphanumeric() || c == 'é'
    }

    /// Folded text, and for each of its characters the byte span of the source character(s)
    /// it came from (a whitespace run's space comes from the run's first character).
    pub fn fold(input: &str) -> (Vec<char>, Vec<(usize, usize)>) {
        let mut text = Vec::new();
        let mut source = Vec::new();
        let mut pending: Option<(usize, usize)> = None;
        for (at, c) in input.char_indices() {
            let span = (at, at + c.len_utf8());
            if is_space(c) {
                pending.get_or_insert(span);
                continue;
            }
            let Some(f) = fold_char(c) else { continue };
            if let Some(space) = pending.take() {
                if let Some(&prev) = text.last() {
                    if !(is_cjk(prev) && is_cjk(f)) {
                        text.push(' ');
                        source.push(space);
                    }
                }
            }
            text.push(f);
            source.push(span);
        }
        (text, source)
    }

    /// A keyword as the format reads it: folded body, and whether it must start / end on a
    /// word boundary (a trailing `*` lifts the end boundary).
    pub fn keyword(written: &str) -> (Vec<char>, bool, bool) {
        let (body, prefix) = match written.trim_end().strip_suffix('*') {
            Some(body) => (body, true),
            None => (written, false),
        };
        let folded = fold(body).0;
        let start = folded.first().is_some_and(|&c| is_word(c));
        let end = !prefix && folded.last().is_some_and(|&c| is_word(c));
        (folded, start, end)
    }

    /// Every (keyword index, original byte span) a brute-force search finds.
    pub fn search(message: &str, keywords: &[String]) -> Vec<(usize, usize, usize)> {
        let (text, source) = fold(message);
        let mut found = Vec::new();
        for (k, written) in keywords.iter().enumerate() {
            let (kw, boundary_start, boundary_end) = keyword(written);
            if kw.is_empty() || kw.len() > text.len() {
                continue;
            }
            for i in 0..=text.len() - kw.len() {
                let j = i + kw.len();
                if text[i..j] != kw[..]
                    || (boundary_start && i > 0 && is_word(text[i - 1]))
                    || (boundary_end && j < text.len() && is_word(text[j]))
                {
                    continue;
                }
                found.push((k, source[i].0, source[j - 1].1));
            }
        }
        found.sort();
        found
    }
}

fn reference_keyword() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(select(reference::KEYWORD), 1..5),
        any::<bool>(),
    )
        .prop_map(|(chars, star)| {
            let mut k: String = chars.into_iter().collect();
            if star {
                k.push('*');
            }
            k
        })
        .prop_filter("folds to nothing", |k| !reference::keyword(k).0.is_empty())
}

/// Keywords, and a message made of alphabet characters and (bodies of) those keywords.
fn keywords_and_message() -> impl Strategy<Value = (Vec<String>, String)> {
    proptest::collection::vec(reference_keyword(), 1..7).prop_flat_map(|keywords| {
        let bodies: Vec<String> = keywords
            .iter()
            .map(|k| k.trim_end_matches('*').to_string())
            .collect();
        let piece = prop_oneof![
            2 => select(reference::MESSAGE).prop_map(String::from),
            1 => select(bodies),
        ];
        (
            Just(keywords),
            proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat()),
        )
    })
}

/// A pack with one intent per keyword, so that every keyword's first hit shows as evidence
/// (a keyword shows once however often it occurs), and no misspelled matches.
fn oracle_pack(keywords: &[String]) -> String {
    let mut pack = String::from("language = \"xx\"\n[fuzzy]\nedits = false\n");
    for (i, k) in keywords.iter().enumerate() {
        pack.push_str(&format!("[intent.k{i}]\nkeywords = [{}]\n", toml_string(k)));
    }
    pack
}

proptest! {
    #![proptest_config(config())]

    /// The engine reports exactly the first (keyword, original span) of each keyword that a
    /// brute-force search over the reference folding finds, with the folded keyword and exact
    /// text.
    #[test]
    fn automaton_hits_equal_naive_search((keywords, message) in keywords_and_message()) {
        let engine = Engine::builder()
            .bundled(false)
            .pack_str("oracle.toml", &oracle_pack(&keywords))
            .build()
            .unwrap();
        let c = engine.classify(&message, &Context::default());
        check_spans(&message, message.len(), &c)?;
        let mut got = Vec::new();
        for intent in &c.intents {
            let k: usize = intent.id[1..].parse().unwrap();
            let folded: String = reference::keyword(&keywords[k]).0.into_iter().collect();
            for e in &intent.evidence {
                prop_assert_eq!(e.keyword.as_deref(), Some(folded.as_str()));
                let text_folded: String = reference::fold(e.text(&message)).0.into_iter().collect();
                prop_assert_eq!(&text_folded, &folded);
                got.push((k, e.start, e.end));
            }
        }
        got.sort();
        let mut want = reference::search(&message, &keywords);
        // Only each keyword's first match: the earliest start.
        want.dedup_by_key(|w| w.0);
        prop_assert_eq!(got, want, "message {:?}, keywords {:?}", message, keywords);
    }
}

/// The reference folding agrees with the examples `rules/FORMAT.md` and the crate docs give.
#[test]
fn reference_folding_matches_the_documented_examples() {
    let fold = |s: &str| reference::fold(s).0.into_iter().collect::<String>();
    assert_eq!(fold("ＡＢ  c\t1"), "ab c 1");
    assert_eq!(fold("壞 了"), "坏了");
    assert_eq!(fold("가 나"), "가나");
    assert_eq!(fold("a 가"), "a 가");
    assert_eq!(fold("a\u{200B}b"), "ab");
    assert_eq!(reference::keyword("ab*"), (vec!['a', 'b'], true, false));
    assert_eq!(reference::keyword("坏a"), (vec!['坏', 'a'], false, true));
    assert_eq!(
        reference::search("ab abc cab", &["ab".into()]),
        vec![(0, 0, 2)]
    );
    assert_eq!(
        reference::search("ab abc", &["ab*".into()]),
        vec![(0, 0, 2), (0, 3, 5)]
    );
}

// ---------------------------------------------------------------------------------------------
// Regex patterns against the regex crate run directly on the reference folding
// ---------------------------------------------------------------------------------------------

/// A regex over the folded test alphabet: literals, small classes, `.`, `\b`, anchors,
/// alternation, groups and repetition. Unicode classes (`\w`, `\d`) are left out only because
/// they are slow to compile 10,000 times.
fn reference_regex() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        6 => select(&["a", "b", "c", "1", "é", "坏", "东", "压", "了", "가", "나", " ", ",", "-"][..])
            .prop_map(regex::escape),
        1 => select(&["[ab]", "[^a ]", "[0-9]", "[坏压]", "[가-힣]", ".", "[ ,]"][..])
            .prop_map(str::to_string),
        1 => select(&["\\b", "\\B", "^", "$"][..]).prop_map(str::to_string),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            3 => proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
            1 => proptest::collection::vec(inner.clone(), 2..4)
                .prop_map(|v| format!("(?:{})", v.join("|"))),
            2 => (inner, select(&["?", "*", "+", "{1,2}", "{2}", "??", "+?"][..]))
                .prop_map(|(r, q)| format!("(?:{r}){q}")),
        ]
    })
}

/// Patterns that load (they do not match the empty string), and a message that often
/// matches them.
fn patterns_and_message() -> impl Strategy<Value = (Vec<String>, String)> {
    let pattern = reference_regex().prop_filter("matches the empty string", |p| {
        regex::Regex::new(p).is_ok_and(|r| !r.is_match(""))
    });
    (
        proptest::collection::vec(pattern, 1..4),
        proptest::collection::vec(select(reference::MESSAGE), 0..24),
    )
        .prop_map(|(patterns, chars)| (patterns, chars.into_iter().collect()))
}

proptest! {
    #![proptest_config(config())]

    /// A pattern fires exactly when the regex crate finds a non-empty leftmost match in the
    /// reference-folded message, and its evidence is that match, mapped to the original.
    #[test]
    fn patterns_fire_exactly_on_regex_matches((patterns, message) in patterns_and_message()) {
        let mut pack = String::from("language = \"xx\"\n");
        for (i, p) in patterns.iter().enumerate() {
            pack.push_str(&format!("[intent.p{i}]\npatterns = ['{p}']\n"));
        }
        let engine = Engine::builder()
            .bundled(false)
            .pack_str("patterns.toml", &pack)
            .build()
            .unwrap();
        let c = engine.classify(&message, &Context::default());
        check_spans(&message, message.len(), &c)?;
        let (folded, source) = reference::fold(&message);
        let text: String = folded.iter().collect();
        // Byte offset in `text` -> index of its character.
        let char_at: Vec<usize> = text
            .char_indices()
            .enumerate()
            .flat_map(|(i, (_, ch))| std::iter::repeat_n(i, ch.len_utf8()))
            .collect();
        for (i, p) in patterns.iter().enumerate() {
            let want = regex::Regex::new(p)
                .unwrap()
                .find(&text)
                .filter(|m| !m.is_empty())
                .map(|m| {
                    let (first, last) = (char_at[m.start()], char_at[m.end() - 1]);
                    (source[first].0, source[last].1)
                });
            let got = c
                .intents
                .iter()
                .find(|intent| intent.id == format!("p{i}"))
                .map(|intent| {
                    let e = &intent.evidence[0];
                    prop_assert!(e.keyword.is_none());
                    Ok((e.start, e.end))
                })
                .transpose()?;
            prop_assert_eq!(got, want, "pattern {:?} on {:?} (folded {:?})", p, message, text);
        }
    }
}
