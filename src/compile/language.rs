//! Load stage 2, validate and layer: one language assembled from its packs, one function per
//! pack section. Later packs of a language add keywords and rules to its intents, add intents,
//! signals, events, replies and hints, and replace a reply or hint by id with `replace = true`.

mod sections;

use super::Budget;
use super::keywords::{KeywordTable, Place, ScanSource};
use crate::detect::Script;
use crate::error::{Error, Problem};
use crate::id::Id;
use crate::normalize::Normalized;
use crate::rules::RulePack;
use crate::score::DEFAULT_THRESHOLD;
use crate::tables::{
    ConversationRules, EventRule, HintRule, IntentRule, Language, LazyScan, NearRule, PackExample,
    Pattern, ReplyTemplate, SignalRule, Target, TargetKind,
};
use crate::template::Money;
use std::collections::HashMap;
use std::sync::Arc;
use toml::Spanned;

/// Whose replies [`LanguageBuilder::add_replies`] layers: an intent's or an event's,
/// by index and id.
#[derive(Clone, Copy)]
enum ReplyOwner<'a> {
    Intent(u16, &'a str),
    Event(u16, &'a str),
}

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
    /// Whether every pack of the language so far is bundled: its scan tables are then built on
    /// first use (`keywords::tests::every_bundled_language_builds` builds them in CI).
    bundled_only: bool,
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
            bundled_only: true,
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
        self.bundled_only &= pack.bundled;
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
                    alone_rule: None,
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
            let target = Target::written(TargetKind::Signal(s), negatable, rule);
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
            let replies_of = ReplyOwner::Event(e, id.get_ref());
            self.add_replies(pack, budget, &def.reply.0, replies_of)?;
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
            for (marks, into) in [(&c.followups, 0), (&c.resolved, 1), (&c.accepted, 2)] {
                for m in marks {
                    let folded = self.fold(m.get_ref());
                    if folded.is_empty() {
                        return Err(pack.error(Problem::EmptyKeyword, m.span(), "conversation"));
                    }
                    let list = match into {
                        0 => &mut self.conversation.followups,
                        1 => &mut self.conversation.resolved,
                        _ => &mut self.conversation.accepted,
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
                let target = Target::written(kind, false, rule);
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
        let source = ScanSource {
            table: self.table,
            tag: self.tag.clone(),
            fuzzy_edits: self.fuzzy_edits,
        };
        let scan = if self.bundled_only {
            LazyScan::deferred(source)
        } else {
            LazyScan::ready(source.build(&self.patterns)?)
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
