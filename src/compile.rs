//! Stage 2: layer the parsed packs into one immutable engine: per language, one aho-corasick
//! automaton over its keywords and its regex patterns' gate literals, and flat tables indexed by
//! small integers so that scoring needs no maps.

use crate::context::Condition;
use crate::error::{Error, ErrorKind};
use crate::normalize::{Normalized, is_word_char};
use crate::rules::RulePack;
use crate::template::Template;
use aho_corasick::MatchKind;
use aho_corasick::nfa::contiguous::NFA;
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
    pub(crate) languages: Vec<Language>,
    pub(crate) default_language: usize,
    pub(crate) limits: Limits,
    /// The languages the zh, ko and en packs speak, for detection by script.
    pub(crate) script_languages: [Option<u16>; 3],
}

/// A gate literal's part in a regex pattern's gate: seeing it satisfies the clause of pattern
/// `pattern` whose bit is `clause` (see [`Pattern::gate`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gate {
    pub(crate) pattern: u32,
    /// The clause's bit.
    pub(crate) clause: u8,
    /// The pattern's whole gate (a copy of [`Pattern::gate`], so that opening gates, which
    /// happens many times per message, reads no pattern).
    pub(crate) full: u8,
}

/// One pattern of a language's automaton: a keyword, a gate literal, or both.
#[derive(Debug)]
pub(crate) struct Keyword {
    /// The folded keyword (without a trailing `*`): what the message's folded text matched.
    pub(crate) text: Arc<str>,
    /// Latin keywords must start/end on a word boundary.
    pub(crate) boundary_start: bool,
    pub(crate) boundary_end: bool,
    /// What a match counts for: a range of [`Language::targets`]. Empty for a text that is
    /// only a gate literal.
    pub(crate) targets: Range<u32>,
    /// The regex patterns this text is a gate literal of: a range of [`Language::gates`].
    pub(crate) gates: Range<u32>,
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
    /// The automaton a message read in this language is scanned with, once: over `keywords`
    /// (its pattern ids index them). `None` for a language without keywords or gate literals.
    pub(crate) automaton: Option<NFA>,
    pub(crate) keywords: Vec<Keyword>,
    /// The targets of all keywords, each keyword owning a range.
    pub(crate) targets: Vec<TargetKind>,
    /// The regex pattern gate clauses that keywords satisfy (see [`Pattern::gate`]); each
    /// keyword owns a range.
    pub(crate) gates: Vec<Gate>,
    /// The gate clauses a numeric character satisfies (`\d`): a range of `gates`.
    pub(crate) digit_gates: Range<u32>,
    /// The regex patterns without a gate, which run on every message.
    pub(crate) ungated: Vec<u32>,
    /// Per intent, its templates in preference order (context-specific first, then weight).
    pub(crate) templates: Vec<Vec<ReplyTemplate>>,
    /// In output order: priority descending, then declaration order.
    pub(crate) hints: Vec<HintRule>,
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
    /// One bit per gate clause (`required::clauses`): every match of the regex contains a
    /// literal of each clause, so it runs only when the scan saw all of them (0: always runs).
    /// Most patterns of most messages are skipped so.
    pub(crate) gate: u8,
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
    /// The language's keywords as added; merged, and joined by the gate literals, in `finish`.
    table: KeywordTable,
    /// Placeholder defaults of all the language's packs, later packs overriding earlier ones:
    /// set into the templates in `finish`.
    defaults: HashMap<String, String>,
}

