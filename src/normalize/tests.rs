//! Tests of the fold: its fast paths against the general per-character path, the offset map,
//! and what the rest of the crate relies on.
use super::*;

#[test]
fn folds_width_case_and_traditional() {
    assert_eq!(fold("ＨＥＬＬＯ，Ｗｏｒｌｄ！"), "hello,world!");
    assert_eq!(fold("還沒到貨"), "还没到货");
    assert_eq!(fold("Refund PLEASE"), "refund please");
}

#[test]
fn whitespace_between_cjk_and_hangul_is_dropped() {
    assert_eq!(fold("배송 언제 와요"), "배송언제와요");
    assert_eq!(fold("快递 怎么\u{3000}还没到"), "快递怎么还没到");
    assert_eq!(fold("  where   is\tmy  order "), "where is my order");
    assert_eq!(fold("iphone 多少钱"), "iphone 多少钱");
}

#[test]
fn curly_quotes_fold_to_straight_ones() {
    assert_eq!(fold("hasn’t “arrived”"), "hasn't \"arrived\"");
}

#[test]
fn zero_width_characters_vanish() {
    assert_eq!(fold("re\u{200B}fund"), "refund");
    assert_eq!(fold("\u{FEFF}파\u{200D}손"), "파손");
}

#[test]
fn offsets_point_back_into_the_original() {
    let original = "亲，東西 壞了";
    let mut n = Normalized::default();
    n.fold(original);
    assert_eq!(n.text, "亲,东西坏了");
    let start = n.text.find("坏了").unwrap();
    let (a, b) = n.original_span(original, start, start + "坏了".len());
    assert_eq!(&original[a..b], "壞了");
}

#[test]
fn counts_scripts() {
    let mut n = Normalized::default();
    n.fold("我要refund now 환불 配送は 還沒");
    assert_eq!(
        n.scripts,
        ScriptCounts {
            han: 6,
            hant: 2,
            hangul: 2,
            kana: 1,
            latin_words: 2
        }
    );
}

/// `fold` as it was before the fast paths for three-byte characters: ASCII and CJK fast
/// paths, everything else one character at a time. The fast paths must match it exactly.
fn reference_fold(input: &str) -> Normalized {
    fn push_one(n: &mut Normalized, out: char, offset: u32) {
        n.text.push(out);
        n.source.resize(n.text.len(), offset);
    }
    fn fold_other(
        n: &mut Normalized,
        c: char,
        offset: u32,
        pending_space: &mut Option<u32>,
        last: &mut Option<char>,
        in_latin_word: &mut bool,
    ) {
        if is_ignorable(c) {
            return;
        }
        if c.is_whitespace() {
            pending_space.get_or_insert(offset);
            *in_latin_word = false;
            return;
        }
        let folded = fold_char(c);
        let first = folded.first();
        if let Some(space_at) = pending_space.take() {
            if let Some(prev) = *last {
                if !(is_cjk(prev) && is_cjk(first)) {
                    n.text.push(' ');
                    n.source.push(space_at);
                }
            }
        }
        match script_of(first) {
            Script::Han => n.scripts.han += 1,
            Script::Hangul => n.scripts.hangul += 1,
            Script::Latin if !*in_latin_word => n.scripts.latin_words += 1,
            _ => {}
        }
        *in_latin_word =
            script_of(first) == Script::Latin || (*in_latin_word && first.is_ascii_digit());
        let last_out = folded.last();
        for out in folded.iter() {
            n.digits |= out.is_numeric();
            push_one(n, out, offset);
        }
        *last = last_out;
    }

    let mut n = Normalized::default();
    let mut pending_space: Option<u32> = None;
    let mut last: Option<char> = None;
    let mut in_latin_word = false;
    // Character by character (the engine's fold walks bytes, with fast paths).
    for (at, c) in input.char_indices() {
        let offset = at as u32;
        if c.is_ascii() {
            let b = c as u8;
            let class = ASCII_CLASS[b as usize];
            if class == SPACE {
                pending_space.get_or_insert(offset);
                in_latin_word = false;
                continue;
            }
            if let Some(space_at) = pending_space.take() {
                if last.is_some() {
                    n.text.push(' ');
                    n.source.push(space_at);
                }
            }
            match class {
                LETTER => {
                    n.scripts.latin_words += u32::from(!in_latin_word);
                    in_latin_word = true;
                }
                DIGIT => n.digits = true,
                _ => in_latin_word = false,
            }
            let out = b.to_ascii_lowercase() as char;
            n.text.push(out);
            n.source.push(offset);
            last = Some(out);
            continue;
        }
        if cjk_kind(c) != NOT_CJK {
            if let Some(out) = n.scripts.fold_cjk(c) {
                if let Some(space_at) = pending_space.take() {
                    if last.is_some_and(|prev| !is_cjk(prev)) {
                        n.text.push(' ');
                        n.source.push(space_at);
                    }
                }
                in_latin_word = false;
                push_one(&mut n, out, offset);
                last = Some(out);
                continue;
            }
        }
        fold_other(
            &mut n,
            c,
            offset,
            &mut pending_space,
            &mut last,
            &mut in_latin_word,
        );
    }
    n
}

