//! Character classes of the fold: how one character folds, which script it is, whether it
//! is CJK or part of a Latin word.

use super::t2s::simplify;

/// The characters one source character folds to: almost always one, a few lowercase to more.
pub(super) enum Folded {
    One(char),
    Many(std::char::ToLowercase),
}

impl Folded {
    pub(super) fn first(&self) -> char {
        match self {
            Folded::One(c) => *c,
            Folded::Many(it) => it.clone().next().unwrap_or(' '),
        }
    }
    pub(super) fn last(&self) -> Option<char> {
        match self {
            Folded::One(c) => Some(*c),
            Folded::Many(it) => it.clone().last(),
        }
    }
    pub(super) fn iter(self) -> impl Iterator<Item = char> {
        let (one, many) = match self {
            Folded::One(c) => (Some(c), None),
            Folded::Many(it) => (None, Some(it)),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

pub(super) fn fold_char(c: char) -> Folded {
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

/// The code point of a three-byte UTF-8 sequence (lead byte `0xE_`) from valid UTF-8.
#[inline(always)]
pub(super) fn decode3(seq: &[u8]) -> u32 {
    (u32::from(seq[0] & 0x0F) << 12) | (u32::from(seq[1] & 0x3F) << 6) | u32::from(seq[2] & 0x3F)
}

/// Zero-width and format characters that change nothing a reader sees.
pub(super) fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

#[derive(PartialEq, Eq, Clone, Copy)]
pub(super) enum Script {
    Han,
    Hangul,
    Latin,
    Other,
}

pub(super) fn script_of(c: char) -> Script {
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

pub(super) const OTHER: u8 = 0;
pub(super) const SPACE: u8 = 1;
pub(super) const LETTER: u8 = 2;
pub(super) const DIGIT: u8 = 3;

/// What `fold` needs to know of each ASCII byte: `char::is_whitespace` (space and `\t` `\n`
/// `\x0B` `\x0C` `\r`), a letter, a digit, or other.
pub(super) static ASCII_CLASS: [u8; 128] = {
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

pub(super) const NOT_CJK: u8 = 0;
pub(super) const HAN: u8 = 1;
pub(super) const HANGUL: u8 = 2;
pub(super) const KANA: u8 = 3;

/// Which of the CJK scripts `c` belongs to, if any: Han and Hangul as `script_of` counts them
/// (kana is CJK but counts for no language). The common blocks are tested first.
#[inline]
pub(super) fn cjk_kind(c: char) -> u8 {
    cjk_kind_u32(c as u32)
}

/// `cjk_kind` of a code point already decoded to a `u32`.
#[inline]
pub(super) fn cjk_kind_u32(u: u32) -> u8 {
    match u {
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
