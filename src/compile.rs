//! Stage 2: layer the parsed packs into one immutable engine: a single aho-corasick automaton
//! over every keyword of every language, and flat per-language tables indexed by small integers
//! so that scoring needs no maps.

use crate::context::Condition;
use crate::error::{Error, ErrorKind};
use crate::normalize::{fold, is_word_char};
use crate::rules::RulePack;
use crate::template::Template;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use toml::Spanned;

/// The limits a build enforces on what packs may cost, and on messages.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) max_message_bytes: usize,
    pub(crate) max_pack_bytes: usize,
    pub(crate) max_keywords: usize,
    pub(crate) max_keyword_bytes: usize,
    pub(crate) max_template_bytes: usize,
    pub(crate) max_patterns: usize,
    pub(crate) regex_size_limit: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message_bytes: 64 * 1024,
            max_pack_bytes: 8 * 1024 * 1024,
            max_keywords: 250_000,
            max_keyword_bytes: 256,
            max_template_bytes: 4096,
            max_patterns: 1024,
            regex_size_limit: 256 * 1024,
        }
    }
}

/// Everything `classify` and `suggest` read; built once, never changed.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) automaton: AhoCorasick,
    /// Per automaton pattern: the folded keyword and what it counts for.
    pub(crate) keywords: Vec<Keyword>,
    /// The targets of all keywords, each keyword owning a range.
    pub(crate) targets: Vec<Target>,
    pub(crate) languages: Vec<Language>,
    pub(crate) default_language: usize,
    pub(crate) limits: Limits,
}

