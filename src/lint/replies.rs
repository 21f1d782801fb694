//! Lint checks of replies (curt, without the pack's openers or closers, Korean particles for
//! one case) and of hints (two that contradict each other for one intent).

use super::{Linter, MIN_REPLY_UNITS};
use crate::normalize::{is_cjk, is_word_char};
use crate::template::Particle;
use std::ops::Range;

/// Reply checks: curt replies, missing openers and closers, Korean particles for one case.
pub(super) fn replies(l: &mut Linter, mine: &[usize]) {
    for &p in mine {
        let f = &l.packs[p].file;
        let min = f
            .style
            .as_ref()
            .and_then(|s| s.min_reply_units.as_ref())
            .map_or(MIN_REPLY_UNITS, |m| *m.get_ref() as usize);
        let openers: Vec<&str> = f
            .style
            .iter()
            .flat_map(|s| &s.openers)
            .map(|o| o.get_ref().as_str())
            .collect();
        let closers: Vec<&str> = f
            .style
            .iter()
            .flat_map(|s| &s.closers)
            .map(|o| o.get_ref().as_str())
            .collect();
        let replies = f
            .intent
            .0
            .iter()
            .flat_map(|(_, d)| &d.reply)
            .chain(f.event.0.iter().flat_map(|(_, e)| &e.reply));
        let mut found: Vec<(&'static str, Range<usize>, String)> = Vec::new();
        for r in replies {
            let text = r.text.get_ref();
            let rule = format!("reply `{}`", r.id.get_ref());
            let units = reply_units(text);
            if units < min {
                found.push(("curt-reply", r.text.span(), format!("{rule} has {units} word(s): never answer a buyer in a word or two (at least {min})")));
            }
            if !openers.is_empty() && !openers.iter().any(|o| text.contains(o)) {
                found.push((
                    "reply-style",
                    r.text.span(),
                    format!(
                        "{rule} opens with none of the pack's openers ({})",
                        openers.join(", ")
                    ),
                ));
            }
            if !closers.is_empty() && !closers.iter().any(|c| text.contains(c)) {
                found.push((
                    "reply-style",
                    r.text.span(),
                    format!(
                        "{rule} has none of the pack's closers ({})",
                        closers.join(", ")
                    ),
                ));
            }
            for at in single_particles(text) {
                let span = crate::compile::text_offset(&l.packs[p], &r.text, at);
                found.push(("korean-particle", span, format!("{rule}: a particle written for one case after a placeholder; write both forms, e.g. `은(는)`, `이(가)`, `을(를)`, `(으)로`, and the right one is picked for the value")));
            }
        }
        for (code, span, message) in found {
            l.warn(code, p, &span, message, None);
        }
    }
}

/// Hint checks: two hints that contradict each other and may both apply to one intent.
pub(super) fn hints(l: &mut Linter, mine: &[usize]) {
    type Entry<'a> = (&'a str, usize, &'a crate::rules::HintDef, Range<usize>);
    let all: Vec<Entry> = mine
        .iter()
        .flat_map(|&p| {
            l.packs[p]
                .file
                .hint
                .0
                .iter()
                .map(move |(id, h)| (id.get_ref().as_str(), p, h, id.span()))
        })
        .collect();
    let mut found = Vec::new();
    for (id, p, h, span) in &all {
        for c in &h.contradicts {
            let Some((other, q, g, other_span)) = all.iter().find(|(o, ..)| *o == c.get_ref())
            else {
                continue;
            };
            let names = |h: &crate::rules::HintDef| {
                h.intents
                    .iter()
                    .map(|i| i.get_ref().clone())
                    .collect::<Vec<_>>()
            };
            let excluded =
                |h: &crate::rules::HintDef, i: &str| h.unless.iter().any(|u| u.get_ref() == i);
            let shared: Vec<String> = names(h)
                .into_iter()
                .filter(|i| names(g).contains(i) && !excluded(h, i) && !excluded(g, i))
                .collect();
            let when = |h: &crate::rules::HintDef| {
                h.when
                    .as_ref()
                    .map(|w| w.get_ref().clone())
                    .unwrap_or_default()
            };
            if !shared.is_empty() && when(h).may_overlap(&when(g)) {
                found.push((*p, span.clone(), format!("hints `{id}` and `{other}` contradict each other and both apply to `{}`: only the higher priority is given (add `unless` to one)", shared.join("`, `")), *q, other_span.clone()));
            }
        }
    }
    for (p, span, message, q, other) in found {
        l.warn("hint-conflict", p, &span, message, Some((q, &other)));
    }
}

/// Words of a reply (a Latin word or a CJK/Hangul character each), placeholders not counted.
fn reply_units(text: &str) -> usize {
    let mut units = 0;
    let mut in_word = false;
    let mut in_placeholder = false;
    for c in text.chars() {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            _ if in_placeholder => {}
            c if is_cjk(c) => {
                units += 1;
                in_word = false;
            }
            c if is_word_char(c) => {
                units += usize::from(!in_word);
                in_word = true;
            }
            _ => in_word = false,
        }
    }
    units
}

/// Byte offsets of single-form Korean particles right after a placeholder (`{shop}은 `).
fn single_particles(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices('}') {
        let rest = &text[i + 1..];
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { continue };
        let form = c.to_string();
        let next = chars.next();
        let stands_alone = next.is_none_or(|n| !('가'..='힣').contains(&n));
        let both_forms = rest.starts_with(&format!("{form}(")) || rest.starts_with("(으)");
        if Particle::SINGLE_FORMS.contains(&form.as_str())
            && stands_alone
            && !both_forms
            && !text[..i].ends_with('}')
        {
            out.push(i + 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_units_skip_placeholders() {
        assert_eq!(reply_units("OK"), 1);
        assert_eq!(reply_units("{buyer}好的"), 2);
        assert_eq!(reply_units("So sorry, {buyer}! We'll fix it."), 6);
    }

    #[test]
    fn single_particles_are_found() {
        assert_eq!(single_particles("{shop}은 좋아요"), vec![6]);
        assert!(single_particles("{shop}은(는) 좋아요").is_empty());
        assert!(single_particles("{buyer}님 안녕하세요").is_empty());
        assert!(
            single_particles("{shop}이에요").is_empty(),
            "a word, not a particle alone"
        );
        assert_eq!(single_particles("{place}로 보내요"), vec![7]);
    }
}
