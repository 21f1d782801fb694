//! Stage 3: scan a folded message with the automaton and the patterns, apply negation,
//! co-occurrence and context, and score intents.

use crate::compile::{Compiled, Language, TargetKind};
use crate::context::Context;
use crate::normalize::{Normalized, ScriptCounts, is_word_char};
use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

/// What a message is about: its language, the intents found (best first) and side signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The language the message was read in (a pack's `language`, e.g. `"zh"`).
    pub language: Arc<str>,
    /// The intents at or above their threshold, by score descending; ties in the order the
    /// packs declare the intents. Empty for a message about none of them.
    pub intents: Vec<Intent>,
    /// Side signals found (e.g. `"urgent"`, `"angry"`), in the order the packs declare them.
    pub signals: Vec<Arc<str>>,
    /// True when the message was longer than the engine's maximum message size and only its
    /// first part was read (see [`EngineBuilder::max_message_bytes`](crate::EngineBuilder::max_message_bytes)).
    pub truncated: bool,
}

/// One intent found in a message, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    /// The intent id, e.g. `"damage"`.
    pub intent: Arc<str>,
    /// The sum of the weights of its matched rules and context boosts.
    pub score: f64,
    /// What matched, in message order.
    pub evidence: Vec<Evidence>,
}

/// One match that counted for an intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Byte offset where the match starts in the caller's original message.
    pub start: usize,
    /// Byte offset where the match ends (exclusive) in the caller's original message.
    pub end: usize,
    /// The matched part of the original message: `message[start..end]`.
    pub text: String,
    /// The keyword as matched, in folded form (lowercase, simplified, full-width folded).
    pub keyword: Arc<str>,
    /// The rule that matched, as `file:line kind`: e.g. `rules/zh.toml:120 damage cue`.
    pub rule: Arc<str>,
}

/// A keyword hit in the folded text, kept until negation is decided.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: u32,
    end: u32,
    keyword: u32,
    kind: TargetKind,
}

/// Evidence before it is known whether its intent fires: spans in the folded text.
#[derive(Debug, Clone)]
struct Pending {
    intent: u16,
    start: u32,
    end: u32,
    keyword: Option<u32>,
    rule: Rule,
    /// For co-occurrence evidence: the rule, which counts only if all its groups matched.
    all: Option<u32>,
}

/// The rule a pending evidence came from, by index in its language's tables: its name is
/// cloned only if the evidence is shown.
#[derive(Debug, Clone, Copy)]
enum Rule {
    Cue(u32),
    All(u32),
    Pattern(u32),
}

impl Rule {
    fn name(self, lang: &Language) -> &Arc<str> {
        match self {
            Rule::Cue(i) => &lang.cues[i as usize].rule,
            Rule::All(i) => &lang.alls[i as usize].rule,
            Rule::Pattern(i) => &lang.patterns[i as usize].rule,
        }
    }
}

/// Per-thread buffers reused across calls, so a call allocates only its result.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    norm: Normalized,
    hits: Vec<Hit>,
    negators: Vec<(u32, u32, bool)>,
    cue_matched: Vec<bool>,
    all_masks: Vec<u64>,
    scores: Vec<f64>,
    has_evidence: Vec<bool>,
    signal_on: Vec<bool>,
    /// Per regex pattern of the language: the gate clauses a literal was seen for.
    gate_open: Vec<u8>,
    /// The regex patterns whose gate the scan opened fully (and the ungated ones): the only
    /// ones that may match.
    ready: Vec<u32>,
    pending: Vec<Pending>,
    /// One fired intent's evidence being sorted: spans of the message and pending entries.
    spans: Vec<(usize, usize, u32)>,
    /// Per rule of that evidence (by a pending entry of it), the furthest end kept so far.
    furthest: Vec<(u32, usize)>,
    /// The language of the last message, by index: read by `suggest`.
    pub(crate) language: usize,
    /// Fired intents of the last message, best first: read by `suggest`.
    pub(crate) fired: Vec<u16>,
}

