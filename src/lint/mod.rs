//! Lint: what a pack author should fix though the pack loads. Each warning has a stable code,
//! names the place (`file:line:column`) and, for a clash between two places, the other one.
//!
//! ```
//! let pack = r#"
//! language = "en"
//! [intent.damage]
//! keywords = ["squashed", "Squashed"]
//! [[intent.damage.reply]]
//! id = "short"
//! text = "OK"
//! "#;
//! let warnings = replykit::Engine::builder().pack_str("shop.toml", pack).lint()?;
//! let codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
//! assert!(codes.contains(&"dead-copy") && codes.contains(&"curt-reply"));
//! assert_eq!(warnings[0].path, "shop.toml");
//! # Ok::<(), replykit::Error>(())
//! ```

mod replies;

use crate::compile::gate;
use crate::context::Condition;
use crate::normalize::Normalized;
use crate::rules::{RulePack, Strength};
use crate::tables::Tables;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

/// The fewest examples lint asks of an intent, per language.
pub const MIN_EXAMPLES: usize = 5;
/// The fewest words (a Latin word or a CJK/Hangul character each) lint asks of a reply, unless
/// the pack's `[style] min_reply_units` says otherwise.
pub const MIN_REPLY_UNITS: usize = 4;

/// Something a pack author should look at: the pack loads, but does not do what it seems to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Warning {
    /// A stable code, e.g. `overlap` (the README lists them all).
    pub code: &'static str,
    /// What is wrong, and usually what to do.
    pub message: String,
    /// The pack file.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The other place involved, as `file:line`, for a clash between two.
    pub related: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: warning[{}]: {}",
            self.path, self.line, self.column, self.code, self.message
        )?;
        if let Some(r) = &self.related {
            write!(f, " (see {r})")?;
        }
        Ok(())
    }
}

/// A keyword as written somewhere in a language's packs.
struct Occurrence<'a> {
    intent: &'a str,
    strength: Strength,
    written: &'a str,
    /// Folded, with a trailing `*` kept as a marker.
    folded: String,
    pack: usize,
    span: Range<usize>,
}

struct Linter<'a> {
    packs: &'a [RulePack],
    warnings: Vec<Warning>,
}

impl Linter<'_> {
    fn warn(
        &mut self,
        code: &'static str,
        pack: usize,
        span: &Range<usize>,
        message: String,
        related: Option<(usize, &Range<usize>)>,
    ) {
        let p = &self.packs[pack];
        let (line, column) = position(p, span.start);
        let related = related
            .map(|(q, s)| format!("{}:{}", self.packs[q].path, self.packs[q].line_of(s.start)));
        self.warnings.push(Warning {
            code,
            message,
            path: p.path.clone(),
            line,
            column,
            related,
        });
    }
}

/// The warnings for `packs` (already compiled into `tables`), in pack and line order.
pub(crate) fn lint(packs: &[RulePack], tables: &Tables) -> Vec<Warning> {
    let mut l = Linter {
        packs,
        warnings: Vec::new(),
    };
    for lang in &tables.languages {
        let mine: Vec<usize> = (0..packs.len())
            .filter(|&i| packs[i].file.language.get_ref() == lang.tag.as_str())
            .collect();
        keywords(&mut l, &mine);
        rules(&mut l, &mine);
        replies::replies(&mut l, &mine);
        replies::hints(&mut l, &mine);
        // Intents of the language as a whole: replies, examples.
        for (i, intent) in lang.intents.iter().enumerate() {
            let Some((pack, span)) = first_declaration(packs, &mine, &intent.id) else {
                continue;
            };
            if lang.replies[i].is_empty() {
                l.warn(
                    "no-reply",
                    pack,
                    &span,
                    format!(
                        "intent `{}` has no reply in `{}`: a buyer who asks it gets none",
                        intent.id, lang.tag
                    ),
                    None,
                );
            }
            let examples = lang
                .examples
                .iter()
                .filter(|e| e.intents.contains(&intent.id))
                .count();
            if examples < MIN_EXAMPLES {
                l.warn("few-examples", pack, &span, format!("intent `{}` has {examples} example(s) in `{}`; give at least {MIN_EXAMPLES} (`examples = [...]`): they are the pack's tests", intent.id, lang.tag), None);
            }
        }
    }
    l.warnings.sort_by(|a, b| {
        (
            packs.iter().position(|p| p.path == a.path),
            a.line,
            a.column,
        )
            .cmp(&(
                packs.iter().position(|p| p.path == b.path),
                b.line,
                b.column,
            ))
    });
    l.warnings
}