#[derive(Debug)]
pub(crate) struct Keyword {
    /// The folded keyword (without a trailing `*`): what the message's folded text matched.
    pub(crate) text: Arc<str>,
    /// Latin keywords must start/end on a word boundary.
    pub(crate) boundary_start: bool,
    pub(crate) boundary_end: bool,
    pub(crate) targets: Range<u32>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub(crate) language: u16,
    pub(crate) kind: TargetKind,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum TargetKind {
    Cue(u32),
    /// Group `group` of co-occurrence rule `all`.
    Group {
        all: u32,
        group: u8,
    },
    Signal(u16),
    NegatorBefore,
    NegatorAfter,
}

#[derive(Debug)]
pub(crate) struct Language {
    pub(crate) tag: Arc<str>,
    pub(crate) intents: Vec<IntentRule>,
    pub(crate) cues: Vec<Cue>,
    pub(crate) alls: Vec<AllOf>,
    pub(crate) patterns: Vec<Pattern>,
    pub(crate) signals: Vec<SignalRule>,
    pub(crate) negation_window: u32,
    /// Per intent, its templates in preference order (context-specific first, then weight).
    pub(crate) templates: Vec<Vec<ReplyTemplate>>,
    /// In output order: priority descending, then declaration order.
    pub(crate) hints: Vec<HintRule>,
    pub(crate) defaults: HashMap<String, String>,
}

#[derive(Debug)]
pub(crate) struct IntentRule {
    pub(crate) id: Arc<str>,
    pub(crate) threshold: f64,
    pub(crate) boosts: Vec<(Condition, f64)>,
}

#[derive(Debug)]
pub(crate) struct Cue {
    pub(crate) intent: u16,
    pub(crate) weight: f64,
    pub(crate) negatable: bool,
    pub(crate) rule: Arc<str>,
}

#[derive(Debug)]
pub(crate) struct AllOf {
    pub(crate) intent: u16,
    pub(crate) weight: f64,
    pub(crate) negatable: bool,
    /// One bit per group: the rule holds when the matched groups' bits equal this.
    pub(crate) full_mask: u64,
    pub(crate) rule: Arc<str>,
}

#[derive(Debug)]
pub(crate) struct Pattern {
    pub(crate) intent: u16,
    pub(crate) weight: f64,
    pub(crate) regex: Regex,
    pub(crate) rule: Arc<str>,
}

#[derive(Debug)]
pub(crate) struct SignalRule {
    pub(crate) id: Arc<str>,
    pub(crate) negatable: bool,
}

#[derive(Debug)]
pub(crate) struct ReplyTemplate {
    pub(crate) id: Arc<str>,
    pub(crate) template: Template,
    pub(crate) weight: f64,
    pub(crate) when: Option<Condition>,
}

#[derive(Debug)]
pub(crate) struct HintRule {
    pub(crate) id: Arc<str>,
    pub(crate) text: Arc<str>,
    pub(crate) priority: i32,
    pub(crate) intents: Vec<u16>,
    pub(crate) signals: Vec<u16>,
    pub(crate) when: Option<Condition>,
}

/// A language being assembled from its packs, with the id maps that layering needs.
struct LanguageBuilder {
    language: Language,
    intent_ids: HashMap<String, u16>,
    signal_ids: HashMap<String, u16>,
    /// Every template with its intent, in declaration order; sorted per intent at the end.
    templates: Vec<(u16, ReplyTemplate)>,
    /// Template id -> position in `templates`.
    template_ids: HashMap<String, usize>,
    hint_ids: HashMap<String, usize>,
}

/// Collects keywords into one table, merging duplicates (the same folded keyword with the same
/// boundaries is one automaton pattern however many rules use it).
#[derive(Default)]
struct KeywordTable {
    index: HashMap<(String, bool, bool), usize>,
    keywords: Vec<(String, bool, bool)>,
    targets: Vec<Vec<Target>>,
    count: usize,
}

const REPLACE_HINT: &str = " (set `replace = true` to replace the earlier one)";

/// Layers `packs` in order into an engine.
pub(crate) fn compile(
    packs: &[RulePack],
    limits: Limits,
    default_language: Option<&str>,
) -> Result<Compiled, Error> {
    let mut languages: Vec<LanguageBuilder> = Vec::new();
    let mut table = KeywordTable::default();
    let mut pattern_count = 0usize;
    for pack in packs {
        let tag = pack.file.language.get_ref();
        let lang = match languages
            .iter()
            .position(|l| &*l.language.tag == tag.as_str())
        {
            Some(i) => i,
            None => {
                if languages.len() >= u16::MAX as usize {
                    return Err(Error::new(ErrorKind::Limit("too many languages".into()))
                        .with_path(&pack.path));
                }
                languages.push(LanguageBuilder::new(tag));
                languages.len() - 1
            }
        };
        let builder = &mut languages[lang];
        builder.add_pack(pack, lang as u16, &mut table, &limits, &mut pattern_count)?;
    }
    if languages.is_empty() {
        return Err(Error::new(ErrorKind::Invalid(
            "no rule packs: enable the bundled packs or add one of your own".into(),
        )));
    }
    let default_language = match default_language {
        None => 0,
        Some(tag) => languages
            .iter()
            .position(|l| &*l.language.tag == tag)
            .ok_or_else(|| {
                Error::new(ErrorKind::Invalid(format!(
                    "default language `{tag}` has no rule pack"
                )))
            })?,
    };
    let mut keywords = Vec::with_capacity(table.keywords.len());
    let mut targets = Vec::new();
    for ((text, boundary_start, boundary_end), ts) in table.keywords.iter().zip(&table.targets) {
        let start = targets.len() as u32;
        targets.extend_from_slice(ts);
        keywords.push(Keyword {
            text: Arc::from(text.as_str()),
            boundary_start: *boundary_start,
            boundary_end: *boundary_end,
            targets: start..targets.len() as u32,
        });
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        // A DFA is fastest to search, but its memory grows with the keyword count times the
        // alphabet; past a few thousand keywords the contiguous NFA keeps the build fast and
        // small while staying close in speed.
        .kind(Some(if keywords.len() <= 5_000 {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        }))
        .build(table.keywords.iter().map(|k| k.0.as_bytes()))
        .map_err(|e| Error::new(ErrorKind::Limit(format!("keyword automaton: {e}"))))?;
    Ok(Compiled {
        automaton,
        keywords,
        targets,
        languages: languages.into_iter().map(LanguageBuilder::finish).collect(),
        default_language,
        limits,
    })
}

impl KeywordTable {
    /// Adds `raw` (as written in `pack`) for `target`; folds it and works out its boundaries.
    fn add(
        &mut self,
        pack: &RulePack,
        raw: &Spanned<String>,
        target: Target,
        rule: &str,
        limits: &Limits,
    ) -> Result<(), Error> {
        let written = raw.get_ref();
        if written.len() > limits.max_keyword_bytes {
            return Err(pack.error(
                ErrorKind::Limit(format!(
                    "keyword longer than {} bytes",
                    limits.max_keyword_bytes
                )),
                raw.span(),
                rule,
            ));
        }
        let (body, prefix) = match written.trim_end().strip_suffix('*') {
            Some(body) => (body, true),
            None => (written.as_str(), false),
        };
        let folded = fold(body);
        if folded.is_empty() {
            return Err(pack.error(ErrorKind::EmptyKeyword, raw.span(), rule));
        }
        self.count += 1;
        if self.count > limits.max_keywords {
            return Err(pack.error(
                ErrorKind::Limit(format!("more than {} keywords", limits.max_keywords)),
                raw.span(),
                rule,
            ));
        }
        let boundary_start = folded.chars().next().is_some_and(is_word_char);
        let boundary_end = !prefix && folded.chars().next_back().is_some_and(is_word_char);
        let key = (folded, boundary_start, boundary_end);
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.keywords.push(key.clone());
                self.targets.push(Vec::new());
                self.index.insert(key, self.keywords.len() - 1);
                self.keywords.len() - 1
            }
        };
        self.targets[i].push(target);
        Ok(())
    }
}

