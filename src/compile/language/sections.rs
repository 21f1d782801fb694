//! The intent and hint sections of a pack: keyword lists, near rules, patterns, boosts,
//! `unless`, replies and examples; hints with what they refer to.

use super::{LanguageBuilder, ReplyOwner};
use crate::compile::keywords::Place;
use crate::compile::regex::PatternRegex;
use crate::compile::{Budget, layer};
use crate::error::{Error, Problem};
use crate::id::Id;
use crate::rules::{IntentDef, ReplyDef, RulePack, Strength};
use crate::tables::{HintRule, NearRule, PackExample, Pattern, ReplyTemplate, Target, TargetKind};
use crate::template::Template;
use std::collections::HashMap;
use std::sync::Arc;
use toml::Spanned;

impl LanguageBuilder {
    pub(super) fn add_intent(
        &mut self,
        pack: &RulePack,
        id: &Spanned<String>,
        def: &IntentDef,
        negatable: bool,
        budget: &mut Budget,
    ) -> Result<(), Error> {
        let name = id.get_ref();
        let index = self.intent_ids[name];
        let owner = format!("intent `{name}`");
        let negatable = def.negatable.as_ref().map_or(negatable, |n| *n.get_ref());
        if let Some(t) = &def.threshold {
            self.intents[index as usize].threshold = *t.get_ref();
        }
        for (strength, words) in def.lists() {
            let rule = self.rule(pack, words.span(), &format!("{name} {}", strength.list()));
            let kind = TargetKind::Intent {
                intent: index,
                strength,
            };
            let target = Target::written(kind, negatable, rule);
            self.add_words(pack, words, target, &owner, budget)?;
        }
        for near in &def.near {
            let n = near.get_ref();
            let near_index = self.nears.len() as u32;
            let rule = self.rule(pack, near.span(), &format!("{name} near"));
            let groups = n.groups.get_ref();
            self.nears.push(NearRule {
                intent: index,
                strength: n.strength.unwrap_or(Strength::Strong),
                full_mask: ((1u32 << groups.len()) - 1) as u8,
                within: n.within.as_ref().map(|w| *w.get_ref()),
                ordered: n.ordered,
                rule,
            });
            for (g, words) in groups.iter().enumerate() {
                let kind = TargetKind::Near {
                    near: near_index,
                    group: g as u8,
                };
                let target = Target::written(kind, negatable, rule);
                self.add_words(pack, words, target, &owner, budget)?;
            }
        }
        for (filler, words) in [(false, &def.alone), (true, &def.alone_with)] {
            let Some(words) = words else { continue };
            let list = if filler { "alone_with" } else { "alone" };
            let rule = self.rule(pack, words.span(), &format!("{name} {list}"));
            if !filler {
                self.intents[index as usize].alone_rule.get_or_insert(rule);
            }
            let target = Target {
                kind: TargetKind::Alone {
                    intent: index,
                    filler,
                },
                // "不在吗" is no greeting either way: a whole-message rule is not negated.
                negatable: false,
                rule,
                fuzzy: false,
            };
            self.add_words(pack, words, target, &owner, budget)?;
        }
        for (strength, regexes) in def.pattern_lists() {
            for raw in regexes.get_ref() {
                budget.pattern(pack, raw, &owner)?;
                let regex = PatternRegex::new(pack, raw, &owner, budget.limits)?;
                let rule = self.rule(
                    pack,
                    raw.span(),
                    &format!("{name} {}", pattern_list(strength)),
                );
                self.patterns.push(Pattern {
                    intent: index,
                    strength,
                    regex,
                    rule,
                });
            }
        }
        for b in &def.boost {
            let boost = (b.when.get_ref().clone(), *b.weight.get_ref());
            self.intents[index as usize].boosts.push(boost);
        }
        for other in &def.unless {
            let by = self.known(&self.intent_ids, pack, other, "intent", &owner)?;
            self.intents[index as usize].unless.push(by);
        }
        self.add_replies(pack, budget, &def.reply.0, ReplyOwner::Intent(index, name))?;
        for text in &def.examples {
            self.add_example(pack, text, Some(index));
        }
        Ok(())
    }

    pub(super) fn add_hints(&mut self, pack: &RulePack) -> Result<(), Error> {
        for (id, h) in &pack.file.hint.0 {
            let rule = format!("hint `{}`", id.get_ref());
            let refs = |ids: &HashMap<String, u16>, list: &[Spanned<String>], what| {
                list.iter()
                    .map(|i| self.known(ids, pack, i, what, &rule))
                    .collect::<Result<Vec<u16>, Error>>()
            };
            let hint = HintRule {
                id: Id::from(id.get_ref().as_str()),
                text: Arc::from(h.text.get_ref().as_str()),
                priority: h.priority,
                intents: refs(&self.intent_ids, &h.intents, "intent")?,
                signals: refs(&self.signal_ids, &h.signals, "signal")?,
                events: refs(&self.event_ids, &h.events, "event")?,
                unless: refs(&self.intent_ids, &h.unless, "intent")?,
                contradicts: h
                    .contradicts
                    .iter()
                    .map(|c| Id::from(c.get_ref().as_str()))
                    .collect(),
                thread: h
                    .thread
                    .iter()
                    .filter_map(|t| {
                        crate::rules::THREAD_TRIGGERS
                            .iter()
                            .position(|n| n == t.get_ref())
                    })
                    .fold(0, |bits, i| bits | 1 << i),
                when: h.when.as_ref().map(|w| w.get_ref().clone()),
            };
            layer(
                &mut self.hints,
                &mut self.hint_ids,
                id.get_ref().clone(),
                hint,
                h.replace,
                pack,
                id.span(),
                "hint",
                &rule,
            )?;
        }
        Ok(())
    }