/// Collects a language's keywords into one table, merging duplicates (the same folded keyword
/// with the same boundaries is one automaton pattern however many rules use it).
///
/// Keywords are collected as written and merged once, by sorting (no map: at 100k keywords a
/// sort is cheaper than hashing each one, and the automaton wants them sorted anyway).
#[derive(Default)]
struct KeywordTable {
    /// Every keyword added, in order: folded text, end boundary, what it counts for.
    added: Vec<(String, bool, TargetKind)>,
    /// After [`KeywordTable::merge`]: the distinct keywords, by (text, end boundary), each with
    /// its start and end boundary; then the gate literals that are no keyword.
    keywords: Vec<(String, bool, bool)>,
    /// Per entry of `keywords`, its targets in the order added.
    targets: Vec<Vec<TargetKind>>,
    /// How many entries of `keywords` are keywords (sorted); the rest are literals.
    merged: usize,
    /// The entries of the literals that are no keyword, by text.
    literals: HashMap<String, usize>,
    /// Reused to fold each keyword.
    norm: Normalized,
}

const REPLACE_HINT: &str = " (set `replace = true` to replace the earlier one)";

/// Layers `packs` in order into an engine.
pub(crate) fn compile(
    packs: &[RulePack],
    limits: Limits,
    default_language: Option<&str>,
) -> Result<Compiled, Error> {
    let mut languages: Vec<LanguageBuilder> = Vec::new();
    let mut keyword_count = 0usize;
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
        builder.add_pack(pack, &limits, &mut keyword_count, &mut pattern_count)?;
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
    let script_languages = ["zh", "ko", "en"].map(|tag| {
        languages
            .iter()
            .position(|l| &*l.language.tag == tag)
            .map(|i| i as u16)
    });
    let languages = languages
        .into_iter()
        .map(LanguageBuilder::finish)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Compiled {
        languages,
        default_language,
        limits,
        script_languages,
    })
}

/// Works out each regex pattern's gate clauses (setting [`Pattern::gate`]) and what satisfies
/// them: per entry of `table`, the gates its text opens (gate literals that are no keyword join
/// the table as entries without targets), and the gates a numeric character opens.
///
/// A pattern's gate clause is a set of literals one of which every match contains (see
/// [`required::clauses`]), so a pattern whose gate is not fully open cannot match: no gate
/// ever skips a pattern that could have matched. Seeing a literal needs no work of its own:
/// the one scan of the language's automaton reports it.
fn gate_patterns(
    patterns: &mut [Pattern],
    table: &mut KeywordTable,
) -> (Vec<Vec<Gate>>, Vec<Gate>) {
    let mut by_entry: Vec<Vec<Gate>> = Vec::new();
    let mut digit = Vec::new();
    for (i, p) in patterns.iter_mut().enumerate() {
        let clauses = required::clauses(p.regex.as_str());
        p.gate = ((1u32 << clauses.len()) - 1) as u8;
        let full = p.gate;
        for (k, clause) in clauses.into_iter().enumerate() {
            let gate = Gate {
                pattern: i as u32,
                clause: 1 << k,
                full,
            };
            for literal in clause {
                let list = if literal == required::DIGIT {
                    &mut digit
                } else {
                    let entry = table.literal(&literal);
                    if by_entry.len() <= entry {
                        by_entry.resize_with(entry + 1, Vec::new);
                    }
                    &mut by_entry[entry]
                };
                // A clause may hold a literal twice (`(a|a)`): one gate per entry is enough.
                if list
                    .last()
                    .is_none_or(|g: &Gate| (g.clause, g.pattern) != (gate.clause, gate.pattern))
                {
                    list.push(gate);
                }
            }
        }
    }
    by_entry.resize_with(table.keywords.len(), Vec::new);
    (by_entry, digit)
}

/// Line numbers of byte offsets in a pack's source, from one pass over it.
struct Lines(Vec<usize>);

