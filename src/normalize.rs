//! Stage 1: fold a message (or a keyword) into the form keywords are matched in, keeping a map
//! from every byte of the folded text back to the caller's original text.
//!
//! Folding: full-width forms to ASCII, lowercase, traditional to simplified Chinese, zero-width
//! and format characters dropped, whitespace runs collapsed to one space and dropped entirely
//! between two CJK/Hangul characters (Korean spacing is loose: "배송 언제" == "배송언제").
//! Each source character maps to the folded characters independently of its neighbours
//! (except for whitespace), which is what makes the offset map exact and the cost linear.

use once_cell::sync::Lazy;

/// A folded message and the map back to the original text.
#[derive(Debug, Default, Clone)]
pub(crate) struct Normalized {
    /// The folded text.
    pub(crate) text: String,
    /// For each byte of `text`, the byte offset in the original of the character it came from.
    pub(crate) source: Vec<u32>,
    /// How many script units the original had, for language detection.
    pub(crate) scripts: ScriptCounts,
    /// Whether `text` holds a numeric character: a regex pattern that needs a digit (`\d`)
    /// cannot match a text without one.
    pub(crate) digits: bool,
}

/// Script units of a text: Han characters, Hangul syllables and Latin words.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScriptCounts {
    pub(crate) han: u32,
    pub(crate) hangul: u32,
    pub(crate) latin_words: u32,
}

impl Normalized {
    /// Folds `input` into `self`, reusing its buffers.
    ///
    /// The hot path of every call: ASCII and CJK/Hangul characters (nearly all of a message)
    /// take a fast path that gives exactly what the general per-character folding gives.
    pub(crate) fn fold(&mut self, input: &str) {
        self.text.clear();
        self.source.clear();
        self.text.reserve(input.len());
        self.source.reserve(input.len());
        self.scripts = ScriptCounts::default();
        self.digits = false;
        // Where a pending whitespace run started, if one is pending.
        let mut pending_space: Option<u32> = None;
        let mut last: Option<char> = None;
        let mut in_latin_word = false;
        let bytes = input.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let offset = at as u32;
            let b = bytes[at];
            if b < 0x80 {
                at += 1;
                let class = ASCII_CLASS[b as usize];
                if class == SPACE {
                    pending_space.get_or_insert(offset);
                    in_latin_word = false;
                    continue;
                }
                if let Some(space_at) = pending_space.take() {
                    // Neither side of the space is CJK: an ASCII character never is.
                    if last.is_some() {
                        self.text.push(' ');
                        self.source.push(space_at);
                    }
                }
                match class {
                    LETTER => {
                        self.scripts.latin_words += u32::from(!in_latin_word);
                        in_latin_word = true;
                    }
                    DIGIT => self.digits = true,
                    _ => in_latin_word = false,
                }
                let out = b.to_ascii_lowercase() as char;
                self.text.push(out);
                self.source.push(offset);
                last = Some(out);
                continue;
            }
            let Some(c) = input[at..].chars().next() else {
                break;
            };
            at += c.len_utf8();
            let kind = cjk_kind(c);
            if kind != NOT_CJK {
                // Han, kana and Hangul have no case; only traditional Han characters change.
                let out = simplify(c);
                let kind = if out == c { kind } else { cjk_kind(out) };
                if kind != NOT_CJK {
                    if let Some(space_at) = pending_space.take() {
                        if last.is_some_and(|prev| !is_cjk(prev)) {
                            self.text.push(' ');
                            self.source.push(space_at);
                        }
                    }
                    match kind {
                        HAN => self.scripts.han += 1,
                        HANGUL => self.scripts.hangul += 1,
                        // Kana: `script_of` says Other for it, as for any non-Latin.
                        _ => {}
                    }
                    in_latin_word = false;
                    self.push_one(out, offset);
                    last = Some(out);
                    continue;
                }
            }
            self.fold_other(c, offset, &mut pending_space, &mut last, &mut in_latin_word);
        }
    }

    /// Pushes one folded character and its source offset (once per UTF-8 byte).
    #[inline]
    fn push_one(&mut self, out: char, offset: u32) {
        self.text.push(out);
        self.source.resize(self.text.len(), offset);
    }

    /// The general path of `fold`: any character, one at a time.
    #[cold]
    fn fold_other(
        &mut self,
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
            // A space survives unless it sits between two CJK/Hangul characters or at the start.
            if let Some(prev) = *last {
                if !(is_cjk(prev) && is_cjk(first)) {
                    self.text.push(' ');
                    self.source.push(space_at);
                }
            }
        }
        match script_of(first) {
            Script::Han => self.scripts.han += 1,
            Script::Hangul => self.scripts.hangul += 1,
            Script::Latin if !*in_latin_word => self.scripts.latin_words += 1,
            _ => {}
        }
        *in_latin_word =
            script_of(first) == Script::Latin || (*in_latin_word && first.is_ascii_digit());
        let last_out = folded.last();
        for out in folded.iter() {
            // CJK and Hangul characters (the fast path) are never numeric; others may be.
            self.digits |= out.is_numeric();
            self.push_one(out, offset);
        }
        *last = last_out;
    }

    /// The byte range in the original text of the folded range `start..end` (`start < end`).
    pub(crate) fn original_span(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        let from = self.source[start] as usize;
        let last = self.source[end - 1] as usize;
        let last_len = original[last..].chars().next().map_or(0, char::len_utf8);
        (from, last + last_len)
    }

    /// True when the folded range `start..end` begins and ends on the folded output of whole
    /// source characters: a keyword may not match half of a character's expansion.
    pub(crate) fn on_source_boundaries(&self, start: usize, end: usize) -> bool {
        (start == 0 || self.source[start - 1] != self.source[start])
            && (end == self.source.len() || self.source[end] != self.source[end - 1])
    }
}