impl Scratch {
    /// Records the automaton's match of keyword `k` at `start..end` of the folded text:
    /// opens the regex gates it satisfies and, where it sits on word boundaries (Latin
    /// keywords) and on whole source characters, keeps its hits and negators.
    fn found(&mut self, language: &Language, norm: &Normalized, k: u32, start: usize, end: usize) {
        let text = norm.text.as_str();
        let kw = &language.keywords[k as usize];
        if kw.gates.start != kw.gates.end {
            open_gates(language, &kw.gates, &mut self.gate_open, &mut self.ready);
        }
        if kw.targets.start == kw.targets.end {
            return;
        }
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
        for &kind in &language.targets[kw.targets.start as usize..kw.targets.end as usize] {
            match kind {
                // "能不能退", "有没有货", "甜不甜": an A-not-A question, not a negation.
                TargetKind::NegatorBefore if is_a_not_a(text, start, end) => {}
                TargetKind::NegatorBefore => self.negators.push((start as u32, end as u32, true)),
                TargetKind::NegatorAfter => self.negators.push((start as u32, end as u32, false)),
                kind => self.hits.push(Hit {
                    start: start as u32,
                    end: end as u32,
                    keyword: k,
                    kind,
                }),
            }
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch buffers.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        // Only reachable if a caller re-entered the engine from inside a call, which the API
        // gives no way to do; a fresh buffer keeps that correct rather than panicking.
        Err(_) => f(&mut Scratch::default()),
    })
}

impl Compiled {
    /// The language a message is read in: the caller's choice if a pack speaks it, else the
    /// majority script, else the default language.
    fn pick_language(&self, scripts: ScriptCounts, ctx: &Context) -> usize {
        if let Some(tag) = &ctx.language {
            if let Some(i) = self.languages.iter().position(|l| &*l.tag == tag.as_str()) {
                return i;
            }
        }
        // Ties go to the earlier entry: a CJK shop's message with an English word in it is
        // still a CJK message.
        let mut best: Option<(u32, usize)> = None;
        for (language, count) in
            self.script_languages
                .iter()
                .zip([scripts.han, scripts.hangul, scripts.latin_words])
        {
            if count == 0 || best.is_some_and(|(c, _)| c >= count) {
                continue;
            }
            if let Some(i) = language {
                best = Some((count, *i as usize));
            }
        }
        best.map_or(self.default_language, |(_, i)| i)
    }

    /// Classifies `message`, leaving the fired intents in `scratch.fired` for `suggest`.
    pub(crate) fn classify_into(
        &self,
        message: &str,
        ctx: &Context,
        s: &mut Scratch,
    ) -> Classification {
        let (message, truncated) = truncate(message, self.limits.max_message_bytes);
        s.norm.fold(message);
        let lang_index = self.pick_language(s.norm.scripts, ctx);
        let lang = &self.languages[lang_index];
        s.language = lang_index;
        Compiled::scan(lang, s);
        self.score(lang, ctx, s);
        let text = &s.norm.text;

        // Fired intents, best first; ties by declaration order.
        s.fired.clear();
        for (i, intent) in lang.intents.iter().enumerate() {
            if s.has_evidence[i] && s.scores[i] + 1e-9 >= intent.threshold {
                s.fired.push(i as u16);
            }
        }
        let scores = &s.scores;
        s.fired.sort_by(|&a, &b| {
            scores[b as usize]
                .total_cmp(&scores[a as usize])
                .then(a.cmp(&b))
        });

        let mut intents = Vec::with_capacity(s.fired.len());
        let (spans, furthest, pending) = (&mut s.spans, &mut s.furthest, &s.pending);
        for &i in &s.fired {
            // The intent's evidence as spans of the caller's message; an `Evidence` (with its
            // strings) is made only for what is kept.
            spans.clear();
            for (k, p) in pending.iter().enumerate() {
                if p.intent == i
                    && p.all
                        .is_none_or(|a| s.all_masks[a as usize] == lang.alls[a as usize].full_mask)
                {
                    let (start, end) =
                        s.norm
                            .original_span(message, p.start as usize, p.end as usize);
                    spans.push((start, end, k as u32));
                }
            }
            // Longest first at each start, so that a match inside a longer match of the same
            // rule ("坏" inside "压坏") can be dropped: it says nothing the longer one does not.
            // In this order a match lies inside an earlier one of its rule exactly when it ends
            // no later than the furthest end of that rule so far: one pass, linear in the
            // evidence (a message of thousands of hits must not cost their square).
            spans.sort_by(|a, b| (a.0, b.1).cmp(&(b.0, a.1)));
            furthest.clear();
            spans.retain(|&(_, end, k)| {
                let rule = pending[k as usize].rule.name(lang);
                let same = |r: &Arc<str>| Arc::ptr_eq(r, rule) || **r == **rule;
                match furthest
                    .iter_mut()
                    .find(|(r, _)| same(pending[*r as usize].rule.name(lang)))
                {
                    Some((_, far)) if end <= *far => false,
                    Some((_, far)) => {
                        *far = end;
                        true
                    }
                    None => {
                        furthest.push((k, end));
                        true
                    }
                }
            });
            let evidence = spans
                .iter()
                .map(|&(start, end, k)| {
                    let p = &pending[k as usize];
                    Evidence {
                        start,
                        end,
                        text: message[start..end].to_string(),
                        keyword: match p.keyword {
                            Some(k) => lang.keywords[k as usize].text.clone(),
                            None => Arc::from(&text[p.start as usize..p.end as usize]),
                        },
                        rule: p.rule.name(lang).clone(),
                    }
                })
                .collect();
            intents.push(Intent {
                intent: lang.intents[i as usize].id.clone(),
                score: round(s.scores[i as usize]),
                evidence,
            });
        }
        let signals = lang
            .signals
            .iter()
            .zip(&s.signal_on)
            .filter(|(_, on)| **on)
            .map(|(sig, _)| sig.id.clone())
            .collect();
        Classification {
            language: lang.tag.clone(),
            intents,
            signals,
            truncated,
        }
    }