impl Lines {
    fn new(source: &str) -> Lines {
        Lines(
            source
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

impl KeywordTable {
    /// Adds `raw` (as written in `pack`) for `target`; folds it and works out its boundaries.
    /// `count` is the number of keywords of the whole build so far, for the limit.
    fn add(
        &mut self,
        pack: &RulePack,
        raw: &Spanned<String>,
        target: TargetKind,
        rule: &str,
        limits: &Limits,
        count: &mut usize,
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
        self.norm.fold(body);
        let folded = self.norm.text.as_str();
        if folded.is_empty() {
            return Err(pack.error(ErrorKind::EmptyKeyword, raw.span(), rule));
        }
        *count += 1;
        if *count > limits.max_keywords {
            return Err(pack.error(
                ErrorKind::Limit(format!("more than {} keywords", limits.max_keywords)),
                raw.span(),
                rule,
            ));
        }
        let boundary_end = !prefix && folded.chars().next_back().is_some_and(is_word_char);
        self.added.push((folded.to_string(), boundary_end, target));
        Ok(())
    }

    /// Merges the keywords added into `keywords` and `targets`: one entry per distinct
    /// (text, end boundary), in that order. (A keyword's start boundary follows from its text.)
    fn merge(&mut self) {
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
            if let Some(targets) = self.targets.last_mut() {
                targets.push(target);
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
}

/// `rules/zh.toml:42`: where a rule is written, for evidence a person can follow.
fn rule_name(pack: &RulePack, lines: &Lines, span: Range<usize>, what: &str) -> Arc<str> {
    let line = lines.line(span.start.min(pack.source.len()));
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
                automaton: None,
                keywords: Vec::new(),
                targets: Vec::new(),
                gates: Vec::new(),
                digit_gates: 0..0,
                ungated: Vec::new(),
                templates: Vec::new(),
                hints: Vec::new(),
            },
            intent_ids: HashMap::new(),
            signal_ids: HashMap::new(),
            templates: Vec::new(),
            template_ids: HashMap::new(),
            hint_ids: HashMap::new(),
            table: KeywordTable::default(),
            defaults: HashMap::new(),
        }
    }

    /// Adds `pack`'s rules; `keyword_count` and `pattern_count` count the whole build's.
    fn add_pack(
        &mut self,
        pack: &RulePack,
        limits: &Limits,
        keyword_count: &mut usize,
        pattern_count: &mut usize,
    ) -> Result<(), Error> {
        let file = &pack.file;
        let lines = Lines::new(&pack.source);
        let l = &mut self.language;
        let table = &mut self.table;
        for (name, value) in &file.defaults {
            self.defaults.insert(name.clone(), value.get_ref().clone());
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
                    table.add(pack, w, kind, "negation", limits, keyword_count)?;
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
                    rule: rule_name(pack, &lines, cue.keywords.span(), &format!("{id} cue")),
                });
                for kw in cue.keywords.get_ref() {
                    table.add(
                        pack,
                        kw,
                        TargetKind::Cue(cue_index),
                        &rule,
                        limits,
                        keyword_count,
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
                    rule: rule_name(pack, &lines, all.groups.span(), &format!("{id} all")),
                });
                for (g, group) in groups.iter().enumerate() {
                    for kw in group.get_ref() {
                        let kind = TargetKind::Group {
                            all: all_index,
                            group: g as u8,
                        };
                        table.add(pack, kw, kind, &rule, limits, keyword_count)?;
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
                    rule: rule_name(pack, &lines, p.regex.span(), &format!("{id} pattern")),
                    gate: 0,
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
                    TargetKind::Signal(index),
                    &rule,
                    limits,
                    keyword_count,
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
                if self.defaults.contains_key(name)
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

    /// The finished language: its automaton and keyword tables built, templates and hints in
    /// output order.
    fn finish(mut self) -> Result<Language, Error> {
        self.build_automaton()?;
        for (intent, mut template) in self.templates {
            template.template.resolve(&self.defaults);
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
            .sort_by_key(|h| std::cmp::Reverse(h.priority));
        Ok(self.language)
    }

    /// Builds the language's automaton over its keywords and gate literals, and the flat
    /// keyword, target and gate tables that its pattern ids index.
    fn build_automaton(&mut self) -> Result<(), Error> {
        let l = &mut self.language;
        let mut table = std::mem::take(&mut self.table);
        table.merge();
        let (mut gates_of, digit_gates) = gate_patterns(&mut l.patterns, &mut table);
        l.gates = digit_gates;
        l.digit_gates = 0..l.gates.len() as u32;
        l.ungated = (0..l.patterns.len() as u32)
            .filter(|&i| l.patterns[i as usize].gate == 0)
            .collect();
        // In text order (keywords are, literals join them): the automaton's trie is then built
        // with neighbouring states made one after another (measured: 1.3-1.6x faster to build
        // at 100k keywords), and the order of the tables is no one's business but the scan's.
        let text = |i: usize| table.keywords[i].0.as_str();
        let mut literals: Vec<usize> = (table.merged..table.keywords.len()).collect();
        literals.sort_by(|&a, &b| text(a).cmp(text(b)));
        let mut order = Vec::with_capacity(table.keywords.len());
        let mut literals = literals.into_iter().peekable();
        for k in 0..table.merged {
            while let Some(l) = literals.next_if(|&l| text(l) < text(k)) {
                order.push(l);
            }
            order.push(k);
        }
        order.extend(literals);
        l.keywords.reserve_exact(order.len());
        for &i in &order {
            let (text, boundary_start, boundary_end) = &table.keywords[i];
            let targets = std::mem::take(&mut table.targets[i]);
            let gates = std::mem::take(&mut gates_of[i]);
            let (t, g) = (l.targets.len() as u32, l.gates.len() as u32);
            l.targets.extend(targets);
            l.gates.extend(gates);
            l.keywords.push(Keyword {
                text: Arc::from(text.as_str()),
                boundary_start: *boundary_start,
                boundary_end: *boundary_end,
                targets: t..l.targets.len() as u32,
                gates: g..l.gates.len() as u32,
            });
        }
        if l.keywords.is_empty() {
            return Ok(());
        }
        // A contiguous NFA: near 12 bytes per keyword byte and nearly as fast at 100k keywords
        // as at 1k. (A DFA scans a little faster but takes about 400 bytes per keyword byte:
        // 12 MB for the bundled Chinese pack, 450 MB at 100k keywords.) No prefilter: `scan`
        // walks every byte anyway, as an overlapping search must.
        let automaton = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(l.keywords.iter().map(|k| k.text.as_bytes()))
            .map_err(|e| {
                Error::new(ErrorKind::Limit(format!(
                    "keyword automaton of language `{}`: {e}",
                    l.tag
                )))
            })?;
        l.automaton = Some(automaton);
        Ok(())
    }
}

/// The span of byte `offset` of a string value's contents. A TOML string's span starts at its
/// opening quote; escapes can shift later offsets, so this points at the value if unsure.
fn text_offset(pack: &RulePack, value: &Spanned<String>, offset: usize) -> Range<usize> {
    let span = value.span();
    let raw = &pack.source[span.clone()];
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        // TOML drops a newline right after the opening quotes of a multi-line string.
        3 + ["\r\n", "\n"]
            .iter()
            .find(|nl| raw[3..].starts_with(**nl))
            .map_or(0, |nl| nl.len())
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
        // The lazy DFA's transition cache (per regex, per thread, grown only as used) is
        // memory of another kind: at 256 KiB the Unicode-heavy CJK patterns keep clearing it
        // and recompute states on every message; 1 MiB holds them.
        .dfa_size_limit(limits.regex_size_limit.max(1 << 20))
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

/// Literals a regex pattern's every match must contain: the gate that lets `classify` skip a
/// pattern whose literals the scan did not see (most patterns, for most messages). Read from
/// the pattern's source as a few clauses that must all hold, each a set of strings one of which
/// must occur ("(今天|明天)\S{0,3}(发货|发出)" needs one of 今天/明天 *and* one of 发货/发出).
/// Anything this reader does not fully understand (case-insensitive or verbose flags, unusual
/// escapes) gives no gate: the pattern then runs on every message of its language, as it
/// would without gates. A gate only ever skips a pattern that cannot match.
mod required {
    /// The most strings a literal set may hold before it is given up.
    const MAX_SET: usize = 256;
    /// The most clauses kept for a piece of a pattern (and for the pattern).
    const MAX_CLAUSES: usize = 8;
    /// The most clauses a pattern's gate checks (one bit each).
    pub(crate) const MAX_GATE_CLAUSES: usize = 4;

    /// A clause: one of these strings occurs in every match.
    pub(crate) type Clause = Vec<String>;

    /// Stands in a clause for "a numeric character" (`\d`). A pattern with U+FFFF in it gets
    /// no gate, so no literal can be mistaken for it.
    pub(crate) const DIGIT: &str = "\u{FFFF}digit";

    /// How good a gate clause is, best first: the longest shortest literal (the rarest clause;
    /// a digit counts as one byte), then the fewest literals.
    fn rank(clause: &[String]) -> (std::cmp::Reverse<usize>, usize) {
        let len = |l: &String| if l == DIGIT { 1 } else { l.len() };
        let shortest = clause.iter().map(len).min().unwrap_or(0);
        (std::cmp::Reverse(shortest), clause.len())
    }

    /// What is known of the strings a piece of a pattern matches.
    #[derive(Clone, Debug, Default)]
    struct Info {
        /// Every string the piece can match, when these are few and all known.
        exact: Option<Vec<String>>,
        /// Clauses every match of the piece satisfies, best first.
        req: Vec<Clause>,
    }

    impl Info {
        fn literal(c: char) -> Info {
            let s = vec![c.to_string()];
            Info {
                exact: Some(s.clone()),
                req: vec![s],
            }
        }
        /// A zero-width assertion (`^`, `$`, `\b`): matches the empty string only.
        fn empty() -> Info {
            Info {
                exact: Some(vec![String::new()]),
                req: Vec::new(),
            }
        }
        /// A character class, `.`, `\d`...: one of many characters; nothing required.
        fn opaque() -> Info {
            Info::default()
        }
    }

    /// The gate clauses of `pattern`, best first, at most [`MAX_GATE_CLAUSES`] (none: no
    /// gate). Each clause's literals are sorted.
    pub(crate) fn clauses(pattern: &str) -> Vec<Clause> {
        let mut p = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
        };
        match p.alternation(0) {
            Some(mut info) if p.pos == p.chars.len() => {
                keep_best(&mut info.req, MAX_GATE_CLAUSES, true);
                info.req
            }
            _ => Vec::new(),
        }
    }

    /// Keeps the best `max` valid clauses. Without `drop_implied` a clause a better one implies
    /// is kept too (only exact repeats go): an alternation may need the weaker, smaller one.
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

    /// A usable clause: at least one string, none empty (an empty one is in every text).
    fn valid(set: &[String]) -> bool {
        !set.is_empty() && set.iter().all(|s| !s.is_empty())
    }

    /// Clause `weaker` holds wherever `stronger` does: each string of `stronger` contains one
    /// of `weaker`'s.
    fn implied(weaker: &[String], stronger: &[String]) -> bool {
        stronger
            .iter()
            .all(|s| weaker.iter().any(|w| s.contains(w.as_str())))
    }

    struct Parser {
        chars: Vec<char>,
        pos: usize,
    }

    impl Parser {
        fn peek(&self) -> Option<char> {
            self.chars.get(self.pos).copied()
        }

        fn next(&mut self) -> Option<char> {
            let c = self.peek()?;
            self.pos += 1;
            Some(c)
        }

        fn eat(&mut self, c: char) -> bool {
            if self.peek() == Some(c) {
                self.pos += 1;
                true
            } else {
                false
            }
        }

        /// The best few valid clauses, none implied by a better one.
        fn prune(&self, mut clauses: Vec<Clause>) -> Vec<Clause> {
            keep_best(&mut clauses, MAX_CLAUSES, false);
            clauses
        }

        /// `a|b|...` up to a `)` or the end.
        fn alternation(&mut self, depth: usize) -> Option<Info> {
            if depth > 128 {
                return None;
            }
            let mut branches = vec![self.concat(depth)?];
            while self.eat('|') {
                branches.push(self.concat(depth)?);
            }
            if branches.len() == 1 {
                return branches.pop();
            }
            let exact = union(branches.iter().map(|b| b.exact.as_deref()));
            // Every match is a match of some branch, which satisfies all the branch's clauses:
            // so the union of one clause of each branch is a clause of the alternation. Taking
            // each branch's first, second, ... clause gives several (together, "(a1 and a2)
            // or b" becomes "(a1 or b) and (a2 or b)"); taking each branch's smallest keeps
            // big alternations within the set size.
            let mut req = Vec::new();
            for rank in 0..MAX_CLAUSES {
                req.extend(union(branches.iter().map(|b| {
                    b.req
                        .get(rank.min(b.req.len().max(1) - 1))
                        .map(Vec::as_slice)
                })));
            }
            req.extend(union(
                branches
                    .iter()
                    .map(|b| b.req.iter().min_by_key(|c| c.len()).map(Vec::as_slice)),
            ));
            if let Some(e) = &exact {
                req.push(e.clone());
            }
            Some(Info {
                exact,
                req: self.prune(req),
            })
        }

        /// A sequence of quantified atoms.
        fn concat(&mut self, depth: usize) -> Option<Info> {
            let mut items = Vec::new();
            while let Some(c) = self.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                let atom = self.atom(depth)?;
                items.push(self.quantified(atom)?);
            }
            // Every item's clauses hold for the sequence; so does the product of a run of items
            // whose exact strings are known ("退" then "款|货" gives "退款|退货"), which says
            // more than the items it is made of. Of those, only words are kept besides (a
            // smaller clause an alternation may need), not single characters.
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
                                req.push(r);
                                e.clone()
                            }
                            Some(r) => product(Some(r), Some(e)).unwrap_or_default(),
                        })
                    }
                    None => {
                        whole = false;
                        req.extend(run.take());
                    }
                }
            }
            let exact = if whole { run.clone() } else { None };
            req.extend(run);
            Some(Info {
                exact,
                req: self.prune(req),
            })
        }

        /// A repetition operator after an atom, if any.
        fn quantified(&mut self, atom: Info) -> Option<Info> {
            let mut info = atom;
            loop {
                let (min, max) = match self.peek() {
                    Some('*') => (0, None),
                    Some('+') => (1, None),
                    Some('?') => (0, Some(1)),
                    Some('{') => {
                        self.pos += 1;
                        let min = self.number();
                        let max = if self.eat(',') {
                            self.number()
                        } else {
                            Some(min?)
                        };
                        if self.peek() != Some('}') {
                            return None;
                        }
                        (min.unwrap_or(0), max)
                    }
                    _ => return Some(info),
                };
                self.pos += 1;
                // A lazy `?` after the operator changes which match, not what matches.
                self.eat('?');
                info = if min == 0 {
                    // `x?` matches what `x` matches, or nothing; `x*` anything.
                    Info {
                        exact: info.exact.filter(|_| max == Some(1)).and_then(|mut e| {
                            if !e.iter().any(String::is_empty) {
                                // The empty string sorts first.
                                e.insert(0, String::new());
                            }
                            (e.len() <= MAX_SET).then_some(e)
                        }),
                        req: Vec::new(),
                    }
                } else {
                    // Every match starts with `min` matches of `x`.
                    let mut req = info.req;
                    req.extend(repeated(&info.exact, min.min(8)));
                    Info {
                        exact: if max == Some(min) {
                            repeated(&info.exact, min)
                        } else {
                            None
                        },
                        req: self.prune(req),
                    }
                };
            }
        }

        fn number(&mut self) -> Option<u32> {
            let start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if start == self.pos {
                return None;
            }
            self.chars[start..self.pos]
                .iter()
                .collect::<String>()
                .parse()
                .ok()
        }

        fn atom(&mut self, depth: usize) -> Option<Info> {
            match self.next()? {
                '(' => {
                    if self.eat('?') {
                        if self.eat('P') {
                            if !self.eat('<') {
                                return None;
                            }
                            self.skip_past('>')?;
                        } else if self.eat('<') {
                            self.skip_past('>')?;
                        } else {
                            // Flags: `(?flags)` or `(?flags:...)`. Case-insensitive and verbose
                            // patterns are not read (their literals are not what they seem).
                            loop {
                                match self.next()? {
                                    ':' => break,
                                    ')' => return Some(Info::empty()),
                                    'i' | 'x' => return None,
                                    c if c.is_ascii_alphabetic() || c == '-' => {}
                                    _ => return None,
                                }
                            }
                        }
                    }
                    let inner = self.alternation(depth + 1)?;
                    if !self.eat(')') {
                        return None;
                    }
                    Some(inner)
                }
                '[' => {
                    self.skip_class()?;
                    Some(Info::opaque())
                }
                '.' => Some(Info::opaque()),
                '^' | '$' => Some(Info::empty()),
                '\\' => self.escape(),
                '*' | '+' | '?' | '{' | ')' | '|' | '\u{FFFF}' => None,
                c => Some(Info::literal(c)),
            }
        }

        /// After a `\`.
        fn escape(&mut self) -> Option<Info> {
            let c = self.next()?;
            match c {
                // A digit: any numeric character (a superset of `\d`, so the gate is sound).
                'd' => Some(Info {
                    exact: None,
                    req: vec![vec![DIGIT.to_string()]],
                }),
                'D' | 's' | 'S' | 'w' | 'W' | 'n' | 't' | 'r' | 'f' | 'v' | 'a' => {
                    Some(Info::opaque())
                }
                'b' | 'B' | 'A' | 'z' | '<' | '>' => {
                    if c == 'b' && self.peek() == Some('{') {
                        self.skip_past('}')?;
                    }
                    Some(Info::empty())
                }
                'p' | 'P' => {
                    if self.eat('{') {
                        self.skip_past('}')?;
                    } else {
                        self.next()?;
                    }
                    Some(Info::opaque())
                }
                'x' | 'u' | 'U' => {
                    let digits = if self.eat('{') {
                        let start = self.pos;
                        self.skip_past('}')?;
                        self.chars[start..self.pos - 1].iter().collect::<String>()
                    } else {
                        let n = match c {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let end = self.pos.checked_add(n).filter(|&e| e <= self.chars.len())?;
                        let s: String = self.chars[self.pos..end].iter().collect();
                        self.pos = end;
                        s
                    };
                    let code = u32::from_str_radix(&digits, 16).ok()?;
                    char::from_u32(code)
                        .filter(|&c| c != '\u{FFFF}')
                        .map(Info::literal)
                }
                c if c.is_alphanumeric() || c == '\u{FFFF}' => None,
                c => Some(Info::literal(c)),
            }
        }

        /// Moves past the next `end`.
        fn skip_past(&mut self, end: char) -> Option<()> {
            while self.next()? != end {}
            Some(())
        }

        /// Moves past a bracketed class (the `[` already read), nested classes included.
        fn skip_class(&mut self) -> Option<()> {
            let mut depth = 1;
            self.class_start();
            while depth > 0 {
                match self.next()? {
                    '\\' => {
                        self.next()?;
                    }
                    '[' => {
                        if self.eat(':') {
                            // `[:alpha:]`
                            while !(self.next()? == ':' && self.eat(']')) {}
                        } else {
                            depth += 1;
                            self.class_start();
                        }
                    }
                    ']' => depth -= 1,
                    _ => {}
                }
            }
            Some(())
        }

        /// A `^` and then a `]` at the start of a class are literal, not its end.
        fn class_start(&mut self) {
            self.eat('^');
            self.eat(']');
        }
    }

    /// The strings of `exact` repeated `n` times, if not too many.
    fn repeated(exact: &Option<Vec<String>>, n: u32) -> Option<Vec<String>> {
        if n > 8 {
            return None;
        }
        let mut out = Some(vec![String::new()]);
        for _ in 0..n {
            out = product(out, exact.as_deref());
        }
        out
    }

    /// Every concatenation of a string of `a` with one of `b`, sorted, if not too many.
    fn product(a: Option<Vec<String>>, b: Option<&[String]>) -> Option<Vec<String>> {
        let (mut a, b) = (a?, b?);
        if a.len().saturating_mul(b.len()) > MAX_SET {
            return None;
        }
        if let [one] = b {
            // The common case, a literal character: extend the strings where they are.
            for x in &mut a {
                x.push_str(one);
            }
        } else {
            let mut out = Vec::with_capacity(a.len() * b.len());
            for x in &a {
                for y in b {
                    let mut s = String::with_capacity(x.len() + y.len());
                    s.push_str(x);
                    s.push_str(y);
                    out.push(s);
                }
            }
            a = out;
        }
        a.sort_unstable();
        a.dedup();
        Some(a)
    }

    /// All the strings of all the sets, if every set is known and together they are not too many.
    fn union<'a>(sets: impl Iterator<Item = Option<&'a [String]>>) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for set in sets {
            let set = set?;
            if out.len() + set.len() > 2 * MAX_SET {
                return None;
            }
            out.extend_from_slice(set);
        }
        out.sort_unstable();
        out.dedup();
        (out.len() <= MAX_SET).then_some(out)
    }

    #[cfg(test)]
    mod tests {
        use super::{DIGIT, clauses};

        fn gate(pattern: &str) -> Vec<Vec<String>> {
            clauses(pattern)
                .into_iter()
                .map(|mut c| {
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
            assert_eq!(gate("(退|换)货"), set(&[&["退货", "换货"]]));
            assert_eq!(
                gate(r"\d+\s*(块|元|块钱)?\s*(卖不卖|卖吗)"),
                set(&[&["卖不卖", "卖吗"], &[DIGIT]])
            );
            assert_eq!(
                gate(r"\d+ ?(?:%|percent)"),
                set(&[&[DIGIT], &["%", "percent"]])
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
            assert_eq!(
                gate(r"(?:a|b)+c{2,3}d"),
                set(&[&["cc"], &["d"], &["a", "b"]])
            );
            assert_eq!(gate(r"[\]\[a]x[[:alpha:]]"), set(&[&["x"]]));
            assert_eq!(gate(r"(?P<n>ab)(?<m>cd)"), set(&[&["abcd"]]));
            assert_eq!(gate(r"x(ab|cd)?y"), set(&[&["xaby", "xcdy", "xy"]]));
        }

        #[test]
        fn gives_up_when_unsure_or_nothing_is_required() {
            assert_eq!(gate(r"\d+"), set(&[&[DIGIT]]));
            assert!(gate(r"\D+").is_empty());
            assert!(gate("a\u{FFFF}b").is_empty());
            assert!(gate(r"a\x{FFFF}b").is_empty());
            assert!(gate("a|").is_empty());
            assert!(gate("a|\\b").is_empty());
            assert!(gate("(?i)refund").is_empty());
            assert!(gate("(?x)re fund").is_empty());
            assert!(gate("x*").is_empty());
            assert!(gate("(a|[b])").is_empty());
            assert!(gate("a{2").is_empty());
        }
    }
}
