//! Load stage 3, compile: a language's keyword table (every keyword of its packs, folded and
//! merged) and the one automaton a message in that language is scanned with.

use super::gate::{self, Lit};
use crate::error::{Error, Problem};
use crate::fuzzy::FuzzyIndex;
use crate::id::Id;
use crate::normalize::{Normalized, is_word_char};
use crate::rules::RulePack;
use crate::tables::{Gate, Keyword, Pattern, ScanTables, Target, TargetKind};
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{BuildError, MatchKind};
use std::collections::HashMap;
use std::sync::Arc;
use toml::Spanned;

/// Collects a language's keywords, merging duplicates: the same folded keyword with the same
/// end boundary is one automaton pattern however many rules use it.
///
/// Keywords are collected as written and merged once, by sorting (no map: at 100k keywords a
/// sort is cheaper than hashing each one, and the automaton wants them sorted anyway).
#[derive(Default)]
pub(super) struct KeywordTable {
    /// Every keyword added, in order: folded text, end boundary, what it counts for.
    added: Vec<(String, bool, Target)>,
    /// After [`KeywordTable::merge`]: the distinct keywords, by (text, end boundary), each with
    /// its start and end boundary; then the gate literals that are no keyword.
    keywords: Vec<(String, bool, bool)>,
    /// Per entry of `keywords`, its targets.
    targets: Vec<Vec<Target>>,
    /// How many entries of `keywords` are keywords (sorted); the rest are literals.
    merged: usize,
    /// The entries of the literals that are no keyword, by text.
    literals: HashMap<String, usize>,
    /// Reused to fold each keyword.
    norm: Normalized,
}

/// Where a keyword is added from, for its errors and its limit.
pub(super) struct Place<'a> {
    pub(super) pack: &'a RulePack,
    pub(super) rule: &'a str,
}

impl KeywordTable {
    /// Folds `raw` (as written) and adds it for `target`, with its typo variants (`typos`:
    /// written text -> wrong texts buyers type for it). `max_bytes` bounds the keyword as
    /// written. Returns how many entries it added (variants included), for the keyword limit.
    pub(super) fn add(
        &mut self,
        at: &Place,
        raw: &Spanned<String>,
        target: Target,
        typos: &[(String, Vec<String>)],
        max_bytes: usize,
    ) -> Result<usize, Error> {
        let written = raw.get_ref();
        if written.len() > max_bytes {
            return Err(at.pack.error(
                Problem::Limit(format!("keyword longer than {max_bytes} bytes")),
                raw.span(),
                at.rule,
            ));
        }
        let (body, prefix) = match written.trim_end().strip_suffix('*') {
            Some(body) => (body, true),
            None => (written.as_str(), false),
        };
        self.norm.fold(body);
        if self.norm.text.is_empty() {
            return Err(at.pack.error(Problem::EmptyKeyword, raw.span(), at.rule));
        }
        let folded = self.norm.text.clone();
        let boundary_end = !prefix && folded.chars().next_back().is_some_and(is_word_char);
        let before = self.added.len();
        for (right, wrongs) in typos {
            if let Some(at_byte) = folded.find(right.as_str()) {
                for wrong in wrongs {
                    let mut variant = folded.clone();
                    variant.replace_range(at_byte..at_byte + right.len(), wrong);
                    let fuzzy = Target {
                        fuzzy: true,
                        ..target
                    };
                    self.added.push((variant, boundary_end, fuzzy));
                }
            }
        }
        self.added.push((folded, boundary_end, target));
        Ok(self.added.len() - before)
    }

    /// Merges the keywords added into one entry per distinct (text, end boundary), in that
    /// order, each with its targets: one per intent (a keyword counts once for an intent however
    /// often it is listed; written beats typo variant, then the later pack wins), near group,
    /// signal or negator.
    pub(super) fn merge(&mut self) {
        let mut added = std::mem::take(&mut self.added);
        // Stable: a keyword's targets stay in the order they were added.
        added.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        for (text, boundary_end, target) in added {
            match self.keywords.last() {
                Some(last) if last.0 == text && last.2 == boundary_end => {}
                _ => {
                    let boundary_start = text.chars().next().is_some_and(is_word_char);
                    self.keywords.push((text, boundary_start, boundary_end));
                    self.targets.push(Vec::new());
                }
            }
            let Some(targets) = self.targets.last_mut() else {
                continue;
            };
            match targets.iter_mut().find(|t| same_slot(t.kind, target.kind)) {
                Some(old) if !target.fuzzy || old.fuzzy => *old = target,
                Some(_) => {}
                None => targets.push(target),
            }
        }
        self.merged = self.keywords.len();
    }

