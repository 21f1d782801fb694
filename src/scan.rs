//! Run stage 3, scan: one pass of the language's automaton over the folded message finds every
//! keyword, negator and regex gate literal; then the fuzzy pass finds misspelled Latin
//! keywords. Hits that sit on word boundaries (Latin keywords) and whole source characters are
//! kept for the rules, and negated ones are dropped.

use crate::normalize::{Normalized, is_word_char};
use crate::tables::{Language, ScanTables, Target, TargetKind};
use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use std::ops::Range;

/// A keyword hit in the folded text: target `target` (of the language's scan tables) matched
/// by keyword entry `keyword` at `start..end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) keyword: u32,
    pub(crate) target: u32,
    /// A copy of target `target`: the rules read it for every hit, and a copy beside the
    /// offsets saves a look-up in the big target table each time.
    pub(crate) what: Target,
    pub(crate) fuzzy: bool,
}

/// What the scan of one message found, in buffers reused from message to message.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) hits: Vec<Hit>,
    /// Negators: folded span and whether it negates what follows (else what precedes).
    negators: Vec<(u32, u32, bool)>,
    /// Per regex pattern of the language: the gate clauses a literal was seen for.
    gate_open: Vec<u8>,
    /// The regex patterns whose gate the scan opened fully (and the ungated ones): the only
    /// ones that may match.
    pub(crate) ready: Vec<u32>,
}

impl Found {
    /// Scans the folded message `norm` with `language`'s tables.
    pub(crate) fn scan(&mut self, language: &Language, norm: &Normalized) {
        let scan = language.scan();
        self.hits.clear();
        self.negators.clear();
        self.gate_open.clear();
        self.gate_open.resize(language.patterns.len(), 0);
        self.ready.clear();
        self.ready.extend_from_slice(&scan.ungated);
        // A pattern that needs a digit may run if the text has one.
        if norm.digits {
            self.open_gates(scan, scan.digit_gates.clone());
        }
        if let Some(automaton) = &scan.automaton {
            // Unanchored searches are what the automaton is built for: this cannot fail.
            if let Ok(mut state) = automaton.start_state(Anchored::No) {
                // The overlapping search, by hand: one transition per byte, and at a match
                // state every keyword ending there (measured: about 1.2x faster than
                // `find_overlapping_iter`, which leaves and re-enters its loop at each match).
                for (at, &byte) in norm.text.as_bytes().iter().enumerate() {
                    state = automaton.next_state(Anchored::No, state, byte);
                    if !automaton.is_special(state) || !automaton.is_match(state) {
                        continue;
                    }
                    let end = at + 1;
                    for i in 0..automaton.match_len(state) {
                        let pattern = automaton.match_pattern(state, i);
                        let start = end - automaton.pattern_len(pattern);
                        self.found(scan, norm, pattern.as_u32(), start, end, false);
                    }
                }
            }
        }
        let fuzzy = &scan.fuzzy;
        fuzzy.find(&norm.text, |start, end, keyword| {
            self.found(scan, norm, keyword, start, end, true);
        });
        self.drop_negated(language, &norm.text);
        self.ready.sort_unstable();
    }

    /// Records keyword entry `k` at `start..end` of the folded text: opens the regex gates it
    /// satisfies and, where it sits on word boundaries (Latin keywords) and on whole source
    /// characters, keeps its hits and negators.
    fn found(
        &mut self,
        scan: &ScanTables,
        norm: &Normalized,
        k: u32,
        start: usize,
        end: usize,
        fuzzy: bool,
    ) {
        let text = norm.text.as_str();
        let kw = &scan.keywords[k as usize];
        if !fuzzy && kw.gates.start != kw.gates.end {
            self.open_gates(scan, kw.gates.clone());
        }
        if kw.targets.start == kw.targets.end {
            return;
        }
        if !fuzzy {
            if kw.boundary_start && text[..start].chars().next_back().is_some_and(is_word_char) {
                return;
            }
            if kw.boundary_end && text[end..].chars().next().is_some_and(is_word_char) {
                return;
            }
            // A match inside a multi-byte character cannot happen for UTF-8 keywords, but one
            // covering half of a character's lowercase expansion can.
            if !norm.on_source_boundaries(start, end) {
                return;
            }
        }
        for t in kw.targets.clone() {
            let target = &scan.targets[t as usize];
            match target.kind {
                // "能不能退", "有没有货", "甜不甜": an A-not-A question, not a negation.
                TargetKind::NegatorBefore if is_a_not_a(text, start, end) => {}
                TargetKind::NegatorBefore | TargetKind::NegatorAfter if fuzzy => {}
                TargetKind::NegatorBefore => self.negators.push((start as u32, end as u32, true)),
                TargetKind::NegatorAfter => self.negators.push((start as u32, end as u32, false)),
                _ => self.hits.push(Hit {
                    start: start as u32,
                    end: end as u32,
                    keyword: k,
                    target: t,
                    what: *target,
                    fuzzy: fuzzy || target.fuzzy,
                }),
            }
        }
    }

