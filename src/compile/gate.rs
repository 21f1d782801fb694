//! Gate literals: strings a regex pattern's every match must contain, so that `classify` runs a
//! pattern only when the one scan of the language's automaton saw them (most patterns, for most
//! messages, are skipped so).
//!
//! A gate is a few clauses that must all hold, each a set of literals one of which must occur:
//! `(今天|明天)\S{0,3}(发货|发出)` needs one of 今天/明天 *and* one of 发货/发出. They are read from
//! the pattern's [`Hir`] as `regex-syntax` (the parser the `regex` crate itself uses) gives it,
//! so every flag and escape means here what it means to the regex: `(?i)refund` is gated by
//! "refund" (the folded text a pattern runs on has no capital letters), `\d` by "a digit". A
//! piece this reader cannot bound (a big class, `.`) requires nothing; a pattern with no clause
//! at all runs on every message. A gate only ever skips a pattern that cannot match.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The most strings a literal set may hold before it is given up.
const MAX_SET: usize = 256;
/// The most clauses kept for a piece of a pattern.
const MAX_CLAUSES: usize = 8;
/// The most clauses a pattern's gate checks (one bit each).
pub(crate) const MAX_GATE_CLAUSES: usize = 4;
/// The biggest character class read as a set of one-character literals.
const MAX_CLASS: u32 = 16;

/// One literal of a clause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Lit {
    /// Any numeric character (a superset of `\d`): the fold records whether a text has one.
    Digit,
    Text(String),
}

/// A clause: one of these literals occurs in every match.
pub(crate) type Clause = Vec<Lit>;

/// The gate clauses of `pattern`, best first, at most [`MAX_GATE_CLAUSES`] (none: no gate).
/// Each clause's literals are sorted. `pattern` is parsed as the `regex` crate parses it (the
/// engine compiles it with a nest limit of 64 and default flags).
pub(crate) fn clauses(pattern: &str) -> Vec<Clause> {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .nest_limit(64)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let mut req = info(&hir).req;
    keep_best(&mut req, MAX_GATE_CLAUSES, true);
    req
}

/// What is known of the strings a piece of a pattern matches.
#[derive(Clone, Debug, Default)]
struct Info {
    /// Every string the piece can match in folded text, when these are few and all known.
    exact: Option<Vec<String>>,
    /// Clauses every match of the piece satisfies, best first.
    req: Vec<Clause>,
}

impl Info {
    fn exact(strings: Vec<String>) -> Info {
        let req = if strings.is_empty() {
            Vec::new()
        } else {
            vec![texts(&strings)]
        };
        Info {
            exact: Some(strings),
            req,
        }
    }

    /// Matches the empty string only (`^`, `\b`, an empty group).
    fn empty() -> Info {
        Info {
            exact: Some(vec![String::new()]),
            req: Vec::new(),
        }
    }
}

fn texts(strings: &[String]) -> Clause {
    strings.iter().cloned().map(Lit::Text).collect()
}

fn info(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Info::empty(),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(s) if can_occur(s) => Info::exact(vec![s.to_string()]),
            _ => Info::default(),
        },
        HirKind::Class(Class::Unicode(class)) => {
            if is_digits(class) {
                return Info {
                    exact: None,
                    req: vec![vec![Lit::Digit]],
                };
            }
            let count: u32 = class
                .ranges()
                .iter()
                .map(|r| r.end() as u32 - r.start() as u32 + 1)
                .sum();
            if count > MAX_CLASS {
                return Info::default();
            }
            let chars: Vec<String> = class
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .map(String::from)
                .filter(|s| can_occur(s))
                .collect();
            Info::exact(chars)
        }
        HirKind::Class(Class::Bytes(_)) => Info::default(),
        HirKind::Capture(cap) => info(&cap.sub),
        HirKind::Repetition(rep) => repetition(info(&rep.sub), rep.min, rep.max),
        HirKind::Concat(subs) => concat(subs.iter().map(info).collect()),
        HirKind::Alternation(subs) => alternation(subs.iter().map(info).collect()),
    }
}

/// Whether `s` can occur in folded text: it has no capital letter (the fold lowercases
/// everything; `tests::folded_text_has_no_capitals` checks every character).
fn can_occur(s: &str) -> bool {
    !s.chars().any(char::is_uppercase)
}

/// Whether every character of `class` is numeric (`\d` and its subsets).
fn is_digits(class: &regex_syntax::hir::ClassUnicode) -> bool {
    class.ranges().iter().all(|r| {
        // Ranges of `\d` are short blocks of ten; checking each character keeps this exact.
        (r.end() as u32 - r.start() as u32) < 64 && (r.start()..=r.end()).all(char::is_numeric)
    })
}