    /// The entry whose text is the gate literal `text`: a keyword's (a match opens gates
    /// before boundaries are checked), else a new entry without targets or boundaries.
    /// Call after [`merge`](Self::merge).
    fn literal(&mut self, text: &str) -> usize {
        let keywords = &self.keywords[..self.merged];
        let at = keywords.partition_point(|k| k.0.as_str() < text);
        if keywords.get(at).is_some_and(|k| k.0 == text) {
            return at;
        }
        if let Some(&entry) = self.literals.get(text) {
            return entry;
        }
        let entry = self.keywords.len();
        self.keywords.push((text.to_string(), false, false));
        self.targets.push(Vec::new());
        self.literals.insert(text.to_string(), entry);
        entry
    }

    /// Builds the scan tables of a language whose regex patterns are `patterns`: their gates,
    /// the flat keyword, target and gate tables, the automaton over the keywords and gate
    /// literals whose pattern ids index them, and (`fuzzy_edits`) the fuzzy index.
    fn build(
        mut self,
        tag: &str,
        patterns: &[Pattern],
        fuzzy_edits: bool,
    ) -> Result<ScanTables, Error> {
        self.merge();
        let mut scan = ScanTables::default();
        let mut gates_of = self.gate(patterns, &mut scan.gates, &mut scan.pattern_gates);
        scan.digit_gates = 0..scan.gates.len() as u32;
        scan.ungated = (0..patterns.len() as u32)
            .filter(|&i| scan.pattern_gates[i as usize] == 0)
            .collect();
        // In text order (keywords are, literals join them): the automaton's trie is then built
        // with neighbouring states made one after another (measured: 1.3-1.6x faster to build
        // at 100k keywords), and the order of the tables is no one's business but the scan's.
        let text = |i: usize| self.keywords[i].0.as_str();
        let mut literals: Vec<usize> = (self.merged..self.keywords.len()).collect();
        literals.sort_by(|&a, &b| text(a).cmp(text(b)));
        let mut order = Vec::with_capacity(self.keywords.len());
        let mut literals = literals.into_iter().peekable();
        for k in 0..self.merged {
            while let Some(l) = literals.next_if(|&l| text(l) < text(k)) {
                order.push(l);
            }
            order.push(k);
        }
        order.extend(literals);
        scan.keywords.reserve_exact(order.len());
        for &i in &order {
            let (text, boundary_start, boundary_end) = &self.keywords[i];
            let targets = std::mem::take(&mut self.targets[i]);
            let gates = std::mem::take(&mut gates_of[i]);
            let (t, g) = (scan.targets.len() as u32, scan.gates.len() as u32);
            scan.targets.extend(targets);
            scan.gates.extend(gates);
            scan.keywords.push(Keyword {
                text: Arc::from(text.as_str()),
                boundary_start: *boundary_start,
                boundary_end: *boundary_end,
                targets: t..scan.targets.len() as u32,
                gates: g..scan.gates.len() as u32,
            });
        }
        scan.automaton = build_automaton(&scan.keywords).map_err(|e| {
            Error::new(Problem::Limit(format!(
                "keyword automaton of language `{tag}`: {e}"
            )))
        })?;
        if fuzzy_edits {
            scan.fuzzy = FuzzyIndex::build(
                scan.keywords
                    .iter()
                    .map(|k| (&*k.text, k.boundary_end && k.targets.start != k.targets.end)),
            );
        }
        Ok(scan)
    }

