//! Load stage 2, validate and layer: one language assembled from its packs, one function per
//! pack section. Later packs of a language add keywords and rules to its intents, add intents,
//! signals, events, replies and hints, and replace a reply or hint by id with `replace = true`.

use super::keywords::{KeywordTable, Place};
use super::{Budget, layer};
use crate::detect::Script;
use crate::error::{Error, Problem};
use crate::fuzzy::FuzzyIndex;
use crate::id::Id;
use crate::normalize::Normalized;
use crate::rules::{IntentDef, ReplyDef, RulePack, Strength};
use crate::score::DEFAULT_THRESHOLD;
use crate::tables::{
    ConversationRules, EventRule, HintRule, IntentRule, Language, NearRule, PackExample, Pattern,
    ReplyTemplate, SignalRule, Target, TargetKind,
};
use crate::template::{Money, Template};
use std::collections::HashMap;
use std::sync::Arc;
use toml::Spanned;

/// A language being assembled from its packs, with the id maps that layering needs.
pub(super) struct LanguageBuilder {
    pub(super) tag: Id,
    /// The scripts declared for the language, and the pack that declared them.
    pub(super) scripts: Option<(Vec<Script>, String)>,
    intents: Vec<IntentRule>,
    intent_ids: HashMap<String, u16>,
    signals: Vec<SignalRule>,
    signal_ids: HashMap<String, u16>,
    events: Vec<EventRule>,
    event_ids: HashMap<String, u16>,
    rules: Vec<Arc<str>>,
    nears: Vec<NearRule>,
    patterns: Vec<Pattern>,
    negation_window: u32,
    table: KeywordTable,
    /// Placeholder defaults of the packs so far, later packs overriding earlier ones.
    defaults: HashMap<String, String>,
    money: Money,
    /// Folded typo table: written text -> what buyers type for it.
    typos: Vec<(String, Vec<String>)>,
    fuzzy_edits: bool,
    conversation: ConversationRules,
    /// Every intent reply (intent, template) in declaration order, and by full id.
    replies: Vec<(u16, ReplyTemplate)>,
    reply_ids: HashMap<String, (usize, String)>,
    event_replies: Vec<(u16, ReplyTemplate)>,
    event_reply_ids: HashMap<String, (usize, String)>,
    hints: Vec<HintRule>,
    hint_ids: HashMap<String, (usize, String)>,
    examples: Vec<PackExample>,
    example_ids: HashMap<String, usize>,
    norm: Normalized,
}

impl LanguageBuilder {
    pub(super) fn new(tag: &str) -> LanguageBuilder {
        LanguageBuilder {
            tag: Id::from(tag),
            scripts: None,
            intents: Vec::new(),
            intent_ids: HashMap::new(),
            signals: Vec::new(),
            signal_ids: HashMap::new(),
            events: Vec::new(),
            event_ids: HashMap::new(),
            rules: Vec::new(),
            nears: Vec::new(),
            patterns: Vec::new(),
            negation_window: 2,
            table: KeywordTable::default(),
            defaults: HashMap::new(),
            money: Money::for_language(tag),
            typos: Vec::new(),
            fuzzy_edits: true,
            conversation: ConversationRules::default(),
            replies: Vec::new(),
            reply_ids: HashMap::new(),
            event_replies: Vec::new(),
            event_reply_ids: HashMap::new(),
            hints: Vec::new(),
            hint_ids: HashMap::new(),
            examples: Vec::new(),
            example_ids: HashMap::new(),
            norm: Normalized::default(),
        }
    }

