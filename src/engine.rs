//! The engine and its builder: where packs are read, layered and compiled, and the entry
//! points `classify` and `suggest`.

use crate::classify::{Classification, with_scratch};
use crate::compile::{Compiled, Limits, compile};
use crate::context::Context;
use crate::error::{Error, ErrorKind};
use crate::rules::RulePack;
use crate::suggest::Suggestion;
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
/// assert_eq!(&*s.language, "zh");
/// let ids: Vec<&str> = s.intents.iter().map(|i| &*i.intent).collect();
/// assert!(ids.contains(&"damage") && ids.contains(&"return_refund"));
/// assert!(s.hints.iter().any(|h| &*h.id == "apologize_compensate_first"));
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    compiled: Compiled,
    max_replies: usize,
}

/// Builds an [`Engine`] from the bundled packs and a shop's own, with limits on what they and
/// messages may cost. Setters take `&mut self`; `build` can be called again after changes.
///
/// ```
/// let shop_pack = r#"
/// language = "en"
/// [[intent]]
/// id = "damage"
/// [[intent.cue]]
/// keywords = ["squashed"]
/// [[template]]
/// id = "en.damage.fruit"
/// intent = "damage"
/// text = "So sorry your fruit arrived squashed, {buyer}! We'll send a fresh box today."
/// weight = 2.0
/// "#;
/// let engine = replykit::Engine::builder().pack_str("shop.toml", shop_pack).build()?;
/// let s = engine.suggest("the peaches came squashed", &replykit::Context::default());
/// assert_eq!(&*s.intents[0].intent, "damage");
/// assert_eq!(&*s.replies[0].id, "en.damage.fruit");
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
        let compiled = compile(
            &packs,
            self.limits.clone(),
            self.default_language.as_deref(),
        )?;
        Ok(Engine {
            inner: Arc::new(Inner {
                compiled,
                max_replies: self.max_replies,
            }),
        })
    }

    fn check_size(&self, name: &str, len: u64) -> Result<(), Error> {
        if len > self.limits.max_pack_bytes as u64 {
            return Err(Error::new(ErrorKind::Limit(format!(
                "rule pack is larger than {} bytes",
                self.limits.max_pack_bytes
            )))
            .with_path(name));
        }
        Ok(())
    }

    /// Reads a pack file, refusing one over the size limit without reading it all.
    fn read(&self, path: &Path, name: &str) -> Result<Vec<u8>, Error> {
        let io = |e: std::io::Error| Error::new(ErrorKind::Io(e.to_string())).with_path(name);
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
    let io = |e: std::io::Error| Error::new(ErrorKind::Io(e.to_string())).with_path(&name);
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
            Error::new(ErrorKind::Io("folder holds no .toml rule pack".into())).with_path(&name),
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
    /// assert!(c.intents.iter().all(|i| &*i.intent != "damage"));
    /// let c = default_engine().classify("3일째 배송조회가 안 돼요", &Context::default());
    /// assert_eq!(&*c.language, "ko");
    /// assert_eq!(&*c.intents[0].intent, "delivery_anxiety");
    /// ```
    pub fn classify(&self, message: &str, ctx: &Context) -> Classification {
        with_scratch(|s| self.inner.compiled.classify_into(message, ctx, s))
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
    /// assert_eq!(&*s.intents[0].intent, "delivery_anxiety");
    /// assert_eq!(&*s.hints[0].id, "check_tracking_explain");
    /// assert!(s.replies.iter().all(|r| !r.text.contains('{')));
    /// ```
    pub fn suggest(&self, message: &str, ctx: &Context) -> Suggestion {
        let compiled = &self.inner.compiled;
        with_scratch(|s| {
            let c = compiled.classify_into(message, ctx, s);
            compiled.suggest_from(c, ctx, s, self.inner.max_replies)
        })
    }

    /// The languages the loaded packs speak, in load order.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.inner.compiled.languages.iter().map(|l| &*l.tag)
    }

    /// The distinct folded keywords of all languages (negators and signal words included),
    /// in byte order.
    pub fn keywords(&self) -> impl Iterator<Item = &str> {
        let mut all: Vec<&str> = self
            .inner
            .compiled
            .languages
            .iter()
            .flat_map(|l| &l.keywords)
            .filter(|k| k.targets.start != k.targets.end)
            .map(|k| &*k.text)
            .collect();
        all.sort_unstable();
        all.dedup();
        all.into_iter()
    }

    /// The keyword automaton that `classify` scans a message read in `language` with, for
    /// measuring the raw scan it builds on: over the language's keywords and the literals its
    /// regex patterns need. `None` for a language no pack speaks or one without keywords.
    /// Search it with the methods of [`aho_corasick::automaton::Automaton`]. (This ties the
    /// API to aho-corasick 1.)
    ///
    /// ```
    /// use aho_corasick::{Input, automaton::Automaton};
    /// let zh = replykit::default_engine().automaton("zh").unwrap();
    /// let found = zh.try_find_iter(Input::new("快递怎么还没到")).unwrap().count();
    /// assert!(found > 0);
    /// ```
    pub fn automaton(&self, language: &str) -> Option<&aho_corasick::nfa::contiguous::NFA> {
        let languages = &self.inner.compiled.languages;
        let language = languages.iter().find(|l| &*l.tag == language)?;
        language.automaton.as_ref()
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