    /// Marks the gate clauses `range` of the language's gates as seen, and a pattern whose
    /// gate this opens fully as ready to run.
    fn open_gates(&mut self, scan: &ScanTables, range: Range<u32>) {
        for g in &scan.gates[range.start as usize..range.end as usize] {
            let open = &mut self.gate_open[g.pattern as usize];
            if *open & g.clause == 0 {
                *open |= g.clause;
                if *open == g.full {
                    self.ready.push(g.pattern);
                }
            }
        }
    }

    /// Drops the hits a negator cancels.
    fn drop_negated(&mut self, language: &Language, text: &str) {
        if self.negators.is_empty() {
            return;
        }
        // By end, so that `is_negated` can look near a hit only.
        self.negators.sort_unstable_by_key(|n| n.1);
        let longest = self.negators.iter().map(|n| n.1 - n.0).max().unwrap_or(0);
        let negators = &self.negators;
        self.hits.retain(|hit| {
            !(hit.what.negatable
                && is_negated(text, hit, negators, language.negation_window, longest))
        });
    }

    /// Whether the gates of pattern `i` were all opened (checked by a debug assertion).
    #[cfg(debug_assertions)]
    pub(crate) fn gate_open(&self, i: usize, gate: u8) -> bool {
        self.gate_open[i] & gate == gate
    }
}

/// Whether a negator cancels `hit`: one that ends at most `window` units before it (or, for
/// "after" negators, starts at most `window` units after it) with no clause break between. A
/// negator inside the keyword itself ("还没到") does not count: the keyword was written whole.
///
/// `negators` is sorted by end, and no gap longer than [`MAX_GAP_BYTES`] counts: only negators
/// ending from that far before the hit to that far plus the `longest` negator after it are
/// looked at, which keeps a message dense with negators and cues linear.
fn is_negated(
    text: &str,
    hit: &Hit,
    negators: &[(u32, u32, bool)],
    window: u32,
    longest: u32,
) -> bool {
    let from = negators.partition_point(|n| n.1.saturating_add(MAX_GAP_BYTES) < hit.start);
    let reach = hit
        .end
        .saturating_add(MAX_GAP_BYTES)
        .saturating_add(longest);
    let to = negators.partition_point(|n| n.1 <= reach);
    negators[from..to].iter().any(|&(start, end, before)| {
        if before {
            end <= hit.start && gap_units(&text[end as usize..hit.start as usize], window)
        } else {
            start >= hit.end && gap_units(&text[hit.end as usize..start as usize], window)
        }
    })
}

/// True when the negator at `start..end` sits between two equal characters (X不X, X没X): the
/// Chinese yes-no question form, which asks rather than denies.
fn is_a_not_a(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    before.is_some_and(|c| !c.is_whitespace() && text[end..].starts_with(c))
}

/// The longest gap, in bytes of folded text, between a negator and the cue it cancels.
const MAX_GAP_BYTES: u32 = 64;

/// True when `gap` holds at most `window` units (a CJK/Hangul character or a Latin word each)
/// and no punctuation that closes a clause.
fn gap_units(gap: &str, window: u32) -> bool {
    if gap.len() > MAX_GAP_BYTES as usize {
        return false;
    }
    let mut units = 0;
    let mut in_word = false;
    for c in gap.chars() {
        if is_clause_break(c) {
            return false;
        }
        if is_word_char(c) {
            if !in_word {
                units += 1;
            }
            in_word = true;
        } else {
            in_word = false;
            if !c.is_whitespace() {
                units += 1;
            }
        }
    }
    units <= window
}

/// Punctuation that ends a clause: no negator reaches across it.
pub(crate) fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '!' | '?' | ';' | ':' | '\n' | '。' | '、' | '…' | '~' | '～'
    )
}

/// How many units `gap` holds: a Latin word, a CJK/Hangul character or a symbol each (spaces
/// are no unit). For `near` rules, which (unlike negation) read across punctuation.
pub(crate) fn units(gap: &str) -> u32 {
    let mut units = 0;
    let mut in_word = false;
    for c in gap.chars() {
        if is_word_char(c) {
            units += u32::from(!in_word);
            in_word = true;
        } else {
            in_word = false;
            units += u32::from(!c.is_whitespace());
        }
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_a_questions() {
        assert!(is_a_not_a("能不能退", 3, 6));
        assert!(is_a_not_a("有没有货", 3, 6));
        assert!(!is_a_not_a("没有坏", 0, 3));
        assert!(!is_a_not_a("都没坏", 3, 6));
    }

    #[test]
    fn gaps() {
        assert!(gap_units("", 0));
        assert!(gap_units(" was ", 1));
        assert!(!gap_units(" was really ", 1));
        assert!(gap_units("被", 1));
        assert!(!gap_units(",", 5));
        assert!(!gap_units("。", 5));
        assert_eq!(units(" was really, "), 3);
        assert_eq!(units("好像"), 2);
    }
}