/// Folds `input` with `n` (reused, as the engine does) and with `reference_fold`.
fn assert_folds_like_reference(n: &mut Normalized, input: &str) {
    n.fold(input);
    let want = reference_fold(input);
    assert_eq!(n.text, want.text, "text of {input:?}");
    assert_eq!(n.source, want.source, "source of {input:?}");
    assert_eq!(n.scripts, want.scripts, "scripts of {input:?}");
    assert_eq!(n.digits, want.digits, "digits of {input:?}");
}

#[test]
fn simplify_matches_the_table() {
    let t2s = &*T2S;
    for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
        let want = t2s
            .pairs
            .binary_search_by_key(&c, |p| p.0)
            .map_or(c, |i| t2s.pairs[i].1);
        assert_eq!(simplify(c), want, "{c:?}");
    }
}

#[test]
fn fast_paths_match_the_general_path_for_every_character() {
    let mut n = Normalized::default();
    let mut input = String::new();
    for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
        // One text holding `c` after and before each kind of neighbour, spaces included.
        input.clear();
        for part in ["a", "中", " ", "1", "", "\u{3000}", "x ", "배", "。", "ａ"] {
            input.push(c);
            input.push_str(part);
        }
        input.push(c);
        assert_folds_like_reference(&mut n, &input);
    }
}

#[test]
fn fast_paths_match_the_general_path_for_sequences() {
    let samples = [
        "a", "Z", "7", " ", "\t", "\n", "-", "中", "們", "東", "배", "ㅋ", "か", "カ", "㐀", "丽",
        "\u{3000}", "、", "。", "「", "】", "〇", "〜", "，", "！", "？", "：", "；", "ａ", "Ｚ",
        "７", "～", "\u{FF5F}", "\u{FF00}", "ｶ", "😊", "𠀀", "𡗗", "İ", "ß", "Σ", "é", "\u{200B}",
        "\u{200D}", "\u{FEFF}", "\u{00A0}", "\u{2003}", "’", "“", "²", "٣", "Ⅻ", "\u{0301}",
    ];
    let mut n = Normalized::default();
    let mut input = String::new();
    for a in samples {
        for b in samples {
            for c in samples {
                input.clear();
                input.push_str(a);
                input.push_str(b);
                input.push_str(c);
                assert_folds_like_reference(&mut n, &input);
            }
        }
    }
    for tricky in [
        "",
        "  ",
        "ＨＥＬＬＯ，Ｗｏｒｌｄ！",
        "還沒到貨 ，什麼時候　到？",
        "İstanbul'a KARGO ne zaman",
        "re\u{200B}fund \u{FEFF}파\u{200D}손",
        "a \u{3000} b\u{00A0}c\u{2003}\t中 \u{3000}文　ｘ",
        "第１２３号【急】《说明》「好」『好』〈〉、。",
    ] {
        assert_folds_like_reference(&mut n, tricky);
    }
}

#[test]
fn fast_paths_match_the_general_path_on_the_bench_data() {
    let mut n = Normalized::default();
    for lang in ["zh", "ko", "en"] {
        let path = format!("{}/benches/data/{lang}.txt", env!("CARGO_MANIFEST_DIR"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for line in text.lines() {
            assert_folds_like_reference(&mut n, line);
        }
        assert_folds_like_reference(&mut n, &text);
    }
}

#[test]
fn expansions_are_whole_units() {
    let mut n = Normalized::default();
    n.fold("İx");
    // 'İ' lowercases to "i\u{307}": a keyword "i" must not match half of it.
    assert!(!n.on_source_boundaries(0, 1));
    assert!(n.on_source_boundaries(0, 3));
}
