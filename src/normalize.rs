//! Stage 1: fold a message (or a keyword) into the form keywords are matched in, keeping a map
//! from every byte of the folded text back to the caller's original text.
//!
//! Folding: full-width forms to ASCII, lowercase, traditional to simplified Chinese, zero-width
//! and format characters dropped, whitespace runs collapsed to one space and dropped entirely
//! between two CJK/Hangul characters (Korean spacing is loose: "배송 언제" == "배송언제").
//! Each source character maps to the folded characters independently of its neighbours
//! (except for whitespace), which is what makes the offset map exact and the cost linear.

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

/// Script units of a text, for language detection: Han characters (and, of them, the
/// traditional-only ones), Hangul syllables, kana, and words of other letters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScriptCounts {
    pub(crate) han: u32,
    pub(crate) hant: u32,
    pub(crate) hangul: u32,
    pub(crate) kana: u32,
    pub(crate) latin_words: u32,
}

impl ScriptCounts {
    /// Folds the CJK character `c` (Han, kana and Hangul have no case; only traditional Han
    /// characters change) and counts it: its simplified form, or `None` if that is no CJK
    /// character.
    pub(crate) fn fold_cjk(&mut self, c: char) -> Option<char> {
        let out = simplify(c);
        if out != c {
            self.hant += 1;
        }
        match cjk_kind(out) {
            NOT_CJK => return None,
            HAN => self.han += 1,
            HANGUL => self.hangul += 1,
            _ => self.kana += 1,
        }
        Some(out)
    }
}

/// What the previous folded character was, as far as whitespace folding cares: a pending
/// space is dropped at the start of the text and between two CJK/Hangul characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing has been written yet.
    Nothing,
    /// A CJK/Hangul character (`is_cjk`).
    Cjk,
    /// Anything else.
    Other,
}

impl Last {
    fn of(c: char) -> Last {
        if is_cjk(c) { Last::Cjk } else { Last::Other }
    }
}

/// The state `fold` carries from one source character to the next.
struct Walk {
    /// Where a pending whitespace run started, if one is pending.
    pending_space: Option<u32>,
    last: Last,
    in_latin_word: bool,
}

