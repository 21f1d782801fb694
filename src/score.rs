//! Run stage 4, score: the scan's hits through the rules (keyword lists, near rules, gated
//! regex patterns, context boosts, thresholds, `unless`) to scored intents with evidence.
//!
//! Scoring is plain sums of strengths: a strong keyword adds 1, a weak one 0.5, an `against`
//! one takes 1 away, a fuzzy match weighs [`FUZZY`] of its keyword. Each keyword counts once
//! per intent however often it occurs, and a match inside a longer match for the same intent
//! ("坏" inside "压坏") counts not at all: it says nothing the longer one does not.

use crate::context::Context;
use crate::normalize::Normalized;
use crate::rules::Strength;
use crate::scan::Found;
use crate::tables::{Language, TargetKind};
use near::satisfy;
use std::ops::Range;

mod near;

/// How much a fuzzy (misspelled) match weighs, as a share of its keyword's strength: a strong
/// keyword misspelled still fires its intent (the default threshold is [`DEFAULT_THRESHOLD`]),
/// but ranks below the same keyword spelled right.
pub(crate) const FUZZY: f64 = 0.9;

/// The score at which an intent fires unless its pack says otherwise: one strong keyword (even
/// misspelled), or two weak ones.
pub(crate) const DEFAULT_THRESHOLD: f64 = 0.9;

/// One piece of evidence, in folded-text offsets, until the result is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clue {
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// The keyword entry that matched; `None` for a regex pattern.
    pub(crate) keyword: Option<u32>,
    pub(crate) rule: u32,
    pub(crate) weight: f64,
    pub(crate) fuzzy: bool,
    /// For an intent a thread carried over: the turn it came from (the clue spans the turn).
    pub(crate) carried_from: Option<usize>,
}

/// Whether a candidate intent is reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Status {
    Fired,
    Below,
    /// Fired, but another intent of its `unless` list fired too.
    Suppressed(u16),
}

/// An intent with some evidence in the message.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    pub(crate) intent: u16,
    pub(crate) score: f64,
    pub(crate) status: Status,
    /// Its clues: a range of [`Analysis::clues`].
    pub(crate) clues: Range<u32>,
}

/// What one message was found to say, by index into its language's tables: what `classify`
/// and `suggest` both build their results from.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) language: usize,
    pub(crate) truncated: bool,
    /// Every intent with evidence: the fired ones best first, then the rest by score.
    pub(crate) candidates: Vec<Scored>,
    /// How many of `candidates` (the first ones) fired.
    pub(crate) fired: usize,
    pub(crate) clues: Vec<Clue>,
    /// The signals found, in declaration order.
    pub(crate) signals: Vec<u16>,
}

impl Analysis {
    /// Reports the fired intents for which `drop` holds as not fired (below threshold).
    pub(crate) fn unfire(&mut self, drop: impl Fn(u16) -> bool) {
        for c in &mut self.candidates[..self.fired] {
            if drop(c.intent) {
                c.status = Status::Below;
            }
        }
        // Stable: the fired ones keep their order, first.
        self.candidates.sort_by_key(|c| c.status != Status::Fired);
        self.fired = self
            .candidates
            .iter()
            .take_while(|c| c.status == Status::Fired)
            .count();
    }

    /// Reports `intent` as carried over from turn `from` of a thread, at `score`, its one clue
    /// spanning the folded text `0..len` (the whole turn). For a turn with no intent of its own.
    pub(crate) fn carry(&mut self, intent: u16, score: f64, from: usize, len: u32) {
        let at = self.clues.len() as u32;
        self.clues.push(Clue {
            start: 0,
            end: len,
            keyword: None,
            rule: 0,
            weight: score,
            fuzzy: false,
            carried_from: Some(from),
        });
        let carried = Scored {
            intent,
            score: round(score),
            status: Status::Fired,
            clues: at..at + 1,
        };
        self.candidates.insert(self.fired, carried);
        self.fired += 1;
    }
}