/// Keyword checks: repeats, dead copies, overlaps between intents, contradictions.
fn keywords(l: &mut Linter, mine: &[usize]) {
    let mut norm = Normalized::default();
    let mut all: Vec<Occurrence> = Vec::new();
    for &p in mine {
        for (id, def) in &l.packs[p].file.intent.0 {
            for (strength, words) in def.lists() {
                for w in words.get_ref() {
                    let written = w.get_ref().as_str();
                    let (body, star) = match written.trim_end().strip_suffix('*') {
                        Some(b) => (b, "*"),
                        None => (written, ""),
                    };
                    norm.fold(body);
                    all.push(Occurrence {
                        intent: id.get_ref(),
                        strength,
                        written,
                        folded: format!("{}{star}", norm.text),
                        pack: p,
                        span: w.span(),
                    });
                }
            }
        }
    }
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    let mut strong: HashMap<&str, usize> = HashMap::new();
    let mut positive: HashMap<&str, usize> = HashMap::new();
    for (i, o) in all.iter().enumerate() {
        if o.strength != Strength::Against {
            positive.entry(o.folded.as_str()).or_insert(i);
        }
    }
    for (i, o) in all.iter().enumerate() {
        if let Some(&j) = first.get(&(o.intent, o.folded.as_str())) {
            let e = &all[j];
            let (code, message) = if (e.strength == Strength::Against)
                != (o.strength == Strength::Against)
            {
                (
                    "contradiction",
                    format!(
                        "`{}` is both for and against intent `{}`: only the later one counts",
                        o.written, o.intent
                    ),
                )
            } else if e.written != o.written {
                (
                    "dead-copy",
                    format!(
                        "`{}` folds to `{}` as `{}` does: matching folds both alike, so this copy is dead",
                        o.written, o.folded, e.written
                    ),
                )
            } else {
                (
                    "duplicate-keyword",
                    format!(
                        "`{}` is already a keyword of intent `{}`: it counts once (the later strength wins)",
                        o.written, o.intent
                    ),
                )
            };
            l.warn(code, o.pack, &o.span, message, Some((e.pack, &e.span)));
            continue;
        }
        first.insert((o.intent, o.folded.as_str()), i);
        match o.strength {
            Strength::Strong => {
                if let Some(&j) = strong.get(o.folded.as_str()) {
                    let e = &all[j];
                    if e.intent != o.intent {
                        l.warn("overlap", o.pack, &o.span, format!("`{}` is a strong keyword of both `{}` and `{}`: keep it strong in one (weak in the other if it must count)", o.written, e.intent, o.intent), Some((e.pack, &e.span)));
                    }
                } else {
                    strong.insert(o.folded.as_str(), i);
                }
            }
            Strength::Against => {
                if let Some(&j) = positive.get(o.folded.as_str()) {
                    let e = &all[j];
                    if e.intent != o.intent {
                        l.warn("against-other-intent", o.pack, &o.span, format!("`{}` argues against `{}` with another intent's keyword (`{}`): say `unless = [\"{}\"]` instead", o.written, o.intent, e.intent, e.intent), Some((e.pack, &e.span)));
                    }
                }
            }
            Strength::Weak => {}
        }
    }
}

