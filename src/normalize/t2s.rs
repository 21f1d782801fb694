//! Traditional to simplified Chinese, one character at a time, for the fold.

use once_cell::sync::Lazy;

/// Traditional -> simplified Chinese, one character each, from `data/t2s.tsv`.
///
/// Most Han characters in a message are already simplified, so a bitset over planes 0 and 1
/// answers "has a mapping?" in one load; only traditional characters (and characters from
/// plane 2 up) pay for the binary search.
pub(super) struct T2s {
    /// Bit `u` is set when U+`u` (below `BITSET_END`) is a traditional character in `pairs`.
    has: Box<[u64; BITSET_END as usize / 64]>,
    pub(super) pairs: Vec<(char, char)>,
}

/// The bitset of `T2s` covers U+0000..U+1FFFF: the BMP and the emoji of plane 1.
const BITSET_END: u32 = 0x20000;

impl T2s {
    /// Whether `u` may have a mapping: exact below `BITSET_END`, always true from there up.
    #[inline]
    pub(super) fn has(&self, u: u32) -> bool {
        u >= BITSET_END || self.has[(u / 64) as usize] & (1 << (u % 64)) != 0
    }
}

pub(super) static T2S: Lazy<T2s> = Lazy::new(|| {
    let mut pairs: Vec<(char, char)> = include_str!("../../data/t2s.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cs = l.split('\t').map(|f| f.chars().next());
            Some((cs.next()??, cs.next()??))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    let mut has = Box::new([0u64; BITSET_END as usize / 64]);
    for &(t, _) in &pairs {
        let t = t as u32;
        if t < BITSET_END {
            has[(t / 64) as usize] |= 1 << (t % 64);
        }
    }
    T2s { has, pairs }
});

pub(super) fn simplify(c: char) -> char {
    let t2s = &*T2S;
    if !t2s.has(c as u32) {
        return c;
    }
    t2s.pairs
        .binary_search_by_key(&c, |p| p.0)
        .map_or(c, |i| t2s.pairs[i].1)
}