    /// Adds `pack`'s sections, in an order that lets each refer to the ones before.
    pub(super) fn add_pack(&mut self, pack: &RulePack, budget: &mut Budget) -> Result<(), Error> {
        self.add_header(pack)?;
        self.add_negation(pack, budget)?;
        let f = &pack.file;
        // Declared first, so that `unless` may name an intent written further down.
        for (id, _) in &f.intent.0 {
            intern(
                &mut self.intent_ids,
                &mut self.intents,
                pack,
                id,
                "intent",
                |id| IntentRule {
                    id: Id::from(id),
                    threshold: DEFAULT_THRESHOLD,
                    boosts: Vec::new(),
                    unless: Vec::new(),
                },
            )?;
        }
        let negatable = f.negatable.as_ref().is_none_or(|n| *n.get_ref());
        for (id, def) in &f.intent.0 {
            self.add_intent(pack, id, def, negatable, budget)?;
        }
        for (id, def) in &f.signal.0 {
            let s = intern(
                &mut self.signal_ids,
                &mut self.signals,
                pack,
                id,
                "signal",
                |id| SignalRule { id: Id::from(id) },
            )?;
            let rule = self.rule(
                pack,
                def.keywords.span(),
                &format!("signal {}", id.get_ref()),
            );
            let negatable = def.negatable.as_ref().map_or(negatable, |n| *n.get_ref());
            let target = Target {
                kind: TargetKind::Signal(s),
                negatable,
                rule,
                fuzzy: false,
            };
            self.add_words(
                pack,
                &def.keywords,
                target,
                &format!("signal `{}`", id.get_ref()),
                budget,
            )?;
        }
        for (id, def) in &f.event.0 {
            let e = intern(
                &mut self.event_ids,
                &mut self.events,
                pack,
                id,
                "event",
                |id| EventRule {
                    id: Id::from(id),
                    replies: Vec::new(),
                },
            )?;
            for reply in &def.reply {
                let owner = format!("event `{}`", id.get_ref());
                let t = self.template(pack, &owner, reply, budget)?;
                let key = format!("{}.event.{}.{}", self.tag, id.get_ref(), reply.id.get_ref());
                let rule = format!("{owner} reply `{}`", reply.id.get_ref());
                layer(
                    &mut self.event_replies,
                    &mut self.event_reply_ids,
                    key,
                    (e, t),
                    reply.replace,
                    pack,
                    reply.id.span(),
                    "reply",
                    &rule,
                )?;
            }
        }
        self.add_hints(pack)?;
        if let Some(c) = &f.conversation {
            let rule = "conversation";
            for id in &c.anger {
                match (
                    self.intent_ids.get(id.get_ref()),
                    self.signal_ids.get(id.get_ref()),
                ) {
                    (Some(&i), _) => self.conversation.anger_intents.push(i),
                    (None, Some(&g)) => self.conversation.anger_signals.push(g),
                    (None, None) => {
                        let problem = Problem::Unknown {
                            what: "intent or signal",
                            id: id.get_ref().clone(),
                        };
                        return Err(pack.error(problem, id.span(), rule));
                    }
                }
            }
            for id in &c.closing {
                let i = self.known(&self.intent_ids, pack, id, "intent", rule)?;
                self.conversation.closing.push(i);
            }
            for id in &c.opening {
                let i = self.known(&self.intent_ids, pack, id, "intent", rule)?;
                self.conversation.opening.push(i);
            }
            if let Some(topics) = &c.topics {
                let mut list = self.conversation.topics.take().unwrap_or_default();
                for id in topics {
                    list.push(self.known(&self.intent_ids, pack, id, "intent", rule)?);
                }
                self.conversation.topics = Some(list);
            }
        }
        if let Some(none) = &f.none {
            for text in &none.examples {
                self.add_example(pack, text, None);
            }
        }
        Ok(())
    }

