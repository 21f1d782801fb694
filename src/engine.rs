//! The engine and its builder: where packs are read, layered and compiled, and the entry
//! points `classify` and `suggest`.

use crate::classify::{Classification, Explanation, with_scratch};
use crate::compile::compile;
use crate::context::Context;
use crate::error::{Error, Problem};
use crate::events::Proactive;
use crate::id::Id;
use crate::lint::Warning;
use crate::rules::RulePack;
use crate::suggest::Suggestion;
use crate::tables::{Language, Limits, PackExample, Tables};
use once_cell::sync::Lazy;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The bundled packs, in load order. Their names are their paths in the crate, so evidence
/// and errors point at files a reader can open.
const BUNDLED: [(&str, &str); 3] = [
    ("rules/zh.toml", include_str!("../rules/zh.toml")),
    ("rules/ko.toml", include_str!("../rules/ko.toml")),
    ("rules/en.toml", include_str!("../rules/en.toml")),
];

/// A compiled set of rule packs: classifies messages and suggests replies.
///
/// Immutable once built; cheap to clone (an `Arc` inside) and safe to share between threads.
/// [`Engine::default`] and [`default_engine`] give the bundled zh/ko/en packs;
/// [`Engine::builder`] layers a shop's own packs over them.
///
/// ```
/// use replykit::{Context, Engine};
/// let engine = Engine::default();
/// let s = engine.suggest("碎成这样了,直接给我退款吧", &Context::default());
/// assert_eq!(s.classification.language, "zh");
/// assert!(s.classification.has("damage") && s.classification.has("return_refund"));
/// assert!(s.has_hint("apologize_compensate_first"));
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tables: Tables,
    max_replies: usize,
}

/// Builds an [`Engine`] from the bundled packs and a shop's own, with limits on what they and
/// messages may cost. Setters take `&mut self`; `build` can be called again after changes.
///
/// ```
/// let shop_pack = r#"
/// language = "en"
/// [intent.damage]
/// keywords = ["squashed"]
/// [[intent.damage.reply]]
/// id = "fruit"
/// text = "So sorry your fruit arrived squashed, {buyer}! We'll send a fresh box today."
/// weight = 2.0
/// "#;
/// let engine = replykit::Engine::builder().pack_str("shop.toml", shop_pack).build()?;
/// let s = engine.suggest("the peaches came squashed", &replykit::Context::default());
/// assert_eq!(s.classification.top().unwrap().id, "damage");
/// assert_eq!(s.replies[0].id, "en.damage.fruit");
/// # Ok::<(), replykit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct EngineBuilder {
    bundled: bool,
    sources: Vec<Source>,
    limits: Limits,
    max_replies: usize,
    default_language: Option<String>,
}

#[derive(Debug, Clone)]
enum Source {
    Path(PathBuf),
    Text { name: String, text: String },
}

impl Default for EngineBuilder {
    fn default() -> EngineBuilder {
        EngineBuilder {
            bundled: true,
            sources: Vec::new(),
            limits: Limits::default(),
            max_replies: 3,
            default_language: None,
        }
    }
}

impl EngineBuilder {
    /// Whether to load the bundled zh/ko/en packs first (default: yes).
    pub fn bundled(&mut self, yes: bool) -> &mut EngineBuilder {
        self.bundled = yes;
        self
    }

    /// Adds a pack file, or every `*.toml` file of a folder in name order. Packs load in the
    /// order added, after the bundled ones; the file is read by [`build`](Self::build).
    pub fn pack_path(&mut self, path: impl AsRef<Path>) -> &mut EngineBuilder {
        self.sources.push(Source::Path(path.as_ref().to_path_buf()));
        self
    }

    /// Adds a pack from text; `name` is what errors and evidence call it.
    pub fn pack_str(&mut self, name: &str, text: &str) -> &mut EngineBuilder {
        self.sources.push(Source::Text {
            name: name.to_string(),
            text: text.to_string(),
        });
        self
    }

    /// How many replies [`Engine::suggest`] returns at most (default 3).
    pub fn max_replies(&mut self, n: usize) -> &mut EngineBuilder {
        self.max_replies = n;
        self
    }

    /// The language for a message with no letters to detect one from (default: the first
    /// loaded pack's, `"zh"` with the bundled packs). `build` fails if no pack speaks it.
    pub fn default_language(&mut self, tag: &str) -> &mut EngineBuilder {
        self.default_language = Some(tag.to_string());
        self
    }

