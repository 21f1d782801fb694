//! Near rules: keywords of every group in one message, each within the rule's distance of the
//! one before (in group order if asked), found by a small dynamic program over the rule's hits.

use crate::scan::units;
use crate::tables::NearRule;

/// The hits of one near rule (sorted by start) that satisfy it, by index: one per group, or
/// `None`.
pub(super) fn satisfy(
    rule: &NearRule,
    hits: &[(u32, u32, u32, u8, u32, bool)],
    text: &str,
) -> Option<Vec<usize>> {
    let groups = rule.full_mask.count_ones() as usize;
    // Most rules a message touches miss a group: nothing to search then.
    let seen = hits.iter().fold(0u32, |m, h| m | 1 << h.3);
    if seen != u32::from(rule.full_mask) {
        return None;
    }
    let Some(within) = rule.within else {
        // Anywhere in the message: the first hit of each group.
        let mut chosen: Vec<Option<usize>> = vec![None; groups];
        for (i, h) in hits.iter().enumerate() {
            chosen[h.3 as usize].get_or_insert(i);
        }
        return chosen.into_iter().collect();
    };
    // Chains of hits, each starting after the previous one ends, at most `within` units after
    // it: `prev[i][set]` says a chain covering the groups of `set` ends at hit `i`, and which
    // hit comes before (START: none). Only hits a few hundred bytes back can precede a hit,
    // which keeps a message dense with hits linear.
    const NONE: u32 = u32::MAX;
    const START: u32 = u32::MAX - 1;
    let reach = 1024 + 16 * within as usize;
    let sets = 1usize << groups;
    let full = sets - 1;
    // One flat table, `sets` entries per hit.
    let mut prev: Vec<u32> = vec![NONE; hits.len() * sets];
    for (i, h) in hits.iter().enumerate() {
        let bit = 1usize << h.3;
        let (earlier, rest) = prev.split_at_mut(i * sets);
        let mine = &mut rest[..sets];
        if !rule.ordered || h.3 == 0 {
            mine[bit] = START;
        }
        for j in (0..i).rev() {
            let p = &hits[j];
            if (p.1 as usize) + reach < h.1 as usize {
                break;
            }
            if p.2 > h.1 || units(&text[p.2 as usize..h.1 as usize]) > within {
                continue;
            }
            let theirs = &earlier[j * sets..(j + 1) * sets];
            for set in 0..sets {
                let in_order = !rule.ordered || set == bit - 1;
                if theirs[set] != NONE && set & bit == 0 && in_order && mine[set | bit] == NONE {
                    mine[set | bit] = j as u32;
                }
            }
        }
        if mine[full] != NONE {
            let (mut at, mut set, mut chain) = (i, full, Vec::with_capacity(groups));
            loop {
                chain.push(at);
                let before = prev[at * sets + set];
                set &= !(1usize << hits[at].3);
                if before == START {
                    break;
                }
                at = before as usize;
            }
            chain.reverse();
            return Some(chain);
        }
    }
    None
}