    fn add_header(&mut self, pack: &RulePack) -> Result<(), Error> {
        let f = &pack.file;
        if let Some(scripts) = &f.scripts {
            let declared: Vec<Script> = scripts
                .get_ref()
                .iter()
                .filter_map(|s| Script::parse(s.get_ref()))
                .collect();
            match &self.scripts {
                Some((earlier, by)) if *earlier != declared => {
                    return Err(pack.error(
                        Problem::Invalid(format!(
                            "language `{}` was declared with other scripts in {by}",
                            self.tag
                        )),
                        scripts.span(),
                        "scripts",
                    ));
                }
                _ => self.scripts = Some((declared, pack.path.clone())),
            }
        }
        for (name, value) in &f.defaults {
            self.defaults.insert(name.clone(), value.get_ref().clone());
        }
        if let Some(m) = &f.money {
            if let Some(symbol) = &m.symbol {
                self.money.symbol = symbol.clone();
            }
            self.money.symbol_after = m.symbol_after;
            self.money.whole_without_decimals = m.whole_without_decimals;
            if let Some(d) = &m.decimals {
                self.money.decimals = *d.get_ref();
            }
            if let Some(t) = &m.thousands {
                self.money.thousands = t.clone();
            }
        }
        if let Some(c) = &f.conversation {
            if let Some(t) = &c.reply_target_seconds {
                self.conversation.reply_target_seconds = *t.get_ref();
            }
            for (marks, into) in [(&c.followups, 0), (&c.resolved, 1)] {
                for m in marks {
                    let folded = self.fold(m.get_ref());
                    if folded.is_empty() {
                        return Err(pack.error(Problem::EmptyKeyword, m.span(), "conversation"));
                    }
                    let list = if into == 0 {
                        &mut self.conversation.followups
                    } else {
                        &mut self.conversation.resolved
                    };
                    list.push(folded);
                }
            }
        }
        if let Some(fuzzy) = &f.fuzzy {
            if let Some(edits) = fuzzy.edits {
                self.fuzzy_edits = edits;
            }
            for (right, wrongs) in &fuzzy.typos {
                let folded = self.fold(right);
                let mut variants = Vec::new();
                for w in wrongs.get_ref() {
                    let v = self.fold(w.get_ref());
                    if folded.is_empty() || v.is_empty() {
                        let message =
                            format!("empty typo for `{right}`: a typo folds to some text");
                        return Err(pack.error(Problem::Invalid(message), w.span(), "fuzzy typos"));
                    }
                    variants.push(v);
                }
                self.typos.push((folded, variants));
            }
        }
        Ok(())
    }

    fn add_negation(&mut self, pack: &RulePack, budget: &mut Budget) -> Result<(), Error> {
        let Some(neg) = &pack.file.negation else {
            return Ok(());
        };
        if let Some(w) = &neg.window {
            self.negation_window = *w.get_ref();
        }
        let rule = self.rule(pack, 0..0, "negation");
        for (words, kind) in [
            (&neg.before, TargetKind::NegatorBefore),
            (&neg.after, TargetKind::NegatorAfter),
        ] {
            for w in words {
                let target = Target {
                    kind,
                    negatable: false,
                    rule,
                    fuzzy: false,
                };
                let at = Place {
                    pack,
                    rule: "negation",
                };
                budget.keywords(
                    self.table
                        .add(&at, w, target, &[], budget.limits.max_keyword_bytes)?,
                    pack,
                    w,
                    "negation",
                )?;
            }
        }
        Ok(())
    }

