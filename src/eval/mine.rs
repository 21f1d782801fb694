//! Mining unlabeled messages for what the packs miss: the word and character n-grams frequent
//! in messages the engine finds no intent in, ranked by how often and how distinctively they
//! occur there, each with the intent it co-occurs with where the engine does find one (a
//! suggested intent) and a TOML snippet to paste; and the most frequent unmatched questions, as
//! candidate quick replies.
//!
//! ```
//! use replykit::eval::mine;
//!
//! // A pack that knows "碎了" (broken) but not "瘪了" (dented).
//! let engine = replykit::Engine::builder()
//!     .bundled(false)
//!     .pack_str("shop.toml", "language = \"zh\"\n[intent.damage]\nkeywords = [\"碎了\"]\n")
//!     .build()?;
//! let mut messages = vec!["箱子瘪了,碎了"; 3];
//! messages.extend(["箱子瘪了", "盒子瘪了", "瘪了", "瘪了啊"]);
//! let mined = mine(&engine, &messages, 2);
//! let dented = mined.candidates.iter().find(|c| c.ngram == "瘪了").unwrap();
//! // Unmatched messages hold it, and where it occurs in matched ones, damage fired.
//! assert_eq!(dented.suggested_intent.as_deref(), Some("damage"));
//! # Ok::<(), replykit::Error>(())
//! ```

use crate::context::Context;
use crate::engine::Engine;
use crate::id::Id;
use crate::normalize::{Normalized, is_cjk, is_word_char};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What [`mine`] found.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Mined {
    /// Messages read.
    pub messages: usize,
    /// Messages in which the engine found no intent.
    pub unmatched: usize,
    /// N-grams frequent in unmatched messages, best first.
    pub candidates: Vec<Candidate>,
    /// The most frequent unmatched questions, as written forms with counts.
    pub quick_replies: Vec<QuickReply>,
}

/// A word or character n-gram frequent in unmatched messages.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Candidate {
    /// The n-gram, folded (lowercase, simplified).
    pub ngram: String,
    /// The language of the messages it was found in.
    pub language: Id,
    /// Unmatched messages holding it.
    pub unmatched: usize,
    /// Matched messages holding it.
    pub matched: usize,
    /// Its share of the unmatched messages over that share plus its share of the matched
    /// messages of intents other than the suggested one: 1 when it occurs with no other intent,
    /// 0.5 when as often as where the engine finds none.
    pub distinctiveness: f64,
    /// The intent it co-occurs with in most of the matched messages holding it, if one does in
    /// at least half of them.
    pub suggested_intent: Option<Id>,
    /// The intents of the matched messages holding it, with counts, most first (at most 3).
    pub cooccurring: Vec<(Id, usize)>,
    /// Up to three unmatched messages holding it.
    pub examples: Vec<String>,
    /// A snippet for the suggested intent (or a commented one), to paste into a pack.
    pub toml: String,
}

/// A question buyers ask often that the packs do not answer.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct QuickReply {
    /// The question, folded, numbers written `#`.
    pub form: String,
    /// How many unmatched messages ask it.
    pub count: usize,
    /// One of them, as written.
    pub example: String,
}

/// Per n-gram: unmatched and matched message counts, example messages, intent co-occurrence.
#[derive(Default)]
struct Counts {
    unmatched: usize,
    matched: usize,
    examples: Vec<usize>,
    language: usize,
    intents: HashMap<Id, usize>,
}