/// Per-message state of scoring, reused.
#[derive(Debug, Default)]
pub(crate) struct Scores {
    score: Vec<f64>,
    positive: Vec<bool>,
    /// Per target of the language: the message number it last counted in (so counting once
    /// per message needs no reset).
    counted: Vec<u32>,
    message: u32,
    /// Intent hits as (intent, start, end, hit index), sorted for the containment pass.
    order: Vec<(u16, u32, u32, u32)>,
    /// Near hits as (rule, start, end, group, keyword, fuzzy).
    near: Vec<(u32, u32, u32, u8, u32, bool)>,
    /// `alone` hits as (intent, start, end, filler, keyword, fuzzy).
    alone: Vec<(u16, u32, u32, bool, u32, bool)>,
    /// Per near rule: the message number it was last hit in and the groups hit then (so that
    /// only rules with every group hit are searched, with no reset per message).
    near_groups: Vec<(u32, u8)>,
    /// Per intent: whether the message holds one of its `alone` words (fillers alone fire
    /// nothing, and most messages hold a filler or two).
    alone_word: Vec<bool>,
    /// Per intent, its clues while they are collected.
    pending: Vec<(u16, Clue)>,
    signal_on: Vec<bool>,
    /// The intents that fired before `unless` is applied.
    fired: Vec<u16>,
    /// Regex searches run, and (when `timing`) the nanoseconds they took: for the profile.
    pub(crate) regex_runs: u64,
    pub(crate) regex_ns: u64,
    pub(crate) timing: bool,
    /// When `timing`: the patterns run on the last message, each with whether it matched.
    pub(crate) ran: Vec<(u32, bool)>,
}

impl Scores {
    /// Scores the scan `found` of `norm` in `lang` with context `ctx` into `out`.
    pub(crate) fn score(
        &mut self,
        lang: &Language,
        norm: &Normalized,
        found: &Found,
        ctx: &Context,
        out: &mut Analysis,
    ) {
        let n = lang.intents.len();
        self.score.clear();
        self.score.resize(n, 0.0);
        self.positive.clear();
        self.positive.resize(n, false);
        self.signal_on.clear();
        self.signal_on.resize(lang.signals.len(), false);
        self.alone_word.clear();
        self.alone_word.resize(n, false);
        if self.near_groups.len() < lang.nears.len() {
            self.near_groups.resize(lang.nears.len(), (0, 0));
        }
        if self.counted.len() < lang.scan().targets.len() {
            self.counted.resize(lang.scan().targets.len(), 0);
        }
        self.message = self.message.wrapping_add(1);
        if self.message == 0 {
            // Wrapped around: old marks could collide with the new numbers.
            self.counted.iter_mut().for_each(|c| *c = 0);
            self.near_groups.iter_mut().for_each(|g| *g = (0, 0));
            self.message = 1;
        }
        self.pending.clear();
        self.keyword_hits(found);
        self.near_rules(lang, &norm.text);
        self.alone_rules(lang, &norm.text);
        if self.timing {
            self.ran.clear();
            let started = std::time::Instant::now();
            self.patterns(lang, norm, found);
            self.regex_ns += started.elapsed().as_nanos() as u64;
        } else {
            self.patterns(lang, norm, found);
        }
        // Context only strengthens what the message itself says: a repeat customer's "hello"
        // is not a complaint about the last order.
        for (i, intent) in lang.intents.iter().enumerate() {
            if self.positive[i] {
                for (when, weight) in &intent.boosts {
                    if when.holds(ctx) {
                        self.score[i] += weight;
                    }
                }
            }
        }
        self.collect(lang, out);
    }