impl Normalized {
    /// Folds `input` into `self`, reusing its buffers.
    ///
    /// The hot path of every call: ASCII, BMP CJK/Hangul and the common full-width and CJK
    /// punctuation (nearly all of a message) take fast paths that give exactly what the general
    /// per-character folding (`fold_other`) gives; the `fast_paths_match_the_general_path_*`
    /// tests check every character against the code as it was before them.
    pub(crate) fn fold(&mut self, input: &str) {
        self.text.clear();
        self.source.clear();
        self.text.reserve(input.len());
        self.source.reserve(input.len());
        self.scripts = ScriptCounts::default();
        self.digits = false;
        // Once per call rather than once per Han character: the `Lazy` check is not free.
        let t2s = &*T2S;
        let mut walk = Walk {
            pending_space: None,
            last: Last::Nothing,
            in_latin_word: false,
        };
        let bytes = input.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let offset = at as u32;
            let b = bytes[at];
            if b < 0x80 {
                if ASCII_CLASS[b as usize] == SPACE {
                    at += 1;
                    walk.pending_space.get_or_insert(offset);
                    walk.in_latin_word = false;
                } else {
                    at = self.push_ascii_run(input, at, &mut walk);
                }
                continue;
            }
            if b & 0xF0 == 0xE0 {
                // A three-byte sequence: the whole BMP above U+07FF, so all common CJK,
                // Hangul, CJK punctuation and full-width forms.
                let end = self.push_cjk_run(input, at, t2s, &mut walk);
                if end > at {
                    at = end;
                    continue;
                }
                let seq = &input[at..at + 3];
                let u = decode3(seq.as_bytes());
                match u {
                    // Full-width ASCII forms (！ to ～): `fold_char` gives the ASCII character
                    // at a fixed distance, which is never CJK, never a space and folds exactly
                    // as that ASCII byte would, only from a three-byte source.
                    0xFF01..=0xFF5E => {
                        at += 3;
                        self.push_ascii((u - 0xFEE0) as u8, offset, &mut walk);
                        continue;
                    }
                    // The ideographic space: whitespace, as in `fold_other`.
                    0x3000 => {
                        at += 3;
                        walk.pending_space.get_or_insert(offset);
                        walk.in_latin_word = false;
                        continue;
                    }
                    // CJK punctuation (、。〈〉《》「」『』【】): no case, not a letter, not a
                    // digit, not CJK, so it folds to itself like ASCII punctuation does.
                    0x3001 | 0x3002 | 0x3008..=0x3011 if !t2s.has(u) => {
                        at += 3;
                        self.push_space(&mut walk);
                        walk.in_latin_word = false;
                        walk.last = Last::Other;
                        self.text.push_str(seq);
                        self.source.extend_from_slice(&[offset; 3]);
                        continue;
                    }
                    _ => {}
                }
            }
            let Some(c) = input[at..].chars().next() else {
                break;
            };
            at += c.len_utf8();
            if cjk_kind(c) != NOT_CJK {
                if let Some(out) = self.scripts.fold_cjk(c) {
                    self.push_cjk_space(&mut walk);
                    walk.in_latin_word = false;
                    self.push_one(out, offset);
                    walk.last = Last::Cjk;
                    continue;
                }
            }
            self.fold_other(c, offset, &mut walk);
        }
    }

    /// Folds the CJK/Hangul text from `start` up to the first character that is not a
    /// three-byte CJK character folding to itself (traditional Han characters change), and
    /// returns where it stopped: `start` if it folded nothing.
    ///
    /// Such characters have no case, so each folds to its own three bytes, which are copied
    /// instead of encoding the character again; the script counts are added once at the end.
    #[inline(always)]
    fn push_cjk_run(&mut self, input: &str, start: usize, t2s: &T2s, walk: &mut Walk) -> usize {
        let bytes = input.as_bytes();
        let mut end = start;
        let mut han = 0;
        let mut hangul = 0;
        let mut kana = 0;
        while let Some(seq @ &[b0, ..]) = bytes.get(end..end + 3) {
            if b0 & 0xF0 != 0xE0 {
                break;
            }
            let u = decode3(seq);
            let kind = cjk_kind_u32(u);
            if kind == NOT_CJK || t2s.has(u) {
                break;
            }
            match kind {
                HAN => han += 1,
                HANGUL => hangul += 1,
                _ => kana += 1,
            }
            if end == start {
                // A pending space goes before the first character of the stretch.
                self.push_cjk_space(walk);
            }
            // One character at a time: a three-byte copy is inlined, a longer one calls
            // `memcpy`, which costs more for the few characters between two punctuation marks.
            self.text.push_str(&input[end..end + 3]);
            self.source.extend_from_slice(&[end as u32; 3]);
            end += 3;
        }
        if end > start {
            self.scripts.han += han;
            self.scripts.hangul += hangul;
            self.scripts.kana += kana;
            walk.in_latin_word = false;
            walk.last = Last::Cjk;
        }
        end
    }

    /// Folds the ASCII text from `start`, a byte that is not whitespace, up to the first
    /// non-ASCII byte or irregular whitespace, and returns where it stopped.
    ///
    /// In such a stretch every whitespace byte is a lone `' '` between two other ASCII bytes,
    /// which folds to itself, and every other byte folds to its lowercase: the folded stretch
    /// is the stretch lowercased, byte for byte, so it is copied at once rather than pushed a
    /// byte at a time. Only the script counts need a look at each byte.
    #[inline(always)]
    fn push_ascii_run(&mut self, input: &str, start: usize, walk: &mut Walk) -> usize {
        self.push_space(walk);
        let bytes = input.as_bytes();
        let mut end = start;
        while let Some(&b) = bytes.get(end) {
            if b >= 0x80 {
                break;
            }
            match ASCII_CLASS[b as usize] {
                SPACE => {
                    let regular = b == b' '
                        && bytes.get(end + 1).is_some_and(|&next| {
                            next < 0x80 && ASCII_CLASS[next as usize] != SPACE
                        });
                    if !regular {
                        // Left for `fold` to collapse (or drop before CJK).
                        break;
                    }
                    walk.in_latin_word = false;
                }
                LETTER => {
                    self.scripts.latin_words += u32::from(!walk.in_latin_word);
                    walk.in_latin_word = true;
                }
                // A digit neither starts nor ends a Latin word ("abc123" is one word).
                DIGIT => self.digits = true,
                _ => walk.in_latin_word = false,
            }
            end += 1;
        }
        // `start` is not whitespace and a space is only taken with the byte after it, so the
        // stretch is not empty and ends on a byte that is not whitespace.
        if end - start <= 2 {
            // Short stretches (a digit or "!!" between Han characters) are more common than
            // long ones in Chinese text; a bulk copy costs more for them than single pushes.
            for (at, &b) in bytes[start..end].iter().enumerate() {
                self.text.push(b.to_ascii_lowercase() as char);
                self.source.push((start + at) as u32);
            }
        } else {
            let from = self.text.len();
            self.text.push_str(&input[start..end]);
            self.text[from..].make_ascii_lowercase();
            self.source.extend(start as u32..end as u32);
        }
        walk.last = Last::Other;
        end
    }

    /// Folds one ASCII byte (or the full-width form of one) from `offset`.
    #[inline(always)]
    fn push_ascii(&mut self, b: u8, offset: u32, walk: &mut Walk) {
        let class = ASCII_CLASS[b as usize];
        if class == SPACE {
            walk.pending_space.get_or_insert(offset);
            walk.in_latin_word = false;
            return;
        }
        self.push_space(walk);
        match class {
            LETTER => {
                self.scripts.latin_words += u32::from(!walk.in_latin_word);
                walk.in_latin_word = true;
            }
            // A digit neither starts nor ends a Latin word ("abc123" is one word).
            DIGIT => self.digits = true,
            _ => walk.in_latin_word = false,
        }
        self.text.push(b.to_ascii_lowercase() as char);
        self.source.push(offset);
        walk.last = Last::Other;
    }

    /// Writes the pending space, if any, before a character that is not CJK: it survives
    /// unless it is at the start of the text.
    #[inline(always)]
    fn push_space(&mut self, walk: &mut Walk) {
        if let Some(space_at) = walk.pending_space.take() {
            if walk.last != Last::Nothing {
                self.text.push(' ');
                self.source.push(space_at);
            }
        }
    }

    /// Writes the pending space, if any, before a CJK/Hangul character: it survives only after
    /// a character that is not CJK.
    #[inline(always)]
    fn push_cjk_space(&mut self, walk: &mut Walk) {
        if let Some(space_at) = walk.pending_space.take() {
            if walk.last == Last::Other {
                self.text.push(' ');
                self.source.push(space_at);
            }
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
    fn fold_other(&mut self, c: char, offset: u32, walk: &mut Walk) {
        if is_ignorable(c) {
            return;
        }
        if c.is_whitespace() {
            walk.pending_space.get_or_insert(offset);
            walk.in_latin_word = false;
            return;
        }
        let folded = fold_char(c);
        let first = folded.first();
        if let Some(space_at) = walk.pending_space.take() {
            // A space survives unless it sits between two CJK/Hangul characters or at the start.
            if walk.last != Last::Nothing && !(walk.last == Last::Cjk && is_cjk(first)) {
                self.text.push(' ');
                self.source.push(space_at);
            }
        }
        match script_of(first) {
            Script::Han => self.scripts.han += 1,
            Script::Hangul => self.scripts.hangul += 1,
            Script::Latin if !walk.in_latin_word => self.scripts.latin_words += 1,
            _ => {}
        }
        walk.in_latin_word =
            script_of(first) == Script::Latin || (walk.in_latin_word && first.is_ascii_digit());
        if let Some(last_out) = folded.last() {
            walk.last = Last::of(last_out);
        } else {
            // Nothing written (cannot happen: a lowercase mapping is never empty); the original
            // per-character code recorded "no previous character" then.
            walk.last = Last::Nothing;
        }
        for out in folded.iter() {
            // CJK and Hangul characters (the fast path) are never numeric; others may be.
            self.digits |= out.is_numeric();
            self.push_one(out, offset);
        }
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

mod chars;
mod t2s;
#[cfg(test)]
mod tests;

use chars::*;
use t2s::{T2S, T2s, simplify};

pub(crate) use chars::{is_cjk, is_word_char};
