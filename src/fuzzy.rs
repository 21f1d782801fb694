//! Typo tolerance for Latin keywords: a word of the message one edit away from a keyword of
//! 5+ letters (a letter dropped, doubled, swapped with its neighbour or mistyped: "reufnd",
//! "damged", "recieved") matches it, fuzzily. Both keep their first letter (buyers rarely
//! mistype it, and "there" is not "where").
//!
//! Found the symmetric-deletion way: the index holds every keyword and every keyword with one
//! letter deleted, by hash; a word is looked up as itself and with each letter deleted. Any two
//! strings one edit apart share one of those forms; each candidate is then checked exactly.

use crate::normalize::is_word_char;

/// Keywords shorter than this never match fuzzily: short words are too close to each other.
pub(crate) const MIN_LETTERS: usize = 5;
/// Longer words are not looked up (no keyword is this long and a word this long is rare).
const MAX_LETTERS: usize = 32;

/// The fuzzy index of one language: deletion forms of its single-word Latin keywords.
#[derive(Debug, Default)]
pub(crate) struct FuzzyIndex {
    /// Open addressing, a power of two long: (hash of a form, keyword entry + 1; 0 = empty).
    slots: Vec<(u64, u32)>,
    /// One bit per form hash (its top bits): most words' forms are in no keyword's, and this
    /// small bitmap (16 bits per form) says so without touching the table.
    filter: Vec<u64>,
    /// How far to shift a hash right for its filter bit.
    filter_shift: u32,
    /// Per keyword entry of the language (by index), its text when it is in the index.
    texts: Vec<Option<Box<str>>>,
}

impl FuzzyIndex {
    /// Indexes the keywords (folded texts, by entry index) that are single words of 5 to 32
    /// ASCII letters with an end boundary (a `refund*` prefix keyword is never fuzzy).
    pub(crate) fn build<'a>(keywords: impl Iterator<Item = (&'a str, bool)>) -> FuzzyIndex {
        let mut texts = Vec::new();
        let mut forms = Vec::new();
        for (entry, (text, boundary_end)) in keywords.enumerate() {
            let eligible = boundary_end
                && (MIN_LETTERS..=MAX_LETTERS).contains(&text.len())
                && text.bytes().all(|b| b.is_ascii_lowercase());
            texts.push(eligible.then(|| text.into()));
            if eligible {
                for_each_form(text.as_bytes(), |h| {
                    forms.push((h, entry as u32 + 1));
                    true
                });
            }
        }
        if forms.is_empty() {
            return FuzzyIndex::default();
        }
        forms.sort_unstable();
        forms.dedup();
        let bits = (forms.len() * 16)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 24);
        let filter_shift = 64 - bits.trailing_zeros();
        let mut filter = vec![0u64; bits / 64];
        for &(h, _) in &forms {
            let bit = (h >> filter_shift) as usize;
            filter[bit / 64] |= 1 << (bit % 64);
        }
        let len = (forms.len() * 2).next_power_of_two();
        let mut slots = vec![(0u64, 0u32); len];
        for (h, entry) in forms {
            let mut at = h as usize & (len - 1);
            while slots[at].1 != 0 {
                at = (at + 1) & (len - 1);
            }
            slots[at] = (h, entry);
        }
        FuzzyIndex {
            slots,
            filter,
            filter_shift,
            texts,
        }
    }

    /// Whether the index holds anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Calls `found(start, end, entry)` for every word of `text` (folded) that is one edit from
    /// an indexed keyword and not itself a keyword, once per (word, keyword).
    pub(crate) fn find(&self, text: &str, mut found: impl FnMut(usize, usize, u32)) {
        if self.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        let mut candidates: Vec<u32> = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            if !bytes[at].is_ascii_lowercase() {
                at += 1;
                continue;
            }
            let start = at;
            while at < bytes.len() && bytes[at].is_ascii_lowercase() {
                at += 1;
            }
            let word = &bytes[start..at];
            let whole_word = !text[..start].chars().next_back().is_some_and(is_word_char)
                && !text[at..].chars().next().is_some_and(is_word_char);
            // Both the word and the keyword have 5+ letters; a keyword has at most 32.
            if !whole_word || word.len() < MIN_LETTERS || word.len() > MAX_LETTERS + 1 {
                continue;
            }
            candidates.clear();
            let mut exact = false;
            // The word's own form comes first: a word that is a keyword (most long words of a
            // message that has any) stops there, its deletion forms never hashed or looked up.
            for_each_form(word, |h| {
                self.lookup(h, |entry| {
                    let Some(kw) = self.texts[entry as usize].as_deref() else {
                        return;
                    };
                    if kw.as_bytes() == word {
                        exact = true;
                    } else if kw.as_bytes()[0] == word[0]
                        && one_edit(kw.as_bytes(), word)
                        && !candidates.contains(&entry)
                    {
                        candidates.push(entry);
                    }
                });
                !exact
            });
            // A word that is a keyword is read exactly; its neighbours are other words.
            if !exact {
                for &entry in &candidates {
                    found(start, at, entry);
                }
            }
        }
    }

    fn lookup(&self, h: u64, mut f: impl FnMut(u32)) {
        let bit = (h >> self.filter_shift) as usize;
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return;
        }
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let (slot_hash, entry) = self.slots[at];
            if entry == 0 {
                return;
            }
            if slot_hash == h {
                f(entry - 1);
            }
            at = (at + 1) & mask;
        }
    }
}