    /// Works out each regex pattern's gate clauses (their bits into `full_gates`) and what
    /// satisfies them: per entry of the table, the gates its text opens (gate literals that are
    /// no keyword join the table as entries without targets); the gates a numeric character
    /// opens go into `digit`.
    fn gate(
        &mut self,
        patterns: &[Pattern],
        digit: &mut Vec<Gate>,
        full_gates: &mut Vec<u8>,
    ) -> Vec<Vec<Gate>> {
        let mut by_entry: Vec<Vec<Gate>> = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let clauses = gate::clauses(p.regex.as_str());
            let full = ((1u32 << clauses.len()) - 1) as u8;
            full_gates.push(full);
            for (k, clause) in clauses.into_iter().enumerate() {
                let gate = Gate {
                    pattern: i as u32,
                    clause: 1 << k,
                    full,
                };
                for literal in clause {
                    let list = match literal {
                        Lit::Digit => &mut *digit,
                        Lit::Text(text) => {
                            let entry = self.literal(&text);
                            if by_entry.len() <= entry {
                                by_entry.resize_with(entry + 1, Vec::new);
                            }
                            &mut by_entry[entry]
                        }
                    };
                    list.push(gate);
                }
            }
        }
        by_entry.resize_with(self.keywords.len(), Vec::new);
        by_entry
    }
}

/// What a language's scan tables are built from: its keyword table as validated at load.
pub(crate) struct ScanSource {
    pub(super) table: KeywordTable,
    pub(super) tag: Id,
    pub(super) fuzzy_edits: bool,
}

impl std::fmt::Debug for ScanSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanSource")
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

impl ScanSource {
    /// The scan tables of the language whose regex patterns are `patterns`.
    pub(crate) fn build(self, patterns: &[Pattern]) -> Result<ScanTables, Error> {
        self.table.build(&self.tag, patterns, self.fuzzy_edits)
    }
}

/// The automaton over `keywords`, in their order (its pattern ids index them); `None` without
/// any.
///
/// A contiguous NFA: near 12 bytes per keyword byte and nearly as fast at 100k keywords as at
/// 1k. (A DFA scans a little faster but takes about 400 bytes per keyword byte: 12 MB for the
/// bundled Chinese pack, 450 MB at 100k keywords.) No prefilter: the scan walks every byte
/// anyway, as an overlapping search must.
fn build_automaton(keywords: &[Keyword]) -> Result<Option<NFA>, BuildError> {
    if keywords.is_empty() {
        return Ok(None);
    }
    NFA::builder()
        .match_kind(MatchKind::Standard)
        .prefilter(false)
        .build(keywords.iter().map(|k| k.text.as_bytes()))
        .map(Some)
}

/// Whether two targets of one keyword are the same slot, of which the keyword keeps one.
fn same_slot(a: TargetKind, b: TargetKind) -> bool {
    match (a, b) {
        (TargetKind::Intent { intent: x, .. }, TargetKind::Intent { intent: y, .. }) => x == y,
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    /// What lets a bundled language's scan tables be built on first use: each builds, with an
    /// automaton.
    #[test]
    fn every_bundled_language_builds() {
        // As a shop's packs, so that a failing build is an error here.
        let mut packs = Engine::builder().read_packs().unwrap();
        packs.iter_mut().for_each(|p| p.bundled = false);
        let tables = super::super::compile(&packs, Default::default(), None).unwrap();
        for lang in &tables.languages {
            assert!(lang.scan.is_built(), "{}: built at load here", lang.tag);
            assert!(
                lang.scan().automaton.is_some(),
                "{}: no automaton",
                lang.tag
            );
        }
    }

    /// A shop's pack is built at load, so its tables are there before the first message.
    #[test]
    fn a_shop_language_is_built_at_load() {
        let pack = "language = \"en\"\n[intent.damage]\nkeywords = [\"squashed\"]\n";
        let engine = Engine::builder()
            .pack_str("shop.toml", pack)
            .build()
            .unwrap();
        let (tables, _) = engine.tables();
        let built = |tag: &str| {
            let lang = tables.languages.iter().find(|l| l.tag == tag).unwrap();
            lang.scan.is_built()
        };
        assert!(built("en"), "en has a shop pack");
        assert!(!built("ko"), "ko is bundled only: built on first use");
        engine.classify("배송 언제 와요", &crate::Context::default());
        assert!(built("ko"));
    }
}