    /// Messages longer than this many bytes are read only up to it (cut on a character
    /// boundary), and the result says `truncated` (default 64 KiB). Cost is linear in the
    /// bytes read.
    pub fn max_message_bytes(&mut self, n: usize) -> &mut EngineBuilder {
        self.limits.max_message_bytes = n.min(u32::MAX as usize - 1);
        self
    }

    /// A pack file larger than this is refused before it is parsed (default 8 MiB).
    pub fn max_pack_bytes(&mut self, n: usize) -> &mut EngineBuilder {
        self.limits.max_pack_bytes = n;
        self
    }

    /// The most keywords (negators and signal words included) all packs together may have
    /// (default 250,000).
    pub fn max_keywords(&mut self, n: usize) -> &mut EngineBuilder {
        self.limits.max_keywords = n;
        self
    }

    /// The longest keyword, in bytes as written (default 256).
    pub fn max_keyword_bytes(&mut self, n: usize) -> &mut EngineBuilder {
        self.limits.max_keyword_bytes = n;
        self
    }

    /// The longest template text, in bytes (default 4096).
    pub fn max_template_bytes(&mut self, n: usize) -> &mut EngineBuilder {
        self.limits.max_template_bytes = n;
        self
    }

    /// The most regex patterns all packs together may have (default 1024).
    pub fn max_patterns(&mut self, n: usize) -> &mut EngineBuilder {
        self.limits.max_patterns = n;
        self
    }

    /// The most memory one compiled regex may take, in bytes (default 256 KiB). Regexes that
    /// blow up when compiled (`a{5}{5}{5}{5}{5}{5}`, `\w{1000}`) are refused, not built.
    pub fn regex_size_limit(&mut self, n: usize) -> &mut EngineBuilder {
        self.limits.regex_size_limit = n;
        self
    }

    /// Reads, validates and compiles every pack. Fails whole on the first error, naming the
    /// file, line, column and rule: nothing is half-loaded.
    pub fn build(&self) -> Result<Engine, Error> {
        let packs = self.read_packs()?;
        let tables = compile(
            &packs,
            self.limits.clone(),
            self.default_language.as_deref(),
        )?;
        Ok(Engine {
            inner: Arc::new(Inner {
                tables,
                max_replies: self.max_replies,
            }),
        })
    }

    /// Builds the engine as [`build`](Self::build) does and returns what a pack author should
    /// fix though the packs load: keywords listed twice or in two intents, dead copies,
    /// ungated patterns, intents without replies or examples, curt replies, Korean particles
    /// written for one case, contradicting hints (see [`Warning`] and the README's list of
    /// codes). The bundled packs have none.
    pub fn lint(&self) -> Result<Vec<Warning>, Error> {
        let packs = self.read_packs()?;
        let tables = compile(
            &packs,
            self.limits.clone(),
            self.default_language.as_deref(),
        )?;
        Ok(crate::lint::lint(&packs, &tables))
    }

    /// Reads and parses every pack, in load order.
    fn read_packs(&self) -> Result<Vec<RulePack>, Error> {
        let mut packs = Vec::new();
        if self.bundled {
            for (name, text) in BUNDLED {
                packs.push(RulePack::parse(name, text.as_bytes().to_vec())?);
            }
        }
        for source in &self.sources {
            match source {
                Source::Text { name, text } => {
                    self.check_size(name, text.len() as u64)?;
                    packs.push(RulePack::parse(name, text.as_bytes().to_vec())?);
                }
                Source::Path(path) => {
                    for file in pack_files(path)? {
                        let name = file.display().to_string();
                        let bytes = self.read(&file, &name)?;
                        packs.push(RulePack::parse(&name, bytes)?);
                    }
                }
            }
        }
        Ok(packs)
    }

    fn check_size(&self, name: &str, len: u64) -> Result<(), Error> {
        if len > self.limits.max_pack_bytes as u64 {
            return Err(Error::new(Problem::Limit(format!(
                "rule pack is larger than {} bytes",
                self.limits.max_pack_bytes
            )))
            .with_path(name));
        }
        Ok(())
    }

