//! The builder: where packs are read (bundled, from text, from files and folders), checked
//! against the limits, and compiled into an [`Engine`].

use crate::compile::compile;
use crate::engine::Engine;
use crate::error::{Error, Problem};
use crate::lint::Warning;
use crate::rules::RulePack;
use crate::tables::{Limits, Tables};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The bundled packs, in load order. Their names are their paths in the crate, so evidence
/// and errors point at files a reader can open.
const BUNDLED: [(&str, &str); 3] = [
    ("rules/zh.toml", include_str!("../rules/zh.toml")),
    ("rules/ko.toml", include_str!("../rules/ko.toml")),
    ("rules/en.toml", include_str!("../rules/en.toml")),
];

/// Setters of the builder's limits, one per field of [`Limits`] of the same name.
macro_rules! limit_setters {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&mut self, n: usize) -> &mut EngineBuilder {
            self.limits.$name = n;
            self
        }
    )*};
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

    limit_setters! {
        /// A pack file larger than this is refused before it is parsed (default 8 MiB).
        max_pack_bytes;
        /// The most keywords (negators and signal words included) all packs together may have
        /// (default 250,000).
        max_keywords;
        /// The longest keyword, in bytes as written (default 256).
        max_keyword_bytes;
        /// The longest template text, in bytes (default 4096).
        max_template_bytes;
        /// The most regex patterns all packs together may have (default 1024).
        max_patterns;
        /// The most memory one compiled regex may take, in bytes (default 256 KiB). Regexes that
        /// blow up when compiled (`a{5}{5}{5}{5}{5}{5}`, `\w{1000}`) are refused, not built.
        regex_size_limit;
    }

    /// Reads, validates and compiles every pack. Fails whole on the first error, naming the
    /// file, line, column and rule: nothing is half-loaded.
    pub fn build(&self) -> Result<Engine, Error> {
        let (_, tables) = self.read_and_compile()?;
        Ok(Engine::from_tables(tables, self.max_replies))
    }

    /// Builds the engine as [`build`](Self::build) does and returns what a pack author should
    /// fix though the packs load: keywords listed twice or in two intents, dead copies,
    /// ungated patterns, intents without replies or examples, curt replies, Korean particles
    /// written for one case, contradicting hints (see [`Warning`] and the README's list of
    /// codes). The bundled packs have none.
    pub fn lint(&self) -> Result<Vec<Warning>, Error> {
        let (packs, tables) = self.read_and_compile()?;
        Ok(crate::lint::lint(&packs, &tables))
    }

    /// Reads every pack and compiles them into the run tables.
    fn read_and_compile(&self) -> Result<(Vec<RulePack>, Tables), Error> {
        let packs = self.read_packs()?;
        let tables = compile(
            &packs,
            self.limits.clone(),
            self.default_language.as_deref(),
        )?;
        Ok((packs, tables))
    }

    /// Reads and parses every pack, in load order.
    pub(crate) fn read_packs(&self) -> Result<Vec<RulePack>, Error> {
        let mut packs = Vec::new();
        if self.bundled {
            for (name, text) in BUNDLED {
                let mut pack = RulePack::parse(name, text.as_bytes().to_vec())?;
                pack.bundled = true;
                packs.push(pack);
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