/// Rule checks: ungated patterns, intents that can never fire, `unless` cycles.
fn rules(l: &mut Linter, mine: &[usize]) {
    let mut fires: HashMap<&str, (bool, usize, Range<usize>)> = HashMap::new();
    let mut unless: Vec<(&str, &str, usize, Range<usize>)> = Vec::new();
    for &p in mine {
        for (id, def) in &l.packs[p].file.intent.0 {
            let can = def
                .lists()
                .any(|(s, w)| s != Strength::Against && !w.get_ref().is_empty())
                || def
                    .near
                    .iter()
                    .any(|n| n.get_ref().strength != Some(Strength::Against))
                || def
                    .pattern_lists()
                    .any(|(s, w)| s != Strength::Against && !w.get_ref().is_empty())
                || def.alone.as_ref().is_some_and(|w| !w.get_ref().is_empty());
            let entry = fires.entry(id.get_ref()).or_insert((false, p, id.span()));
            entry.0 |= can;
            for (_, regexes) in def.pattern_lists() {
                for r in regexes.get_ref() {
                    if gate::clauses(r.get_ref()).is_empty() {
                        l.warn("ungated-pattern", p, &r.span(), "no literal gates this pattern, so it runs on every message: give it a literal every match contains, or say it as a near rule".into(), None);
                    }
                }
            }
            for u in &def.unless {
                unless.push((id.get_ref(), u.get_ref(), p, u.span()));
            }
        }
    }
    let mut never: Vec<_> = fires.into_iter().filter(|(_, (can, ..))| !can).collect();
    never.sort_by_key(|(_, (_, p, s))| (*p, s.start));
    for (id, (_, p, span)) in never {
        l.warn(
            "never-fires",
            p,
            &span,
            format!("intent `{id}` has no keyword, near rule or pattern for it: it can never fire"),
            None,
        );
    }
    for (a, b, p, span) in &unless {
        if unless.iter().any(|(x, y, ..)| x == b && y == a) && a < b {
            l.warn(
                "unless-cycle",
                *p,
                span,
                format!(
                    "`{a}` and `{b}` each suppress the other: when both fire, neither is reported"
                ),
                None,
            );
        }
    }
}

/// Where intent `id` is first declared among `mine`.
fn first_declaration(
    packs: &[RulePack],
    mine: &[usize],
    id: &str,
) -> Option<(usize, Range<usize>)> {
    mine.iter().find_map(|&p| {
        packs[p]
            .file
            .intent
            .0
            .iter()
            .find(|(i, _)| i.get_ref() == id)
            .map(|(i, _)| (p, i.span()))
    })
}

/// 1-based line and column (in characters) of byte `offset` of `pack`.
fn position(pack: &RulePack, offset: usize) -> (usize, usize) {
    let offset = offset.min(pack.source.len());
    let line_start = pack.source[..offset].rfind('\n').map_or(0, |i| i + 1);
    (
        pack.line_of(offset),
        pack.source[line_start..offset].chars().count() + 1,
    )
}

impl Condition {
    /// Whether some context could satisfy both conditions (false when they plainly exclude
    /// each other: opposite flags, disjoint order statuses or ranges).
    pub(crate) fn may_overlap(&self, other: &Condition) -> bool {
        let flags = |a: Option<bool>, b: Option<bool>| a.is_none() || b.is_none() || a == b;
        let statuses = match (&self.order_status, &other.order_status) {
            (Some(a), Some(b)) => a.iter().any(|s| b.contains(s)),
            _ => true,
        };
        fn ranges<T: PartialOrd + Copy>(
            min_a: Option<T>,
            max_a: Option<T>,
            min_b: Option<T>,
            max_b: Option<T>,
        ) -> bool {
            let below = |min: Option<T>, max: Option<T>| matches!((min, max), (Some(lo), Some(hi)) if lo > hi);
            !below(min_a, max_b) && !below(min_b, max_a)
        }
        flags(self.repeat_customer, other.repeat_customer)
            && flags(self.vip, other.vip)
            && statuses
            && ranges(
                self.min_days_since_shipped,
                self.max_days_since_shipped,
                other.min_days_since_shipped,
                other.max_days_since_shipped,
            )
            && ranges(
                self.min_order_amount,
                self.max_order_amount,
                other.min_order_amount,
                other.max_order_amount,
            )
    }
}