    fn add_intent(
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
            let target = Target {
                kind,
                negatable,
                rule,
                fuzzy: false,
            };
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
                let target = Target {
                    kind,
                    negatable,
                    rule,
                    fuzzy: false,
                };
                self.add_words(pack, words, target, &owner, budget)?;
            }
        }
        for (strength, regexes) in def.pattern_lists() {
            for raw in regexes.get_ref() {
                budget.pattern(pack, raw, &owner)?;
                let regex = super::compile_regex(pack, raw, &owner, budget.limits)?;
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
                    gate: 0,
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
        for reply in &def.reply {
            let t = self.template(pack, &owner, reply, budget)?;
            let key = format!("{}.{name}.{}", self.tag, reply.id.get_ref());
            let rule = format!("{owner} reply `{}`", reply.id.get_ref());
            layer(
                &mut self.replies,
                &mut self.reply_ids,
                key,
                (index, t),
                reply.replace,
                pack,
                reply.id.span(),
                "reply",
                &rule,
            )?;
        }
        for text in &def.examples {
            self.add_example(pack, text, Some(index));
        }
        Ok(())
    }

    fn add_hints(&mut self, pack: &RulePack) -> Result<(), Error> {
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
    fn add_words(
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

    /// A reply template, parsed and checked: every placeholder must have a value.
    fn template(
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
                super::text_offset(pack, &reply.text, e.offset),
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
            let span = super::text_offset(pack, &reply.text, offset);
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

    fn add_example(&mut self, pack: &RulePack, text: &Spanned<String>, intent: Option<u16>) {
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
    fn known(
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

    /// Names a rule once: `rules/zh.toml:120 damage keywords`.
    fn rule(&mut self, pack: &RulePack, span: std::ops::Range<usize>, what: &str) -> u32 {
        let line = pack.line_of(span.start);
        self.rules
            .push(Arc::from(format!("{}:{line} {what}", pack.path)));
        (self.rules.len() - 1) as u32
    }

    fn fold(&mut self, text: &str) -> String {
        self.norm.fold(text);
        self.norm.text.clone()
    }

    /// The finished language: its scan tables and fuzzy index built, replies and hints in
    /// output order.
    pub(super) fn finish(mut self) -> Result<Language, Error> {
        let scan = self.table.build(&self.tag, &mut self.patterns)?;
        let fuzzy = if self.fuzzy_edits {
            FuzzyIndex::build(
                scan.keywords
                    .iter()
                    .map(|k| (&*k.text, k.boundary_end && k.targets.start != k.targets.end)),
            )
        } else {
            FuzzyIndex::default()
        };
        let mut replies: Vec<Vec<ReplyTemplate>> =
            self.intents.iter().map(|_| Vec::new()).collect();
        for (intent, mut t) in self.replies {
            t.template.resolve(&self.defaults);
            replies[intent as usize].push(t);
        }
        for (event, mut t) in self.event_replies {
            t.template.resolve(&self.defaults);
            self.events[event as usize].replies.push(t);
        }
        for list in replies
            .iter_mut()
            .chain(self.events.iter_mut().map(|e| &mut e.replies))
        {
            preference_order(list);
        }
        // Stable: equal priorities keep declaration order.
        self.hints.sort_by_key(|h| std::cmp::Reverse(h.priority));
        Ok(Language {
            tag: self.tag,
            intents: self.intents,
            signals: self.signals,
            rules: self.rules,
            nears: self.nears,
            patterns: self.patterns,
            negation_window: self.negation_window,
            scan,
            fuzzy,
            replies,
            hints: self.hints,
            events: self.events,
            money: self.money,
            conversation: self.conversation,
            examples: self.examples,
        })
    }
}

/// Context-specific templates first (when their condition holds they fit the situation better
/// than a general one), then by weight; equal ones keep declaration order.
fn preference_order(list: &mut [ReplyTemplate]) {
    list.sort_by(|a, b| {
        b.when
            .is_some()
            .cmp(&a.when.is_some())
            .then(b.weight.total_cmp(&a.weight))
    });
}

/// The id of `name` in `ids`, declaring it with `make` if new.
fn intern<T>(
    ids: &mut HashMap<String, u16>,
    list: &mut Vec<T>,
    pack: &RulePack,
    id: &Spanned<String>,
    what: &str,
    make: impl FnOnce(&str) -> T,
) -> Result<u16, Error> {
    if let Some(&i) = ids.get(id.get_ref()) {
        return Ok(i);
    }
    if list.len() >= u16::MAX as usize {
        return Err(pack.error(Problem::Limit(format!("too many {what}s")), id.span(), what));
    }
    list.push(make(id.get_ref()));
    ids.insert(id.get_ref().clone(), (list.len() - 1) as u16);
    Ok((list.len() - 1) as u16)
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