    /// Reads a pack file, refusing one over the size limit without reading it all.
    fn read(&self, path: &Path, name: &str) -> Result<Vec<u8>, Error> {
        let io = |e: std::io::Error| Error::io(name, e);
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(self.limits.max_pack_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        self.check_size(name, bytes.len() as u64)?;
        Ok(bytes)
    }
}

/// The pack files a path names: itself, or a folder's `*.toml` files in name order.
fn pack_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::io(&name, e);
    if !path.metadata().map_err(io)?.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let p = entry.map_err(io)?.path();
        if p.extension().is_some_and(|e| e == "toml") && p.is_file() {
            files.push(p);
        }
    }
    if files.is_empty() {
        return Err(
            Error::new(Problem::Io("folder holds no .toml rule pack".into())).with_path(&name),
        );
    }
    files.sort();
    Ok(files)
}

impl Engine {
    /// A builder that starts from the bundled packs.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// What `message` is about: language, intents with evidence, and side signals.
    ///
    /// Never panics; cost is linear in the message's length (up to the engine's maximum
    /// message size). Evidence spans are byte offsets into `message`.
    ///
    /// ```
    /// use replykit::{Context, default_engine};
    /// let c = default_engine().classify("箱子完好无损,一个都没坏", &Context::default());
    /// assert!(!c.has("damage"));
    /// let c = default_engine().classify("3일째 배송조회가 안 돼요", &Context::default());
    /// assert_eq!(c.language, "ko");
    /// assert_eq!(c.top().unwrap().id, "delivery_anxiety");
    /// ```
    pub fn classify(&self, message: &str, ctx: &Context) -> Classification {
        let tables = &self.inner.tables;
        with_scratch(|s| {
            let read = tables.analyze(message, ctx, s);
            tables.classification(read, s)
        })
    }

    /// Classifies `message` and adds ranked replies, rendered with `ctx`'s names and the packs'
    /// defaults, and the policy hints that apply.
    ///
    /// ```
    /// use replykit::{Context, OrderStatus, default_engine};
    /// let mut ctx = Context::default();
    /// ctx.order_status = Some(OrderStatus::Shipped);
    /// ctx.days_since_shipped = Some(6);
    /// let s = default_engine().suggest("where is my order?? it's been ages", &ctx);
    /// assert_eq!(s.classification.top().unwrap().id, "delivery_anxiety");
    /// assert_eq!(s.hints[0].id, "check_tracking_explain");
    /// assert!(s.replies.iter().all(|r| !r.text.contains('{')));
    /// ```
    pub fn suggest(&self, message: &str, ctx: &Context) -> Suggestion {
        let tables = &self.inner.tables;
        with_scratch(|s| {
            let read = tables.analyze(message, ctx, s);
            let none = crate::suggest::ThreadFacts::default();
            tables.suggestion(read, ctx, s, self.inner.max_replies, &none)
        })
    }

    /// Every intent that had evidence in `message`, fired or not, with all its evidence and
    /// why it was or was not reported: for rule authors asking "why not?".
    ///
    /// ```
    /// use replykit::{Context, Verdict, default_engine};
    /// let e = default_engine().explain("It arrived CRACKED", &Context::default());
    /// assert!(e.classification.has("damage"));
    /// assert!(e.candidates.iter().any(|c| c.intent.id == "damage" && c.verdict == Verdict::Fired));
    /// ```
    pub fn explain(&self, message: &str, ctx: &Context) -> Explanation {
        let tables = &self.inner.tables;
        with_scratch(|s| {
            let read = tables.analyze(message, ctx, s);
            Explanation {
                classification: tables.classification(read, s),
                candidates: tables.candidates(read, s),
            }
        })
    }

    /// What the shop can send first when an order event happens (`unpaid`, `not_shipped`,
    /// `shipped`, `in_transit`, `delivered`, `case_closed`, or an event of a shop's pack):
    /// replies rendered with `ctx` and the hints for it, in `ctx.language` (else the default
    /// language). `None` when no pack of that language has the event.
    ///
    /// ```
    /// use replykit::{Context, OrderStatus, default_engine};
    /// let mut ctx = Context::default();
    /// ctx.language = Some("en".into());
    /// ctx.courier = Some("UPS".into());
    /// ctx.vars.insert("tracking".into(), "1Z999".into());
    /// let p = default_engine().proactive("shipped", &ctx).unwrap();
    /// assert!(p.replies[0].text.contains("UPS") && p.replies[0].text.contains("1Z999"));
    /// assert!(default_engine().proactive("no_such_event", &ctx).is_none());
    /// ```
    pub fn proactive(&self, event: &str, ctx: &Context) -> Option<Proactive> {
        self.inner
            .tables
            .proactive(event, ctx, self.inner.max_replies)
    }

