//! The builder's limits on what messages and rule packs may cost: each has a documented
//! default, and past it a clear error (`Error::is_limit`) or, for messages, a truncated read;
//! never an OOM, a stack overflow or a hang.
//!
//! The big inputs (a million keywords, a 100 MB file) are generated here into a temporary
//! folder, never checked in. Run in release mode: `cargo test --release`.

use replykit::{Context, Engine, EngineBuilder, Error, default_engine};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

const MIB: usize = 1024 * 1024;

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("replykit-limits-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn alone() -> EngineBuilder {
    let mut b = Engine::builder();
    b.bundled(false);
    b
}

fn build_err(b: &EngineBuilder) -> Error {
    b.build().expect_err("the build should fail")
}

/// A pack whose one intent has `n` keywords `k{first}`, `k{first+1}`, ..., one per line:
/// keyword `k{first+i}` is on line `4 + i`.
fn keyword_pack(n: usize, first: usize) -> String {
    let mut pack = String::with_capacity(n * 12 + 100);
    pack.push_str("language = \"en\"\n[intent.many]\nkeywords = [\n");
    for i in first..first + n {
        writeln!(pack, "\"k{i}\",").unwrap();
    }
    pack.push_str("]\n");
    pack
}

fn cue_pack(keywords: &[&str]) -> String {
    let list: Vec<String> = keywords.iter().map(|k| format!("{k:?}")).collect();
    format!(
        "language = \"en\"\n[intent.damage]\nkeywords = [{}]\n",
        list.join(", ")
    )
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

#[test]
fn default_message_limit_is_64_kib_and_longer_messages_are_truncated() {
    let unit = "the parcel arrived cracked. ";
    let message = unit.repeat(MIB / unit.len() + 1);
    let c = default_engine().classify(&message, &Context::default());
    assert!(c.truncated);
    assert!(c.has("damage"));
    let ends = c.intents.iter().flat_map(|i| &i.evidence).map(|e| e.end);
    assert!(ends.max().unwrap() <= 64 * 1024);
    assert!(
        default_engine()
            .suggest(&message, &Context::default())
            .classification
            .truncated
    );

    // Exactly at the limit: read whole.
    let exact = "a".repeat(64 * 1024);
    assert!(
        !default_engine()
            .classify(&exact, &Context::default())
            .truncated
    );
}

#[test]
fn truncation_cuts_on_a_char_boundary() {
    // 64 KiB - 1 bytes of ASCII, then a 3-byte character straddling the limit.
    let mut message = "a".repeat(64 * 1024 - 1);
    message.push_str("碎了碎了");
    let c = default_engine().classify(&message, &Context::default());
    assert!(c.truncated);
    // The straddling character was not read, so nothing after the ASCII was.
    assert!(c.intents.iter().all(|i| i.evidence.is_empty()));
}

#[test]
fn message_limit_is_a_builder_setting() {
    let e = Engine::builder().max_message_bytes(6).build().unwrap();
    let c = e.classify("碎了碎了碎了", &Context::default());
    assert!(c.truncated);
    for ev in c.intents.iter().flat_map(|i| &i.evidence) {
        assert!(ev.end <= 6, "{ev:?}");
    }
    // Zero reads nothing, and every non-empty message is truncated.
    let zero = Engine::builder().max_message_bytes(0).build().unwrap();
    let c = zero.classify("it arrived cracked", &Context::default());
    assert!(c.truncated && c.intents.is_empty());
    assert!(!zero.classify("", &Context::default()).truncated);
    // A huge setting is clamped to what spans can address, not a panic.
    let huge = Engine::builder()
        .max_message_bytes(usize::MAX)
        .build()
        .unwrap();
    let c = huge.classify("it arrived cracked", &Context::default());
    assert!(!c.truncated && !c.intents.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Pack size
// ---------------------------------------------------------------------------------------------

#[test]
fn a_100_mb_file_is_refused_by_size_before_it_is_parsed() {
    let dir = TempDir::new("100mb");
    let path = dir.0.join("huge.toml");
    // A pack header, then 100 MB of bytes that are neither TOML nor UTF-8: a refusal by
    // size, not a syntax or UTF-8 error, shows the file was never parsed.
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    file.write_all(b"language = \"en\"\n").unwrap();
    let chunk = vec![0xFFu8; MIB];
    for _ in 0..100 {
        file.write_all(&chunk).unwrap();
    }
    file.flush().unwrap();
    drop(file);
    let err = build_err(alone().pack_path(&path));
    assert!(err.is_limit(), "{err}");
    assert_eq!(
        err.message(),
        "limit exceeded: rule pack is larger than 8388608 bytes"
    );
    assert_eq!(err.path(), Some(path.display().to_string().as_str()));
    assert_eq!(err.line(), None);
    // Layered after the bundled packs too.
    let err = build_err(Engine::builder().pack_path(&path));
    assert!(err.is_limit(), "{err}");
}

#[test]
fn a_100_mb_string_is_refused_by_size_before_it_is_parsed() {
    let mut pack = String::from("language = \"en\"\n[[intent]]\n");
    pack.push_str(&"x".repeat(100 * MIB));
    let err = build_err(alone().pack_str("huge.toml", &pack));
    assert!(err.is_limit(), "{err}");
    assert_eq!(
        err.to_string(),
        "huge.toml: limit exceeded: rule pack is larger than 8388608 bytes"
    );
}

#[test]
fn pack_size_limit_is_a_builder_setting() {
    let pack = cue_pack(&["cracked"]);
    let err = build_err(
        alone()
            .max_pack_bytes(pack.len() - 1)
            .pack_str("p.toml", &pack),
    );
    assert!(err.is_limit());
    assert!(
        err.message()
            .contains(&format!("larger than {} bytes", pack.len() - 1))
    );
    alone()
        .max_pack_bytes(pack.len())
        .pack_str("p.toml", &pack)
        .build()
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Keyword count and length
// ---------------------------------------------------------------------------------------------

#[test]
fn a_million_keywords_are_refused_by_size_at_default_limits() {
    let pack = keyword_pack(1_000_000, 0);
    assert!(pack.len() > 8 * MIB);
    let err = build_err(alone().pack_str("million.toml", &pack));
    assert!(err.is_limit(), "{err}");
    assert!(err.message().contains("larger than 8388608 bytes"), "{err}");
}

#[test]
fn a_million_keywords_are_refused_by_count_when_the_size_allows_them() {
    let pack = keyword_pack(1_000_000, 0);
    let err = build_err(
        alone()
            .max_pack_bytes(64 * MIB)
            .pack_str("million.toml", &pack),
    );
    assert!(err.is_limit(), "{err}");
    assert_eq!(err.message(), "limit exceeded: more than 250000 keywords");
    // It names the first keyword past the limit: the 250,001st, `k250000`, on line 250,004.
    assert_eq!((err.line(), err.column()), (Some(250_004), Some(1)));
    assert_eq!(err.rule(), Some("intent `many`"));
}

#[test]
fn the_keyword_limit_counts_all_packs_together() {
    // A million keywords in four files of 250,000, each well under the size limit.
    let dir = TempDir::new("keyword-files");
    for (i, name) in ["a.toml", "b.toml", "c.toml", "d.toml"].iter().enumerate() {
        std::fs::write(dir.0.join(name), keyword_pack(250_000, i * 250_000)).unwrap();
    }
    let err = build_err(alone().pack_path(&dir.0));
    assert!(err.is_limit(), "{err}");
    assert_eq!(err.message(), "limit exceeded: more than 250000 keywords");
    assert!(err.path().unwrap().ends_with("b.toml"), "{err}");
    assert_eq!(err.line(), Some(4));
    // The bundled keywords count too.
    let bundled = default_engine().keywords().count();
    assert!(bundled > 0);
    let err = build_err(Engine::builder().pack_path(dir.0.join("a.toml")));
    assert!(err.is_limit(), "{err}");
}

#[test]
fn keyword_count_limit_is_a_builder_setting() {
    let pack = cue_pack(&["one", "two", "three"]);
    let err = build_err(alone().max_keywords(2).pack_str("p.toml", &pack));
    assert!(err.is_limit());
    assert_eq!(err.message(), "limit exceeded: more than 2 keywords");
    assert_eq!(err.column(), Some(27));
    alone()
        .max_keywords(3)
        .pack_str("p.toml", &pack)
        .build()
        .unwrap();
}

#[test]
fn keyword_length_limit_is_256_bytes_as_written() {
    let at_limit = "a".repeat(256);
    alone()
        .pack_str("p.toml", &cue_pack(&[&at_limit]))
        .build()
        .unwrap();
    let over = "a".repeat(257);
    let err = build_err(alone().pack_str("p.toml", &cue_pack(&[&over])));
    assert!(err.is_limit());
    assert_eq!(
        err.message(),
        "limit exceeded: keyword longer than 256 bytes"
    );
    // Bytes, not characters: 86 Hangul syllables are 258 bytes.
    let hangul = "파".repeat(86);
    let err = build_err(alone().pack_str("p.toml", &cue_pack(&[&hangul])));
    assert!(err.is_limit());
    let err = build_err(
        alone()
            .max_keyword_bytes(3)
            .pack_str("p.toml", &cue_pack(&["abcd"])),
    );
    assert_eq!(err.message(), "limit exceeded: keyword longer than 3 bytes");
}

// ---------------------------------------------------------------------------------------------
// Templates and patterns
// ---------------------------------------------------------------------------------------------

fn template_pack(text: &str) -> String {
    format!(
        "language = \"en\"\n[intent.damage]\nkeywords = [\"x\"]\n[[intent.damage.reply]]\nid = \"t\"\ntext = {text:?}\n"
    )
}

#[test]
fn template_length_limit_is_4096_bytes() {
    alone()
        .pack_str("p.toml", &template_pack(&"x".repeat(4096)))
        .build()
        .unwrap();
    let err = build_err(alone().pack_str("p.toml", &template_pack(&"x".repeat(4097))));
    assert!(err.is_limit());
    assert_eq!(
        err.message(),
        "limit exceeded: reply longer than 4096 bytes"
    );
    assert_eq!(err.rule(), Some("intent `damage` reply `t`"));
    let err = build_err(
        alone()
            .max_template_bytes(10)
            .pack_str("p.toml", &template_pack("eleven byte")),
    );
    assert_eq!(err.message(), "limit exceeded: reply longer than 10 bytes");
}

fn pattern_pack(patterns: usize) -> String {
    let mut pack = String::from("language = \"en\"\n[intent.bargaining]\npatterns = [\n");
    for i in 0..patterns {
        writeln!(pack, "'p{i} \\d+',").unwrap();
    }
    pack.push_str("]\n");
    pack
}

#[test]
fn pattern_count_limit_is_1024() {
    alone()
        .pack_str("p.toml", &pattern_pack(1024))
        .build()
        .unwrap();
    let err = build_err(alone().pack_str("p.toml", &pattern_pack(1025)));
    assert!(err.is_limit());
    assert_eq!(
        err.message(),
        "limit exceeded: more than 1024 regex patterns"
    );
    // Pattern 1025 (index 1024) is on line 4 + 1024.
    assert_eq!(err.line(), Some(4 + 1024));
    let err = build_err(alone().max_patterns(1).pack_str("p.toml", &pattern_pack(2)));
    assert_eq!(err.message(), "limit exceeded: more than 1 regex patterns");
}

/// The most gate literals packs can give: every pattern an alternation of 256 distinct words.
/// Each literal becomes an entry of the language's automaton; finding an entry by its text must
/// not cost a pass over the others (262,144 literals would make that a hang).
#[test]
fn the_most_gate_literals_build_and_gate_their_patterns() {
    let mut pack = String::from("language = \"en\"\n[intent.bargaining]\npatterns = [\n");
    for i in 0..1024 {
        let words: Vec<String> = (0..256).map(|j| format!("w{i}x{j}")).collect();
        writeln!(pack, "'\\b(?:{})\\b',", words.join("|")).unwrap();
    }
    pack.push_str("]\n");
    let engine = alone()
        .max_pack_bytes(64 * MIB)
        .regex_size_limit(MIB)
        .pack_str("p.toml", &pack)
        .build()
        .unwrap();
    let ctx = Context::default();
    let message = "can you do w1023x255 for me";
    let found = engine.classify(message, &ctx);
    assert_eq!(found.intents.len(), 1);
    assert_eq!(found.intents[0].evidence[0].text(message), "w1023x255");
    assert!(
        engine
            .classify("can you do w1023 for me", &ctx)
            .intents
            .is_empty()
    );
}

#[test]
fn regex_size_limit_is_a_builder_setting() {
    let pack = "language = \"en\"\n[intent.x]\npatterns = ['\\w{3}']\n";
    alone().pack_str("p.toml", pack).build().unwrap();
    let err = build_err(alone().regex_size_limit(1_000).pack_str("p.toml", pack));
    assert!(err.is_limit(), "{err}");
    assert_eq!(
        err.message(),
        "limit exceeded: regex compiles to more than 1000 bytes"
    );
    assert_eq!((err.line(), err.column()), (Some(3), Some(13)));
}

// ---------------------------------------------------------------------------------------------
// Deep nesting: the TOML parser's recursion limit, not the stack, stops it
// ---------------------------------------------------------------------------------------------

fn assert_clean_error(pack: &str) -> Error {
    let err = build_err(alone().pack_str("deep.toml", pack));
    assert!(!err.is_limit(), "{err}");
    assert_eq!(err.path(), Some("deep.toml"));
    err
}

#[test]
fn ten_thousand_nested_arrays_are_a_clean_error() {
    let depth = 10_000;
    let pack = format!(
        "language = \"en\"\n[intent.x]\nkeywords = {}\"a\"{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let err = assert_clean_error(&pack);
    assert!(err.message().contains("recurs"), "{err}");
    assert_eq!(err.line(), Some(3));
}

#[test]
fn deeply_nested_tables_and_keys_are_clean_errors() {
    let depth = 100_000;
    for pack in [
        format!(
            "language = \"en\"\nx = {}1{}\n",
            "{a=".repeat(depth),
            "}".repeat(depth)
        ),
        format!("language = \"en\"\n{}a = 1\n", "a.".repeat(depth)),
        format!("language = \"en\"\n[{}a]\n", "a.".repeat(depth)),
        format!(
            "language = \"en\"\n[defaults]\n{}a = 1\n",
            "a.".repeat(depth)
        ),
        format!(
            "language = \"en\"\nx = {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        format!("language = \"en\"\n{}", "[[a]]\n".repeat(depth)),
    ] {
        assert_clean_error(&pack);
    }
}

// ---------------------------------------------------------------------------------------------
// Errors of the builder itself
// ---------------------------------------------------------------------------------------------

#[test]
fn builder_errors_are_clear() {
    let err = build_err(&alone());
    assert!(err.message().starts_with("no rule packs"), "{err}");
    let err = build_err(Engine::builder().default_language("fr"));
    assert_eq!(err.message(), "default language `fr` has no rule pack");
    let missing = std::env::temp_dir().join("replykit-no-such-pack.toml");
    let err = build_err(alone().pack_path(&missing));
    assert!(err.message().starts_with("cannot read rule pack"), "{err}");
    assert_eq!(err.path(), Some(missing.display().to_string().as_str()));
    assert!(!err.is_limit());
}

#[test]
fn a_failed_build_leaves_the_builder_usable() {
    let mut b = alone();
    b.max_keywords(1)
        .pack_str("p.toml", &cue_pack(&["one", "two"]));
    assert!(b.build().is_err());
    let e = b.max_keywords(2).build().unwrap();
    assert_eq!(e.keywords().count(), 2);
}