    /// One pass of the language's automaton over the folded text: opens the regex gates the
    /// text satisfies and keeps the keyword hits that sit on word boundaries (Latin keywords)
    /// and on whole source characters.
    fn scan(language: &Language, s: &mut Scratch) {
        s.hits.clear();
        s.negators.clear();
        reset(&mut s.gate_open, language.patterns.len(), 0);
        s.ready.clear();
        s.ready.extend_from_slice(&language.ungated);
        // A pattern that needs a digit may run if the text has one.
        if s.norm.digits {
            open_gates(
                language,
                &language.digit_gates,
                &mut s.gate_open,
                &mut s.ready,
            );
        }
        let Some(automaton) = &language.automaton else {
            return;
        };
        // Unanchored searches are what the automaton is built for: this cannot fail.
        let Ok(mut state) = automaton.start_state(Anchored::No) else {
            return;
        };
        // Out of `s` while `s` records the matches (moving a `String` and a `Vec` moves no text).
        let norm = std::mem::take(&mut s.norm);
        // The overlapping search, by hand: one transition per byte, and at a match state every
        // keyword ending there (measured: about 1.2x faster than `find_overlapping_iter`,
        // which leaves and re-enters its loop at each match).
        for (at, &byte) in norm.text.as_bytes().iter().enumerate() {
            state = automaton.next_state(Anchored::No, state, byte);
            if !automaton.is_special(state) || !automaton.is_match(state) {
                continue;
            }
            let end = at + 1;
            for i in 0..automaton.match_len(state) {
                let pattern = automaton.match_pattern(state, i);
                let start = end - automaton.pattern_len(pattern);
                s.found(language, &norm, pattern.as_u32(), start, end);
            }
        }
        s.norm = norm;
    }