    /// The languages the loaded packs speak, in load order.
    pub fn languages(&self) -> impl Iterator<Item = &Id> {
        self.inner.tables.languages.iter().map(|l| &l.tag)
    }

    /// The intents of `language`, in declaration order (none for a language no pack speaks).
    ///
    /// ```
    /// let intents: Vec<_> = replykit::default_engine().intents("zh").collect();
    /// assert_eq!(intents.len(), 14);
    /// assert!(intents.iter().any(|i| *i == "damage"));
    /// ```
    pub fn intents(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.intents.iter().map(|i| &i.id))
    }

    /// The signals of `language`, in declaration order.
    pub fn signals(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.signals.iter().map(|s| &s.id))
    }

    /// The hints of `language`, highest priority first.
    pub fn hints(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.hints.iter().map(|h| &h.id))
    }

    /// The order events of `language` the packs have replies for.
    pub fn events(&self, language: &str) -> impl Iterator<Item = &Id> {
        self.language(language)
            .into_iter()
            .flat_map(|l| l.events.iter().map(|e| &e.id))
    }

    /// The example messages the packs of `language` give (`examples = [...]`), with the
    /// intents each must be read as: the packs' own regression tests.
    pub fn examples(&self, language: &str) -> &[PackExample] {
        self.language(language).map_or(&[], |l| &l.examples[..])
    }

    /// The distinct folded keywords of all languages (negators and signal words included),
    /// in byte order.
    pub fn keywords(&self) -> impl Iterator<Item = &str> {
        let mut all: Vec<&str> = self
            .inner
            .tables
            .languages
            .iter()
            .flat_map(|l| &l.scan.keywords)
            .filter(|k| k.targets.start != k.targets.end)
            .map(|k| &*k.text)
            .collect();
        all.sort_unstable();
        all.dedup();
        all.into_iter()
    }

    /// For the throughput report: classifies `messages` with timers between the stages and
    /// counts the regex searches run. Not part of the stable API.
    #[doc(hidden)]
    pub fn profile(&self, messages: &[&str], ctx: &Context) -> crate::classify::Profile {
        self.inner.tables.profile(messages, ctx)
    }

    /// Whether `other` is this engine or a clone of it (they share their tables). Not part of
    /// the stable API.
    #[doc(hidden)]
    pub fn shares_tables_with(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The run tables and the reply count, for the layers above classify.
    pub(crate) fn tables(&self) -> (&Tables, usize) {
        (&self.inner.tables, self.inner.max_replies)
    }

    fn language(&self, tag: &str) -> Option<&Language> {
        self.inner.tables.languages.iter().find(|l| l.tag == tag)
    }

    /// For benchmarks: the plain leftmost scan of `language`'s automaton, the floor `classify`
    /// builds on. `None` for a language no pack speaks or one without keywords. Not part of
    /// the stable API.
    #[doc(hidden)]
    pub fn raw_scanner(&self, language: &str) -> Option<RawScanner<'_>> {
        self.language(language)?
            .scan
            .automaton
            .as_ref()
            .map(RawScanner)
    }
}

/// For benchmarks: a language's automaton, to time a bare scan with (see
/// [`Engine::raw_scanner`]). Not part of the stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct RawScanner<'a>(&'a aho_corasick::nfa::contiguous::NFA);

impl RawScanner<'_> {
    /// How many keywords (and gate literals) a leftmost-first scan of `text` finds.
    pub fn count(&self, text: &str) -> usize {
        use aho_corasick::{Input, automaton::Automaton};
        self.0
            .try_find_iter(Input::new(text))
            .map_or(0, |it| it.count())
    }

    /// The automaton's heap memory, in bytes.
    pub fn memory_usage(&self) -> usize {
        use aho_corasick::automaton::Automaton;
        self.0.memory_usage()
    }
}

impl Default for Engine {
    /// The bundled zh/ko/en packs: a clone of [`default_engine`] (cheap, shares its tables).
    fn default() -> Engine {
        default_engine().clone()
    }
}

static DEFAULT: Lazy<Engine> = Lazy::new(|| {
    Engine::builder()
        .build()
        .expect("the bundled rule packs are valid: tests/engine.rs checks them")
});

/// The engine of the bundled packs, built once on first use (thread-safe).
pub fn default_engine() -> &'static Engine {
    &DEFAULT
}