    /// Keyword list hits: each keyword once per intent, none inside a longer one of its intent.
    fn keyword_hits(&mut self, found: &Found) {
        self.order.clear();
        self.near.clear();
        self.alone.clear();
        for (h, hit) in found.hits.iter().enumerate() {
            match hit.what.kind {
                TargetKind::Intent { intent, .. } => {
                    self.order.push((intent, hit.start, hit.end, h as u32))
                }
                TargetKind::Near { near, group } => {
                    let seen = &mut self.near_groups[near as usize];
                    if seen.0 != self.message {
                        *seen = (self.message, 0);
                    }
                    seen.1 |= 1 << group;
                    self.near
                        .push((near, hit.start, hit.end, group, hit.keyword, hit.fuzzy))
                }
                TargetKind::Alone { intent, filler } => {
                    self.alone_word[intent as usize] |= !filler;
                    self.alone
                        .push((intent, hit.start, hit.end, filler, hit.keyword, hit.fuzzy))
                }
                TargetKind::Signal(s) => self.signal_on[s as usize] = true,
                TargetKind::NegatorBefore | TargetKind::NegatorAfter => {}
            }
        }
        // By intent, then longest first at each start: a hit lies inside an earlier one of
        // its intent exactly when it ends no later than the furthest end so far.
        self.order
            .sort_unstable_by(|a, b| (a.0, a.1, b.2).cmp(&(b.0, b.1, a.2)));
        let mut current = (u16::MAX, 0u32);
        let order = std::mem::take(&mut self.order);
        for &(intent, _, end, h) in &order {
            if current.0 == intent && end <= current.1 {
                continue;
            }
            current = (
                intent,
                end.max(if current.0 == intent { current.1 } else { 0 }),
            );
            let hit = found.hits[h as usize];
            let target = hit.what;
            if self.counted[hit.target as usize] == self.message {
                continue;
            }
            self.counted[hit.target as usize] = self.message;
            let TargetKind::Intent { strength, .. } = target.kind else {
                continue;
            };
            let weight = strength.weight() * if hit.fuzzy { FUZZY } else { 1.0 };
            self.add(
                intent,
                Clue {
                    start: hit.start,
                    end: hit.end,
                    keyword: Some(hit.keyword),
                    rule: target.rule,
                    weight,
                    fuzzy: hit.fuzzy,
                    carried_from: None,
                },
            );
        }
        self.order = order;
    }

    /// `alone` rules: an intent fires when its `alone` (and `alone_with`) words cover every
    /// letter of the message, at least one of them an `alone` word. What is left between them
    /// may be spaces, punctuation, symbols and digits (an order number pasted after "你好").
    fn alone_rules(&mut self, lang: &Language, text: &str) {
        if self.alone.is_empty() {
            return;
        }
        let mut alone = std::mem::take(&mut self.alone);
        let alone_word = &self.alone_word;
        alone.retain(|a| alone_word[a.0 as usize]);
        // By intent, then longest first at each start, so that a word inside a longer one
        // ("咨询" in the order card's "咨询订单号") can be dropped: it was not written alone.
        alone.sort_unstable_by_key(|a| (a.0, a.1, u32::MAX - a.2));
        let mut furthest = (u16::MAX, 0u32);
        alone.retain(|a| {
            let inside = furthest.0 == a.0 && a.2 <= furthest.1;
            if furthest.0 != a.0 {
                furthest = (a.0, 0);
            }
            furthest.1 = furthest.1.max(a.2);
            !inside
        });
        for same in alone.chunk_by(|a, b| a.0 == b.0) {
            let intent = same[0].0;
            let Some(rule) = lang.intents[intent as usize].alone_rule else {
                continue;
            };
            let Some(&(_, start, end, _, keyword, fuzzy)) = same.iter().find(|a| !a.3) else {
                continue;
            };
            let mut covered = 0u32;
            let mut whole = true;
            for &(_, from, to, ..) in same {
                if from > covered && has_letters(&text[covered as usize..from as usize]) {
                    whole = false;
                    break;
                }
                covered = covered.max(to);
            }
            if whole && !has_letters(&text[covered as usize..]) {
                let clue = Clue {
                    start,
                    end,
                    keyword: Some(keyword),
                    rule,
                    weight: Strength::Strong.weight() * if fuzzy { FUZZY } else { 1.0 },
                    fuzzy,
                    carried_from: None,
                };
                self.add(intent, clue);
            }
        }
        self.alone = alone;
    }

    /// Near rules whose every group matched (within their distance, in order if asked).
    fn near_rules(&mut self, lang: &Language, text: &str) {
        if self.near.is_empty() {
            return;
        }
        let mut near = std::mem::take(&mut self.near);
        let (groups, message) = (&self.near_groups, self.message);
        near.retain(|h| {
            let seen = groups[h.0 as usize];
            seen.0 == message && seen.1 == lang.nears[h.0 as usize].full_mask
        });
        near.sort_unstable();
        for same in near.chunk_by(|a, b| a.0 == b.0) {
            let rule = &lang.nears[same[0].0 as usize];
            if let Some(chosen) = satisfy(rule, same, text) {
                for (k, &i) in chosen.iter().enumerate() {
                    let (_, start, end, _, keyword, fuzzy) = same[i];
                    let clue = Clue {
                        start,
                        end,
                        keyword: Some(keyword),
                        rule: rule.rule,
                        // The rule's weight goes to its first clue; the others show where.
                        weight: if k == 0 { rule.strength.weight() } else { 0.0 },
                        fuzzy,
                        carried_from: None,
                    };
                    self.add(rule.intent, clue);
                }
            }
        }
        self.near = near;
    }