/// `x{min,max}`: what the repetition of a piece with `info` matches.
fn repetition(info: Info, min: u32, max: Option<u32>) -> Info {
    if min == 0 {
        // `x?` matches what `x` matches, or nothing; `x*` anything.
        return Info {
            exact: info.exact.filter(|_| max == Some(1)).and_then(|mut e| {
                if !e.iter().any(String::is_empty) {
                    // The empty string sorts first.
                    e.insert(0, String::new());
                }
                (e.len() <= MAX_SET).then_some(e)
            }),
            req: Vec::new(),
        };
    }
    // Every match starts with `min` matches of `x`.
    let mut req = info.req;
    if let Some(e) = repeated(&info.exact, min.min(8)) {
        req.push(texts(&e));
    }
    Info {
        exact: if max == Some(min) {
            repeated(&info.exact, min)
        } else {
            None
        },
        req: prune(req),
    }
}

/// A sequence of pieces.
fn concat(items: Vec<Info>) -> Info {
    // Every item's clauses hold for the sequence; so does the product of a run of items whose
    // exact strings are known ("退" then "款|货" gives "退款|退货"), which says more than the
    // items it is made of. Of the items, only words are kept besides (a smaller clause an
    // alternation may need), not single characters.
    let word = |i: &&Info| {
        i.exact
            .as_ref()
            .is_none_or(|e| e.iter().any(|s| s.chars().nth(1).is_some()))
    };
    let mut req: Vec<Clause> = items
        .iter()
        .filter(word)
        .flat_map(|i| i.req.iter().cloned())
        .collect();
    // The sequence's own strings are known when it is one run of known items.
    let mut whole = true;
    let mut run: Option<Vec<String>> = Some(vec![String::new()]);
    for item in &items {
        match &item.exact {
            Some(e) => {
                run = Some(match run.take() {
                    None => e.clone(),
                    Some(r) if r.len().saturating_mul(e.len()) > MAX_SET => {
                        whole = false;
                        req.push(texts(&r));
                        e.clone()
                    }
                    Some(r) => product(&r, e).unwrap_or_default(),
                })
            }
            None => {
                whole = false;
                if let Some(r) = run.take() {
                    req.push(texts(&r));
                }
            }
        }
    }
    let exact = if whole { run.clone() } else { None };
    if let Some(r) = run {
        req.push(texts(&r));
    }
    Info {
        exact,
        req: prune(req),
    }
}

/// `a|b|...`.
fn alternation(branches: Vec<Info>) -> Info {
    let exact = union(branches.iter().map(|b| b.exact.as_ref().map(|e| texts(e))));
    let exact: Option<Vec<String>> = exact.map(|c| {
        c.into_iter()
            .filter_map(|l| match l {
                Lit::Text(s) => Some(s),
                Lit::Digit => None,
            })
            .collect()
    });
    // Every match is a match of some branch, which satisfies all the branch's clauses: so the
    // union of one clause of each branch is a clause of the alternation. Taking each branch's
    // first, second, ... clause gives several ("(a1 and a2) or b" becomes "(a1 or b) and (a2
    // or b)"); taking each branch's smallest keeps big alternations within the set size.
    let mut req = Vec::new();
    for rank in 0..MAX_CLAUSES {
        req.extend(union(
            branches
                .iter()
                .map(|b| b.req.get(rank.min(b.req.len().max(1) - 1)).cloned()),
        ));
    }
    req.extend(union(
        branches
            .iter()
            .map(|b| b.req.iter().min_by_key(|c| c.len()).cloned()),
    ));
    if let Some(e) = &exact {
        req.push(texts(e));
    }
    Info {
        exact,
        req: prune(req),
    }
}

/// How good a gate clause is, best first: the longest shortest literal (the rarest clause; a
/// digit counts as one byte), then the fewest literals.
fn rank(clause: &[Lit]) -> (std::cmp::Reverse<usize>, usize) {
    let len = |l: &Lit| match l {
        Lit::Digit => 1,
        Lit::Text(s) => s.len(),
    };
    let shortest = clause.iter().map(len).min().unwrap_or(0);
    (std::cmp::Reverse(shortest), clause.len())
}

/// The best few valid clauses, none an exact repeat of a better one.
fn prune(mut clauses: Vec<Clause>) -> Vec<Clause> {
    keep_best(&mut clauses, MAX_CLAUSES, false);
    clauses
}

/// Keeps the best `max` valid clauses. Without `drop_implied` a clause a better one implies is
/// kept too (only exact repeats go): an alternation may need the weaker, smaller one.
fn keep_best(clauses: &mut Vec<Clause>, max: usize, drop_implied: bool) {
    clauses.retain(|c| valid(c));
    clauses.sort_by_cached_key(|c| rank(c));
    let mut kept: Vec<Clause> = Vec::new();
    for c in clauses.drain(..) {
        if kept.len() == max {
            break;
        }
        let redundant = |k: &Clause| *k == c || (drop_implied && implied(&c, k));
        if !kept.iter().any(redundant) {
            kept.push(c);
        }
    }
    *clauses = kept;
}

