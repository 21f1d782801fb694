//! What the example CLIs share: building the engine from `--rules`/`--no-bundled` flags.
// Each example uses a different part of this module.
#![allow(dead_code)]

use replykit::{Engine, EngineBuilder};
use std::process::exit;

/// Flags that choose the rule packs, common to every CLI.
#[derive(Debug, Default)]
pub struct PackFlags {
    pub rules: Vec<String>,
    pub no_bundled: bool,
    pub lang: Option<String>,
}

impl PackFlags {
    /// Takes `arg` if it is a pack flag (pulling its value from `args`); false otherwise.
    pub fn take(&mut self, arg: &str, args: &mut impl Iterator<Item = String>) -> bool {
        match arg {
            "--rules" => self.rules.push(value(arg, args)),
            "--no-bundled" => self.no_bundled = true,
            "--lang" => self.lang = Some(value(arg, args)),
            _ => return false,
        }
        true
    }

    /// A builder with the chosen packs.
    pub fn builder(&self) -> EngineBuilder {
        let mut b = Engine::builder();
        b.bundled(!self.no_bundled);
        for r in &self.rules {
            b.pack_path(r);
        }
        b
    }

    /// Builds the engine or exits 2 with the error (file:line:col and the offending line).
    pub fn build(&self, builder: &EngineBuilder) -> Engine {
        let engine = builder.build().unwrap_or_else(|e| fail(&e.to_string()));
        if let Some(lang) = &self.lang {
            if !engine.languages().any(|l| l == lang) {
                let known: Vec<&str> = engine.languages().map(|l| l.as_str()).collect();
                fail(&format!(
                    "--lang {lang}: no loaded rule pack speaks it (loaded: {})",
                    known.join(", ")
                ));
            }
        }
        engine
    }
}

/// The value after flag `name`, or exit 2.
pub fn value(name: &str, args: &mut impl Iterator<Item = String>) -> String {
    args.next()
        .unwrap_or_else(|| fail(&format!("{name} needs a value")))
}

/// A parsed flag value, or exit 2 naming the flag.
pub fn parse<T: std::str::FromStr>(name: &str, raw: &str) -> T
where
    T::Err: std::fmt::Display,
{
    raw.parse()
        .unwrap_or_else(|e| fail(&format!("{name} {raw}: {e}")))
}

/// Prints `error: ...` and exits 2: the exit code for bad flags and bad rule packs.
pub fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(2)
}