    /// The regex patterns whose gates the scan opened.
    fn patterns(&mut self, lang: &Language, norm: &Normalized, found: &Found) {
        let text = norm.text.as_str();
        #[cfg(debug_assertions)]
        for (i, p) in lang.patterns.iter().enumerate() {
            debug_assert!(
                found.gate_open(i, lang.scan().pattern_gates[i])
                    || !p.regex.get().is_some_and(|r| r.is_match(text)),
                "gate of {} shut on {text:?}",
                p.regex.as_str()
            );
        }
        // In declaration order (the scan sorted them), the order evidence ties keep.
        self.regex_runs += found.ready.len() as u64;
        for &i in &found.ready {
            let p = &lang.patterns[i as usize];
            // Zero-width matches (`\b`) point at nothing a person could be shown: skip them.
            // One leftmost search keeps this linear: iterating past zero-width matches to a
            // later real one is quadratic for patterns such as `[a-z ]+z|\b`.
            let found = (p.regex.get())
                .and_then(|r| r.find(text))
                .filter(|m| !m.is_empty());
            if self.timing {
                self.ran.push((i, found.is_some()));
            }
            if let Some(m) = found {
                let clue = Clue {
                    start: m.start() as u32,
                    end: m.end() as u32,
                    keyword: None,
                    rule: p.rule,
                    weight: p.strength.weight(),
                    fuzzy: false,
                    carried_from: None,
                };
                self.add(p.intent, clue);
            }
        }
    }

    fn add(&mut self, intent: u16, clue: Clue) {
        self.score[intent as usize] += clue.weight;
        self.positive[intent as usize] |= clue.weight > 0.0;
        self.pending.push((intent, clue));
    }

    /// The candidates, fired first (best first; ties in declaration order), with their clues.
    fn collect(&mut self, lang: &Language, out: &mut Analysis) {
        out.candidates.clear();
        out.clues.clear();
        out.signals.clear();
        out.signals
            .extend((0..lang.signals.len() as u16).filter(|&s| self.signal_on[s as usize]));
        // Stable: an intent's clues stay in the order found, then go in message order below.
        self.pending
            .sort_by_key(|(intent, c)| (*intent, c.start, std::cmp::Reverse(c.end)));
        for group in self.pending.chunk_by(|a, b| a.0 == b.0) {
            let intent = group[0].0;
            let rule = &lang.intents[intent as usize];
            let score = round(self.score[intent as usize]);
            let fires = self.positive[intent as usize] && score + 1e-9 >= rule.threshold;
            let from = out.clues.len() as u32;
            out.clues.extend(group.iter().map(|(_, c)| *c));
            out.candidates.push(Scored {
                intent,
                score,
                status: if fires { Status::Fired } else { Status::Below },
                clues: from..out.clues.len() as u32,
            });
        }
        // `unless`: judged on what fired before any is suppressed, so the order of the
        // intents does not matter.
        let fired = &mut self.fired;
        fired.clear();
        fired.extend(
            out.candidates
                .iter()
                .filter(|c| c.status == Status::Fired)
                .map(|c| c.intent),
        );
        for c in &mut out.candidates {
            if c.status == Status::Fired {
                let unless = &lang.intents[c.intent as usize].unless;
                if let Some(&by) = unless.iter().find(|u| fired.contains(u)) {
                    c.status = Status::Suppressed(by);
                }
            }
        }
        out.candidates.sort_by(|a, b| {
            (b.status == Status::Fired)
                .cmp(&(a.status == Status::Fired))
                .then(b.score.total_cmp(&a.score))
                .then(a.intent.cmp(&b.intent))
        });
        out.fired = out
            .candidates
            .iter()
            .take_while(|c| c.status == Status::Fired)
            .count();
    }
}

/// Whether `gap` holds a letter of any script (CJK and Hangul included): what an `alone` rule
/// must cover. Digits, spaces, punctuation and symbols may stand anywhere.
fn has_letters(gap: &str) -> bool {
    gap.chars().any(char::is_alphabetic)
}

/// Scores are sums of a few decimal weights: round away the binary noise (0.30000000000000004).
pub(crate) fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