/// Folds a keyword or any short text to a new `String`.
#[cfg(test)]
pub(crate) fn fold(input: &str) -> String {
    let mut n = Normalized::default();
    n.fold(input);
    n.text
}

/// The characters one source character folds to: almost always one, a few lowercase to more.
enum Folded {
    One(char),
    Many(std::char::ToLowercase),
}

impl Folded {
    fn first(&self) -> char {
        match self {
            Folded::One(c) => *c,
            Folded::Many(it) => it.clone().next().unwrap_or(' '),
        }
    }
    fn last(&self) -> Option<char> {
        match self {
            Folded::One(c) => Some(*c),
            Folded::Many(it) => it.clone().last(),
        }
    }
    fn iter(self) -> impl Iterator<Item = char> {
        let (one, many) = match self {
            Folded::One(c) => (Some(c), None),
            Folded::Many(it) => (None, Some(it)),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

fn fold_char(c: char) -> Folded {
    if c.is_ascii() {
        return Folded::One(c.to_ascii_lowercase());
    }
    let c = match c as u32 {
        // Full-width ASCII forms (！ to ～) sit at a fixed distance from ASCII.
        0xFF01..=0xFF5E => {
            return Folded::One(
                char::from_u32(c as u32 - 0xFEE0).map_or(c, |a| a.to_ascii_lowercase()),
            );
        }
        // Phones type curly quotes ("hasn’t"): keywords are written with straight ones.
        0x2018 | 0x2019 | 0x02BC | 0x2032 => return Folded::One('\''),
        0x201C | 0x201D | 0x2033 => return Folded::One('"'),
        _ => simplify(c),
    };
    let mut lower = c.to_lowercase();
    if lower.len() == 1 {
        Folded::One(lower.next().unwrap_or(c))
    } else {
        Folded::Many(lower)
    }
}

/// Zero-width and format characters that change nothing a reader sees.
fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Script {
    Han,
    Hangul,
    Latin,
    Other,
}

fn script_of(c: char) -> Script {
    if c.is_ascii_alphabetic() {
        return Script::Latin;
    }
    if c.is_ascii() {
        return Script::Other;
    }
    match c as u32 {
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => Script::Han,
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Script::Hangul,
        _ if c.is_alphabetic() && !is_cjk(c) => Script::Latin,
        _ => Script::Other,
    }
}

const OTHER: u8 = 0;
const SPACE: u8 = 1;
const LETTER: u8 = 2;
const DIGIT: u8 = 3;

/// What `fold` needs to know of each ASCII byte: `char::is_whitespace` (space and `\t` `\n`
/// `\x0B` `\x0C` `\r`), a letter, a digit, or other.
static ASCII_CLASS: [u8; 128] = {
    let mut t = [OTHER; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b' ' | b'\t'..=b'\r' => SPACE,
            b'a'..=b'z' | b'A'..=b'Z' => LETTER,
            b'0'..=b'9' => DIGIT,
            _ => OTHER,
        };
        b += 1;
    }
    t
};

/// Han, kana and Hangul: scripts written without spaces between words (or, in Korean, with
/// spaces used loosely), so keywords in them match as substrings.
pub(crate) fn is_cjk(c: char) -> bool {
    cjk_kind(c) != NOT_CJK
}

const NOT_CJK: u8 = 0;
const HAN: u8 = 1;
const HANGUL: u8 = 2;
const KANA: u8 = 3;

/// Which of the CJK scripts `c` belongs to, if any: Han and Hangul as `script_of` counts them
/// (kana is CJK but counts for no language). The common blocks are tested first.
#[inline]
fn cjk_kind(c: char) -> u8 {
    match c as u32 {
        0x4E00..=0x9FFF => HAN,
        0xAC00..=0xD7AF => HANGUL,
        0..=0x10FF => NOT_CJK,
        0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x3134F => HAN,
        0x1100..=0x11FF | 0x3130..=0x318F => HANGUL,
        0x3040..=0x30FF => KANA,
        _ => NOT_CJK,
    }
}

/// A character that makes a Latin word go on: a keyword "refund" must not match inside
/// "refunding", but may match right after a Han character ("我要refund").
pub(crate) fn is_word_char(c: char) -> bool {
    // The Unicode tables are consulted last: CJK and Hangul text never needs them.
    c.is_ascii_alphanumeric() || (!c.is_ascii() && !is_cjk(c) && c.is_alphanumeric())
}

/// Traditional -> simplified Chinese, one character each, from `data/t2s.tsv`.
///
/// Most Han characters in a message are already simplified, so a bitset over the BMP answers
/// "has a mapping?" in one load; only traditional characters pay for the binary search.
struct T2s {
    bmp_has: Vec<u64>,
    pairs: Vec<(char, char)>,
}

static T2S: Lazy<T2s> = Lazy::new(|| {
    let mut pairs: Vec<(char, char)> = include_str!("../data/t2s.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cs = l.split('\t').map(|f| f.chars().next());
            Some((cs.next()??, cs.next()??))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    let mut bmp_has = vec![0u64; 65536 / 64];
    for &(t, _) in &pairs {
        let t = t as u32;
        if t < 65536 {
            bmp_has[(t / 64) as usize] |= 1 << (t % 64);
        }
    }
    T2s { bmp_has, pairs }
});

fn simplify(c: char) -> char {
    let t2s = &*T2S;
    let u = c as u32;
    if u < 65536 && t2s.bmp_has[(u / 64) as usize] & (1 << (u % 64)) == 0 {
        return c;
    }
    t2s.pairs
        .binary_search_by_key(&c, |p| p.0)
        .map_or(c, |i| t2s.pairs[i].1)
}

#[cfg(test)]
mod tests {
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
        n.fold("我要refund now 환불");
        assert_eq!(
            n.scripts,
            ScriptCounts {
                han: 2,
                hangul: 2,
                latin_words: 2
            }
        );
    }

    #[test]
    fn expansions_are_whole_units() {
        let mut n = Normalized::default();
        n.fold("İx");
        // 'İ' lowercases to "i\u{307}": a keyword "i" must not match half of it.
        assert!(!n.on_source_boundaries(0, 1));
        assert!(n.on_source_boundaries(0, 3));
    }
}