/// Mines `messages`: n-grams held by at least `min_count` unmatched messages, and questions
/// asked at least `min_count` times unmatched. Linear in the text read; each message is
/// classified once.
pub fn mine<S: AsRef<str>>(engine: &Engine, messages: &[S], min_count: usize) -> Mined {
    let min_count = min_count.max(1);
    let ctx = Context::default();
    let languages: Vec<Id> = engine.languages().cloned().collect();
    let mut norm = Normalized::default();
    let mut grams: HashSet<String> = HashSet::new();
    let mut counts: HashMap<String, Counts> = HashMap::new();
    let mut questions: HashMap<String, (usize, usize)> = HashMap::new();
    // Pass 1: unmatched messages. The matched ones are kept for pass 2.
    let mut matched: Vec<(usize, Vec<Id>)> = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        let message = message.as_ref();
        let c = engine.classify(message, &ctx);
        if !c.intents.is_empty() {
            matched.push((index, c.intents.iter().map(|i| i.id.clone()).collect()));
            continue;
        }
        let language = languages.iter().position(|l| *l == c.language).unwrap_or(0);
        norm.fold(message);
        ngrams(&norm.text, &mut grams);
        for g in grams.drain() {
            let entry = counts.entry(g).or_default();
            entry.unmatched += 1;
            entry.language = language;
            if entry.examples.len() < 3 {
                entry.examples.push(index);
            }
        }
        if let Some(form) = question_form(&norm.text) {
            questions.entry(form).or_insert((0, index)).0 += 1;
        }
    }
    counts.retain(|_, c| c.unmatched >= min_count);
    let unmatched = messages.len() - matched.len();
    // Pass 2: how often the kept n-grams occur where the engine finds intents, and with which.
    for (index, intents) in &matched {
        norm.fold(messages[*index].as_ref());
        ngrams(&norm.text, &mut grams);
        for g in grams.drain() {
            if let Some(entry) = counts.get_mut(&g) {
                entry.matched += 1;
                for i in intents {
                    *entry.intents.entry(i.clone()).or_default() += 1;
                }
            }
        }
    }
    let known: HashSet<&str> = engine.keywords().collect();
    let (u, m) = (unmatched.max(1) as f64, matched.len().max(1) as f64);
    let mut candidates: Vec<Candidate> = counts
        .into_iter()
        .filter(|(g, _)| !known.contains(g.as_str()))
        .map(|(ngram, c)| {
            let mut cooccurring: Vec<(Id, usize)> = c.intents.into_iter().collect();
            cooccurring.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            cooccurring.truncate(3);
            let suggested_intent = cooccurring
                .first()
                .filter(|(_, n)| 2 * n >= c.matched && *n > 0)
                .map(|(i, _)| i.clone());
            // Generic words ("好的", "可以") occur with every intent; a cue of one intent the
            // packs miss occurs with that intent only: it is compared with the others.
            let with_suggested = suggested_intent.as_ref().map_or(0, |_| cooccurring[0].1);
            let share_u = c.unmatched as f64 / u;
            let share_m = (c.matched - with_suggested.min(c.matched)) as f64 / m;
            let toml = snippet(&ngram, suggested_intent.as_deref());
            Candidate {
                language: languages
                    .get(c.language)
                    .cloned()
                    .unwrap_or_else(|| Id::from("")),
                unmatched: c.unmatched,
                matched: c.matched,
                distinctiveness: ((share_u / (share_u + share_m)) * 1e3).round() / 1e3,
                suggested_intent,
                cooccurring,
                examples: c
                    .examples
                    .iter()
                    .map(|&i| messages[i].as_ref().to_string())
                    .collect(),
                toml,
                ngram,
            }
        })
        .collect();
    // Frequent and distinctive: an n-gram as common where the engine finds intents as where
    // it finds none ("好的", "可以") ranks last however frequent.
    candidates.retain(|c| c.distinctiveness > 0.5);
    candidates.sort_by(|a, b| {
        let rank = |c: &Candidate| c.unmatched as f64 * (2.0 * c.distinctiveness - 1.0);
        rank(b)
            .total_cmp(&rank(a))
            .then(b.ngram.len().cmp(&a.ngram.len()))
            .then(a.ngram.cmp(&b.ngram))
    });
    drop_covered(&mut candidates);
    let mut quick_replies: Vec<QuickReply> = questions
        .into_iter()
        .filter(|(_, (n, _))| *n >= min_count)
        .map(|(form, (count, i))| QuickReply {
            form,
            count,
            example: messages[i].as_ref().to_string(),
        })
        .collect();
    quick_replies.sort_by(|a, b| b.count.cmp(&a.count).then(a.form.cmp(&b.form)));
    Mined {
        messages: messages.len(),
        unmatched,
        candidates,
        quick_replies,
    }
}