    /// Adds the keywords of `words` for `target`, with their typo variants.
    pub(super) fn add_words(
        &mut self,
        pack: &RulePack,
        words: &Spanned<Vec<Spanned<String>>>,
        target: Target,
        owner: &str,
        budget: &mut Budget,
    ) -> Result<(), Error> {
        let at = Place { pack, rule: owner };
        for w in words.get_ref() {
            let added =
                self.table
                    .add(&at, w, target, &self.typos, budget.limits.max_keyword_bytes)?;
            budget.keywords(added, pack, w, owner)?;
        }
        Ok(())
    }

    /// Layers the replies `defs` of an intent or an event under the ids
    /// `{tag}.{intent}.{reply id}` or `{tag}.event.{event}.{reply id}`.
    pub(super) fn add_replies(
        &mut self,
        pack: &RulePack,
        budget: &Budget,
        defs: &[ReplyDef],
        to: ReplyOwner,
    ) -> Result<(), Error> {
        let (owner, key) = match to {
            ReplyOwner::Intent(_, name) => {
                (format!("intent `{name}`"), format!("{}.{name}", self.tag))
            }
            ReplyOwner::Event(_, id) => {
                (format!("event `{id}`"), format!("{}.event.{id}", self.tag))
            }
        };
        for reply in defs {
            let t = self.template(pack, &owner, reply, budget)?;
            let (slots, ids, slot) = match to {
                ReplyOwner::Intent(i, _) => (&mut self.replies, &mut self.reply_ids, i),
                ReplyOwner::Event(e, _) => (&mut self.event_replies, &mut self.event_reply_ids, e),
            };
            layer(
                slots,
                ids,
                format!("{key}.{}", reply.id.get_ref()),
                (slot, t),
                reply.replace,
                pack,
                reply.id.span(),
                "reply",
                &format!("{owner} reply `{}`", reply.id.get_ref()),
            )?;
        }
        Ok(())
    }

    /// A reply template, parsed and checked: every placeholder must have a value.
    pub(super) fn template(
        &self,
        pack: &RulePack,
        owner: &str,
        reply: &ReplyDef,
        budget: &Budget,
    ) -> Result<ReplyTemplate, Error> {
        let rule = format!("{owner} reply `{}`", reply.id.get_ref());
        let text = reply.text.get_ref();
        let max = budget.limits.max_template_bytes;
        if text.len() > max {
            return Err(pack.error(
                Problem::Limit(format!("reply longer than {max} bytes")),
                reply.text.span(),
                rule,
            ));
        }
        let template = Template::parse(text).map_err(|e| {
            pack.error(
                Problem::Invalid(e.message),
                crate::compile::text_offset(pack, &reply.text, e.offset),
                &rule,
            )
        })?;
        let when = reply.when.as_ref().map(|w| w.get_ref().clone());
        for name in template.placeholders() {
            if self.defaults.contains_key(name) || when.as_ref().is_some_and(|w| w.guarantees(name))
            {
                continue;
            }
            let offset = text.find(&format!("{{{name}}}")).unwrap_or(0);
            let span = crate::compile::text_offset(pack, &reply.text, offset);
            let problem = match name {
                "days_since_shipped" => {
                    Problem::NoDefault(name.into(), " or a `when` with min_days_since_shipped")
                }
                "order_amount" => {
                    Problem::NoDefault(name.into(), " or a `when` with min_order_amount")
                }
                "shop" | "agent" | "buyer" | "courier" => Problem::NoDefault(name.into(), ""),
                _ => Problem::UnknownPlaceholder(name.into()),
            };
            return Err(pack.error(problem, span, rule));
        }
        Ok(ReplyTemplate {
            id: Id::from(format!(
                "{}.{}.{}",
                self.tag,
                owner_key(owner),
                reply.id.get_ref()
            )),
            template,
            weight: reply.weight.as_ref().map_or(1.0, |w| *w.get_ref()),
            when,
        })
    }

    pub(super) fn add_example(
        &mut self,
        pack: &RulePack,
        text: &Spanned<String>,
        intent: Option<u16>,
    ) {
        let key = text.get_ref().clone();
        let at = *self.example_ids.entry(key.clone()).or_insert_with(|| {
            let place = format!("{}:{}", pack.path, pack.line_of(text.span().start));
            self.examples.push(PackExample {
                text: key,
                intents: Vec::new(),
                place,
            });
            self.examples.len() - 1
        });
        if let Some(i) = intent {
            let id = self.intents[i as usize].id.clone();
            if !self.examples[at].intents.contains(&id) {
                self.examples[at].intents.push(id);
            }
        }
    }

    /// The index of `id` among `ids`, or an error naming it.
    pub(super) fn known(
        &self,
        ids: &HashMap<String, u16>,
        pack: &RulePack,
        id: &Spanned<String>,
        what: &'static str,
        rule: &str,
    ) -> Result<u16, Error> {
        ids.get(id.get_ref()).copied().ok_or_else(|| {
            pack.error(
                Problem::Unknown {
                    what,
                    id: id.get_ref().clone(),
                },
                id.span(),
                rule,
            )
        })
    }
}

/// `damage` of ``intent `damage` ``, `event.unpaid` of ``event `unpaid` ``: the middle of a
/// reply's full id.
fn owner_key(owner: &str) -> String {
    let name = owner.split('`').nth(1).unwrap_or(owner);
    if owner.starts_with("event") {
        format!("event.{name}")
    } else {
        name.to_string()
    }
}

fn pattern_list(strength: Strength) -> &'static str {
    match strength {
        Strength::Strong => "patterns",
        Strength::Weak => "weak_patterns",
        Strength::Against => "against_patterns",
    }
}