/// `rules/zh.toml:42`: where a rule is written, for evidence a person can follow.
fn rule_name(pack: &RulePack, span: Range<usize>, what: &str) -> Arc<str> {
    let line = pack.source[..span.start.min(pack.source.len())]
        .matches('\n')
        .count()
        + 1;
    Arc::from(format!("{}:{} {}", pack.path, line, what))
}

impl LanguageBuilder {
    fn new(tag: &str) -> LanguageBuilder {
        LanguageBuilder {
            language: Language {
                tag: Arc::from(tag),
                intents: Vec::new(),
                cues: Vec::new(),
                alls: Vec::new(),
                patterns: Vec::new(),
                signals: Vec::new(),
                negation_window: 2,
                templates: Vec::new(),
                hints: Vec::new(),
                defaults: HashMap::new(),
            },
            intent_ids: HashMap::new(),
            signal_ids: HashMap::new(),
            templates: Vec::new(),
            template_ids: HashMap::new(),
            hint_ids: HashMap::new(),
        }
    }

    fn add_pack(
        &mut self,
        pack: &RulePack,
        lang: u16,
        table: &mut KeywordTable,
        limits: &Limits,
        pattern_count: &mut usize,
    ) -> Result<(), Error> {
        let file = &pack.file;
        let l = &mut self.language;
        for (name, value) in &file.defaults {
            l.defaults.insert(name.clone(), value.get_ref().clone());
        }
        if let Some(neg) = &file.negation {
            if let Some(w) = &neg.window {
                l.negation_window = *w.get_ref();
            }
            for (words, kind) in [
                (&neg.before, TargetKind::NegatorBefore),
                (&neg.after, TargetKind::NegatorAfter),
            ] {
                for w in words {
                    table.add(
                        pack,
                        w,
                        Target {
                            language: lang,
                            kind,
                        },
                        "negation",
                        limits,
                    )?;
                }
            }
        }
        for intent in &file.intents {
            let id = intent.id.get_ref();
            let rule = format!("intent `{id}`");
            let index = match self.intent_ids.get(id) {
                Some(&i) => i,
                None => {
                    if l.intents.len() >= u16::MAX as usize {
                        return Err(pack.error(
                            ErrorKind::Limit("too many intents".into()),
                            intent.id.span(),
                            rule,
                        ));
                    }
                    l.intents.push(IntentRule {
                        id: Arc::from(id.as_str()),
                        threshold: 1.0,
                        boosts: Vec::new(),
                    });
                    l.templates.push(Vec::new());
                    self.intent_ids
                        .insert(id.clone(), (l.intents.len() - 1) as u16);
                    (l.intents.len() - 1) as u16
                }
            };
            if let Some(t) = &intent.threshold {
                l.intents[index as usize].threshold = *t.get_ref();
            }
            for cue in &intent.cue {
                let cue_index = l.cues.len() as u32;
                l.cues.push(Cue {
                    intent: index,
                    weight: cue.weight.as_ref().map_or(1.0, |w| *w.get_ref()),
                    negatable: cue.negatable,
                    rule: rule_name(pack, cue.keywords.span(), &format!("{id} cue")),
                });
                for kw in cue.keywords.get_ref() {
                    table.add(
                        pack,
                        kw,
                        Target {
                            language: lang,
                            kind: TargetKind::Cue(cue_index),
                        },
                        &rule,
                        limits,
                    )?;
                }
            }
            for all in &intent.all {
                let all_index = l.alls.len() as u32;
                let groups = all.groups.get_ref();
                l.alls.push(AllOf {
                    intent: index,
                    weight: all.weight.as_ref().map_or(1.0, |w| *w.get_ref()),
                    negatable: all.negatable,
                    full_mask: if groups.len() == 64 {
                        u64::MAX
                    } else {
                        (1u64 << groups.len()) - 1
                    },
                    rule: rule_name(pack, all.groups.span(), &format!("{id} all")),
                });
                for (g, group) in groups.iter().enumerate() {
                    for kw in group.get_ref() {
                        let kind = TargetKind::Group {
                            all: all_index,
                            group: g as u8,
                        };
                        table.add(
                            pack,
                            kw,
                            Target {
                                language: lang,
                                kind,
                            },
                            &rule,
                            limits,
                        )?;
                    }
                }
            }
            for p in &intent.pattern {
                *pattern_count += 1;
                if *pattern_count > limits.max_patterns {
                    return Err(pack.error(
                        ErrorKind::Limit(format!(
                            "more than {} regex patterns",
                            limits.max_patterns
                        )),
                        p.regex.span(),
                        rule,
                    ));
                }
                let regex = compile_regex(pack, &p.regex, &rule, limits)?;
                l.patterns.push(Pattern {
                    intent: index,
                    weight: p.weight.as_ref().map_or(1.0, |w| *w.get_ref()),
                    regex,
                    rule: rule_name(pack, p.regex.span(), &format!("{id} pattern")),
                });
            }
            for b in &intent.boost {
                l.intents[index as usize]
                    .boosts
                    .push((b.when.get_ref().clone(), *b.weight.get_ref()));
            }
        }
        for signal in &file.signals {
            let id = signal.id.get_ref();
            let index = match self.signal_ids.get(id) {
                Some(&i) => i,
                None => {
                    if l.signals.len() >= u16::MAX as usize {
                        return Err(pack.error(
                            ErrorKind::Limit("too many signals".into()),
                            signal.id.span(),
                            "signal",
                        ));
                    }
                    l.signals.push(SignalRule {
                        id: Arc::from(id.as_str()),
                        negatable: signal.negatable,
                    });
                    self.signal_ids
                        .insert(id.clone(), (l.signals.len() - 1) as u16);
                    (l.signals.len() - 1) as u16
                }
            };
            let rule = format!("signal `{id}`");
            for kw in signal.keywords.get_ref() {
                table.add(
                    pack,
                    kw,
                    Target {
                        language: lang,
                        kind: TargetKind::Signal(index),
                    },
                    &rule,
                    limits,
                )?;
            }
        }
        for t in &file.templates {
            let id = t.id.get_ref();
            let rule = format!("template `{id}`");
            let intent = *self.intent_ids.get(t.intent.get_ref()).ok_or_else(|| {
                pack.error(
                    ErrorKind::UnknownIntent(t.intent.get_ref().clone()),
                    t.intent.span(),
                    &rule,
                )
            })?;
            let text = t.text.get_ref();
            if text.len() > limits.max_template_bytes {
                return Err(pack.error(
                    ErrorKind::Limit(format!(
                        "template longer than {} bytes",
                        limits.max_template_bytes
                    )),
                    t.text.span(),
                    rule,
                ));
            }
            let template = Template::parse(text).map_err(|e| {
                pack.error(
                    ErrorKind::Invalid(e.message),
                    text_offset(pack, &t.text, e.offset),
                    &rule,
                )
            })?;
            let when = t.when.as_ref().map(|w| w.get_ref().clone());
            for name in template.placeholders() {
                if self.language.defaults.contains_key(name)
                    || when.as_ref().is_some_and(|w| w.guarantees(name))
                {
                    continue;
                }
                let span = text_offset(
                    pack,
                    &t.text,
                    text.find(&format!("{{{name}}}")).unwrap_or(0),
                );
                let kind = match name {
                    "days_since_shipped" => ErrorKind::NoDefault(
                        name.into(),
                        " or a `when` with min_days_since_shipped",
                    ),
                    "order_amount" => {
                        ErrorKind::NoDefault(name.into(), " or a `when` with min_order_amount")
                    }
                    "shop" | "agent" | "buyer" | "courier" => ErrorKind::NoDefault(name.into(), ""),
                    _ => ErrorKind::UnknownPlaceholder(name.into()),
                };
                return Err(pack.error(kind, span, rule));
            }
            let reply = ReplyTemplate {
                id: Arc::from(id.as_str()),
                template,
                weight: t.weight.as_ref().map_or(1.0, |w| *w.get_ref()),
                when,
            };
            match (self.template_ids.get(id).copied(), t.replace) {
                // Replacing keeps the earlier template's place and may move it to another intent.
                (Some(pos), true) => self.templates[pos] = (intent, reply),
                (None, false) => {
                    self.template_ids.insert(id.clone(), self.templates.len());
                    self.templates.push((intent, reply));
                }
                (Some(_), false) => {
                    return Err(pack.error(
                        ErrorKind::Duplicate {
                            what: "template",
                            id: id.clone(),
                            hint: REPLACE_HINT,
                        },
                        t.id.span(),
                        rule,
                    ));
                }
                (None, true) => {
                    return Err(pack.error(
                        ErrorKind::Invalid(format!(
                            "`replace = true` but no earlier template has id `{id}`"
                        )),
                        t.id.span(),
                        rule,
                    ));
                }
            }
        }
        for h in &file.hints {
            let id = h.id.get_ref();
            let rule = format!("hint `{id}`");
            let mut intents = Vec::with_capacity(h.intents.len());
            for i in &h.intents {
                intents.push(*self.intent_ids.get(i.get_ref()).ok_or_else(|| {
                    pack.error(
                        ErrorKind::UnknownIntent(i.get_ref().clone()),
                        i.span(),
                        &rule,
                    )
                })?);
            }
            let mut signals = Vec::with_capacity(h.signals.len());
            for s in &h.signals {
                signals.push(*self.signal_ids.get(s.get_ref()).ok_or_else(|| {
                    pack.error(
                        ErrorKind::UnknownSignal(s.get_ref().clone()),
                        s.span(),
                        &rule,
                    )
                })?);
            }
            let hint = HintRule {
                id: Arc::from(id.as_str()),
                text: Arc::from(h.text.get_ref().as_str()),
                priority: h.priority,
                intents,
                signals,
                when: h.when.as_ref().map(|w| w.get_ref().clone()),
            };
            let l = &mut self.language;
            match (self.hint_ids.get(id).copied(), h.replace) {
                (Some(pos), true) => l.hints[pos] = hint,
                (None, false) => {
                    self.hint_ids.insert(id.clone(), l.hints.len());
                    l.hints.push(hint);
                }
                (Some(_), false) => {
                    return Err(pack.error(
                        ErrorKind::Duplicate {
                            what: "hint",
                            id: id.clone(),
                            hint: REPLACE_HINT,
                        },
                        h.id.span(),
                        rule,
                    ));
                }
                (None, true) => {
                    return Err(pack.error(
                        ErrorKind::Invalid(format!(
                            "`replace = true` but no earlier hint has id `{id}`"
                        )),
                        h.id.span(),
                        rule,
                    ));
                }
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Language {
        for (intent, template) in self.templates {
            self.language.templates[intent as usize].push(template);
        }
        // Stable sorts: equal keys keep declaration order. Context-specific templates come
        // first: when their condition holds they fit the situation better than a general one.
        for list in &mut self.language.templates {
            list.sort_by(|a, b| {
                b.when
                    .is_some()
                    .cmp(&a.when.is_some())
                    .then(b.weight.total_cmp(&a.weight))
            });
        }
        self.language
            .hints
            .sort_by(|a, b| b.priority.cmp(&a.priority));
        self.language
    }
}

/// The span of byte `offset` of a string value's contents. A TOML string's span starts at its
/// opening quote; escapes can shift later offsets, so this points at the value if unsure.
fn text_offset(pack: &RulePack, value: &Spanned<String>, offset: usize) -> Range<usize> {
    let span = value.span();
    let raw = &pack.source[span.clone()];
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    let body = raw.get(quote..).unwrap_or("");
    if body.get(..offset) == value.get_ref().get(..offset) {
        let at = span.start + quote + offset;
        at..at
    } else {
        span
    }
}

fn compile_regex(
    pack: &RulePack,
    raw: &Spanned<String>,
    rule: &str,
    limits: &Limits,
) -> Result<Regex, Error> {
    let regex = RegexBuilder::new(raw.get_ref())
        .size_limit(limits.regex_size_limit)
        .dfa_size_limit(limits.regex_size_limit)
        .nest_limit(64)
        .build()
        .map_err(|e| {
            let kind = match e {
                regex::Error::CompiledTooBig(_) => ErrorKind::Limit(format!(
                    "regex compiles to more than {} bytes",
                    limits.regex_size_limit
                )),
                // regex's message ends in a line "error: <what>"; the pattern itself is shown by our caret.
                other => ErrorKind::Regex(
                    other
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .trim_start_matches("error: ")
                        .to_string(),
                ),
            };
            pack.error(kind, raw.span(), rule)
        })?;
    if regex.is_match("") {
        return Err(pack.error(
            ErrorKind::Regex(
                "pattern matches the empty string, so it would fire on every message".into(),
            ),
            raw.span(),
            rule,
        ));
    }
    Ok(regex)
}