/// The distinct n-grams of folded `text`: 2-4 characters of each CJK/Hangul run, 1-3 words of
/// each run of Latin words. Short bracketed tokens (`[数字x]`, `[订单x]`: the placeholders of
/// anonymized logs) are skipped.
fn ngrams(text: &str, out: &mut HashSet<String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' {
            if let Some(close) = chars[i..].iter().take(16).position(|&c| c == ']') {
                i += close + 1;
                continue;
            }
        }
        if is_cjk(chars[i]) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            for n in 2..=4 {
                for w in run.windows(n) {
                    out.insert(w.iter().collect());
                }
            }
        } else if chars[i].is_alphabetic() {
            let mut words: Vec<String> = Vec::new();
            while i < chars.len()
                && !is_cjk(chars[i])
                && (is_word_char(chars[i]) || chars[i] == ' ' || chars[i] == '\'')
            {
                let start = i;
                while i < chars.len()
                    && !is_cjk(chars[i])
                    && (is_word_char(chars[i]) || chars[i] == '\'')
                {
                    i += 1;
                }
                if i > start {
                    let word: String = chars[start..i].iter().collect();
                    if word.chars().any(char::is_alphabetic) {
                        words.push(word);
                    }
                }
                while i < chars.len() && chars[i] == ' ' {
                    i += 1;
                }
            }
            for n in 1..=3 {
                for w in words.windows(n) {
                    if n > 1 || w[0].len() > 2 {
                        out.insert(w.join(" "));
                    }
                }
            }
        } else {
            i += 1;
        }
    }
}

/// The form of an unmatched question (folded, numbers as `#`, punctuation and spaces at the
/// ends dropped), if the message is one: it ends in a question mark or particle.
fn question_form(text: &str) -> Option<String> {
    let t =
        text.trim_matches(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '?'));
    let question = t.ends_with('?')
        || [
            "吗", "呢", "么", "嘛", "不", "没", "까", "나요", "어요", "죠",
        ]
        .iter()
        .any(|p| t.ends_with(p));
    if !question || t.chars().count() < 3 || t.chars().count() > 40 {
        return None;
    }
    let mut form = String::with_capacity(t.len());
    for c in t.trim_end_matches('?').chars() {
        if c.is_numeric() {
            if !form.ends_with('#') {
                form.push('#');
            }
        } else {
            form.push(c);
        }
    }
    Some(form)
}

/// Drops a candidate that is part of a better-ranked one with nearly as many messages ("退货运"
/// under "退货运费"): it says nothing more.
fn drop_covered(candidates: &mut Vec<Candidate>) {
    let mut kept: Vec<Candidate> = Vec::with_capacity(candidates.len());
    for c in candidates.drain(..) {
        let covered = kept.iter().any(|k| {
            (k.ngram.contains(&c.ngram) || c.ngram.contains(&k.ngram))
                && k.unmatched * 10 >= c.unmatched * 8
        });
        if !covered {
            kept.push(c);
        }
    }
    *candidates = kept;
}

/// A TOML snippet adding `ngram` to `intent` (a weak keyword: one mined cue should not fire an
/// intent alone until a person has looked at it).
fn snippet(ngram: &str, intent: Option<&str>) -> String {
    let word = format!("{ngram:?}");
    match intent {
        Some(i) => format!("[intent.{i}]\nweak = [{word}]"),
        None => format!("# no intent co-occurs with it yet: [intent.<id>]\n# weak = [{word}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngrams_of_cjk_and_latin_runs() {
        let mut out = HashSet::new();
        ngrams("快递呢 where is it", &mut out);
        for g in [
            "快递",
            "递呢",
            "快递呢",
            "where",
            "where is",
            "is it",
            "where is it",
        ] {
            assert!(out.contains(g), "{g}: {out:?}");
        }
        assert!(
            !out.contains("is"),
            "one- and two-letter words alone say nothing"
        );
    }

    #[test]
    fn question_forms() {
        assert_eq!(question_form("能开发票吗?").as_deref(), Some("能开发票吗"));
        assert_eq!(question_form("买3送1吗").as_deref(), Some("买#送#吗"));
        assert_eq!(question_form("好的"), None);
    }
}