    /// Turns hits into scores, signals and pending evidence.
    fn score(&self, lang: &Language, ctx: &Context, s: &mut Scratch) {
        reset(&mut s.cue_matched, lang.cues.len(), false);
        reset(&mut s.all_masks, lang.alls.len(), 0);
        reset(&mut s.scores, lang.intents.len(), 0.0);
        reset(&mut s.has_evidence, lang.intents.len(), false);
        reset(&mut s.signal_on, lang.signals.len(), false);
        s.pending.clear();
        // By end (the scan's order already), so that `is_negated` can look near a hit only.
        s.negators.sort_unstable_by_key(|n| n.1);
        let longest = s.negators.iter().map(|n| n.1 - n.0).max().unwrap_or(0);
        let text = s.norm.text.as_str();
        for hit in &s.hits {
            let negatable = match hit.kind {
                TargetKind::Cue(c) => lang.cues[c as usize].negatable,
                TargetKind::Group { all, .. } => lang.alls[all as usize].negatable,
                TargetKind::Signal(g) => lang.signals[g as usize].negatable,
                TargetKind::NegatorBefore | TargetKind::NegatorAfter => false,
            };
            if negatable && is_negated(text, hit, &s.negators, lang.negation_window, longest) {
                continue;
            }
            match hit.kind {
                TargetKind::Cue(c) => {
                    let cue = &lang.cues[c as usize];
                    if !s.cue_matched[c as usize] {
                        s.cue_matched[c as usize] = true;
                        s.scores[cue.intent as usize] += cue.weight;
                    }
                    s.has_evidence[cue.intent as usize] |= cue.weight > 0.0;
                    s.pending.push(Pending {
                        intent: cue.intent,
                        start: hit.start,
                        end: hit.end,
                        keyword: Some(hit.keyword),
                        rule: Rule::Cue(c),
                        all: None,
                    });
                }
                TargetKind::Group { all, group } => {
                    let rule = &lang.alls[all as usize];
                    s.all_masks[all as usize] |= 1 << group;
                    s.pending.push(Pending {
                        intent: rule.intent,
                        start: hit.start,
                        end: hit.end,
                        keyword: Some(hit.keyword),
                        rule: Rule::All(all),
                        all: Some(all),
                    });
                }
                TargetKind::Signal(g) => s.signal_on[g as usize] = true,
                TargetKind::NegatorBefore | TargetKind::NegatorAfter => {}
            }
        }
        for (i, all) in lang.alls.iter().enumerate() {
            if s.all_masks[i] == all.full_mask {
                s.scores[all.intent as usize] += all.weight;
                s.has_evidence[all.intent as usize] |= all.weight > 0.0;
            }
        }
        // A gated pattern cannot match unless the scan saw a literal of each clause: only the
        // ready ones run, in declaration order (the order evidence ties keep).
        #[cfg(debug_assertions)]
        for (i, p) in lang.patterns.iter().enumerate() {
            debug_assert!(
                s.gate_open[i] & p.gate == p.gate || !p.regex.is_match(text),
                "gate of {} shut on {text:?}",
                p.regex.as_str()
            );
        }
        s.ready.sort_unstable();
        for &i in &s.ready {
            let p = &lang.patterns[i as usize];
            // Zero-width matches (`\b`) point at nothing a person could be shown: skip them.
            // One leftmost search keeps this linear: iterating past zero-width matches to a
            // later real one is quadratic for patterns such as `[a-z ]+z|\b` (each step rescans
            // the rest of the text), so a zero-width leftmost match counts as no match.
            if let Some(m) = p.regex.find(text).filter(|m| !m.is_empty()) {
                s.scores[p.intent as usize] += p.weight;
                s.has_evidence[p.intent as usize] |= p.weight > 0.0;
                s.pending.push(Pending {
                    intent: p.intent,
                    start: m.start() as u32,
                    end: m.end() as u32,
                    keyword: None,
                    rule: Rule::Pattern(i),
                    all: None,
                });
            }
        }
        // Context only strengthens what the message itself says: a repeat customer's "hello"
        // is not a complaint about the last order.
        for (i, intent) in lang.intents.iter().enumerate() {
            if s.has_evidence[i] {
                for (when, weight) in &intent.boosts {
                    if when.holds(ctx) {
                        s.scores[i] += weight;
                    }
                }
            }
        }
    }
}

/// Marks the gate clauses `range` of `language`'s gates as seen, and a pattern whose gate
/// this opens fully as ready to run.
fn open_gates(language: &Language, range: &Range<u32>, open: &mut [u8], ready: &mut Vec<u32>) {
    for g in &language.gates[range.start as usize..range.end as usize] {
        let open = &mut open[g.pattern as usize];
        if *open & g.clause == 0 {
            *open |= g.clause;
            if *open == g.full {
                ready.push(g.pattern);
            }
        }
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
        if matches!(
            c,
            ',' | '.' | '!' | '?' | ';' | ':' | '\n' | '。' | '、' | '…' | '~' | '～'
        ) {
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

fn reset<T: Copy>(v: &mut Vec<T>, len: usize, value: T) {
    v.clear();
    v.resize(len, value);
}

/// Scores are sums of a few decimal weights: round away the binary noise (0.30000000000000004).
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The longest prefix of `message` of at most `max` bytes that ends on a character boundary.
fn truncate(message: &str, max: usize) -> (&str, bool) {
    if message.len() <= max {
        return (message, false);
    }
    let mut end = max;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    (&message[..end], true)
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
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("快递", 4), ("快", true));
        assert_eq!(truncate("快递", 6), ("快递", false));
        assert_eq!(truncate("快递", 2), ("", true));
    }
}