/// The polynomial hash's base (odd, so that it is invertible modulo 2^64).
const BASE: u64 = 0x100_0000_01b3;

/// `BASE^i`, for every length a looked-up word can have.
const POWERS: [u64; MAX_LETTERS + 2] = {
    let mut p = [1u64; MAX_LETTERS + 2];
    let mut i = 1;
    while i < p.len() {
        p[i] = p[i - 1].wrapping_mul(BASE);
        i += 1;
    }
    p
};

/// Calls `f` with the hash of `word`, then of `word` with each one letter deleted, while `f`
/// returns true, in linear time: with prefix and suffix hashes, a form with letter `i` deleted
/// hashes as `prefix(i) * BASE^(n-1-i) + suffix(i+1)`.
fn for_each_form(word: &[u8], mut f: impl FnMut(u64) -> bool) {
    let n = word.len().min(MAX_LETTERS + 1);
    let word = &word[..n];
    let power = &POWERS;
    let mut prefix = [0u64; MAX_LETTERS + 2];
    let mut suffix = [0u64; MAX_LETTERS + 2];
    for i in 0..n {
        prefix[i + 1] = prefix[i]
            .wrapping_mul(BASE)
            .wrapping_add(u64::from(word[i]));
    }
    for i in (0..n).rev() {
        suffix[i] = u64::from(word[i])
            .wrapping_mul(power[n - 1 - i])
            .wrapping_add(suffix[i + 1]);
    }
    if !f(finish(prefix[n], n)) {
        return;
    }
    for skip in 0..n {
        // Deleting either of two equal neighbours gives the same form: hash it once.
        if skip > 0 && word[skip] == word[skip - 1] {
            continue;
        }
        let h = prefix[skip]
            .wrapping_mul(power[n - 1 - skip])
            .wrapping_add(suffix[skip + 1]);
        if !f(finish(h, n - 1)) {
            return;
        }
    }
}

/// Mixes a form's polynomial hash with its length, so that all its bits depend on all the
/// letters (the filter reads the top bits); never 0 (an empty slot's hash).
fn finish(h: u64, len: usize) -> u64 {
    let mut x = h ^ (len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x | 1
}

/// Whether `a` and `b` (different) are one edit apart: one letter inserted, deleted, replaced,
/// or two neighbours swapped.
pub(crate) fn one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 => {
            let (sa, sb) = (&short[prefix..], &long[prefix..]);
            !sa.is_empty()
                && (sa[1..] == sb[1..]
                    || (sa.len() >= 2 && sa[0] == sb[1] && sa[1] == sb[0] && sa[2..] == sb[2..]))
        }
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_is_one_edit() {
        for (a, b) in [
            ("refund", "reufnd"),
            ("damaged", "damged"),
            ("received", "recieved"),
            ("refund", "refundd"),
            ("broken", "brokem"),
        ] {
            assert!(one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
        for (a, b) in [
            ("refund", "refund"),
            ("refund", "rfnd"),
            ("refund", "ferund"),
            ("broken", "brkn"),
        ] {
            assert!(!one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
    }

    #[test]
    fn finds_misspelled_words_only() {
        let index = FuzzyIndex::build(
            [
                ("refund", true),
                ("damaged", true),
                ("ship", true),
                ("cancel", false),
            ]
            .into_iter(),
        );
        let mut found = Vec::new();
        index.find(
            "i want a reufnd, it came damgaed and refund please cancle",
            |s, e, k| found.push((s, e, k)),
        );
        assert_eq!(found, vec![(9, 15, 0), (25, 32, 1)]);
        found.clear();
        index.find("shipp refunds xrefund refund7 refundx", |s, e, k| {
            found.push((s, e, k))
        });
        // "ship" is too short to be fuzzy; "xrefund" changes the first letter; "refund7" is
        // no word of letters alone.
        assert_eq!(found, vec![(6, 13, 0), (30, 37, 0)]);
    }
}