/// A usable clause: at least one literal, none empty (an empty one is in every text).
fn valid(clause: &[Lit]) -> bool {
    !clause.is_empty() && clause.iter().all(|l| l != &Lit::Text(String::new()))
}

/// Clause `weaker` holds wherever `stronger` does: each literal of `stronger` contains one of
/// `weaker`'s.
fn implied(weaker: &[Lit], stronger: &[Lit]) -> bool {
    stronger.iter().all(|s| {
        weaker.iter().any(|w| match (s, w) {
            (Lit::Text(s), Lit::Text(w)) => s.contains(w.as_str()),
            (Lit::Text(s), Lit::Digit) => s.chars().any(char::is_numeric),
            (Lit::Digit, Lit::Digit) => true,
            (Lit::Digit, Lit::Text(_)) => false,
        })
    })
}

/// The strings of `exact` repeated `n` times, if not too many.
fn repeated(exact: &Option<Vec<String>>, n: u32) -> Option<Vec<String>> {
    let exact = exact.as_ref()?;
    if n > 8 {
        return None;
    }
    let mut out = vec![String::new()];
    for _ in 0..n {
        out = product(&out, exact)?;
    }
    Some(out)
}

/// Every concatenation of a string of `a` with one of `b`, sorted, if not too many.
fn product(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len().saturating_mul(b.len()) > MAX_SET {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            out.push(s);
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// All the literals of all the clauses, if every one is known and together they are not too many.
fn union(sets: impl Iterator<Item = Option<Clause>>) -> Option<Clause> {
    let mut out: Clause = Vec::new();
    for set in sets {
        let set = set?;
        if out.len() + set.len() > 2 * MAX_SET {
            return None;
        }
        out.extend(set);
    }
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_SET).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::{Lit, clauses};

    fn gate(pattern: &str) -> Vec<Vec<String>> {
        clauses(pattern)
            .into_iter()
            .map(|c| {
                let mut c: Vec<String> = c
                    .into_iter()
                    .map(|l| match l {
                        Lit::Digit => "<digit>".to_string(),
                        Lit::Text(s) => s,
                    })
                    .collect();
                c.sort();
                c
            })
            .collect()
    }

    fn set(s: &[&[&str]]) -> Vec<Vec<String>> {
        s.iter()
            .map(|c| {
                let mut v: Vec<String> = c.iter().map(|s| s.to_string()).collect();
                v.sort();
                v
            })
            .collect()
    }

    #[test]
    fn reads_literals() {
        assert_eq!(gate("退款"), set(&[&["退款"]]));
        assert_eq!(gate("(退|换)货"), set(&[&["换货", "退货"]]));
        assert_eq!(
            gate(r"\d+\s*(块|元|块钱)?\s*(卖不卖|卖吗)"),
            set(&[&["卖不卖", "卖吗"], &["<digit>"]])
        );
        assert_eq!(
            gate(r"(今天|明天)\S{0,3}(发货|发出)"),
            set(&[&["今天", "明天"], &["发出", "发货"]])
        );
        assert_eq!(gate(r"(^|[^이])상(했|한)"), set(&[&["상한", "상했"]]));
        assert_eq!(
            gate(r"\bdo ?(?:you|u)\b"),
            set(&[&["do u", "do you", "dou", "doyou"]])
        );
        assert_eq!(gate(r"i\x27ll"), set(&[&["i'll"]]));
        assert_eq!(gate(r"x(ab|cd)?y"), set(&[&["xaby", "xcdy", "xy"]]));
        assert_eq!(gate(r"(?P<n>ab)(?<m>cd)"), set(&[&["abcd"]]));
    }

    #[test]
    fn flags_mean_what_they_mean_to_the_regex() {
        // The old hand parser gave up on these: now they are gated, and soundly.
        assert_eq!(gate("(?i)refund"), set(&[&["refund"]]));
        assert_eq!(gate("(?x) re fund "), set(&[&["refund"]]));
        assert_eq!(
            gate(r"\d+ ?(?:%|percent)"),
            set(&[&["<digit>"], &["%", "percent"]])
        );
        assert_eq!(gate(r"[0-9]{2}天"), set(&[&["天"], &["<digit>"]]));
        assert_eq!(gate(r"(?i)ok|(?-i)no"), set(&[&["no", "ok"]]));
    }

    #[test]
    fn gives_up_when_nothing_is_required() {
        assert!(gate(r"\D+").is_empty());
        assert!(gate("a|").is_empty());
        assert!(gate("a|\\b").is_empty());
        assert!(gate("x*").is_empty());
        assert!(gate("(a|[^b])").is_empty());
        assert!(
            gate("a{2").is_empty(),
            "not a valid regex: no gate, and the build refuses it"
        );
    }
}
