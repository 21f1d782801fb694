//! Every malformed pack in `tests/data/bad_packs/` must fail to load with exactly the error
//! checked in beside it (`NAME.err`): a snapshot of the message a shop's staff would see.
//!
//! A case is a file `NAME.toml` (or any other extension, for bytes that are not TOML) or a folder
//! `NAME/` of packs loaded together. Run with `UPDATE_SNAPSHOTS=1` to write missing or changed
//! snapshots, then review them with `git diff`.

use replykit::Engine;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/data/bad_packs";

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "err"))
        .collect();
    cases.sort();
    cases
}

fn load(case: &Path) -> Result<Engine, replykit::Error> {
    // Relative paths keep the snapshots the same on every machine.
    let relative = case
        .strip_prefix(std::env::current_dir().unwrap())
        .unwrap_or(case);
    Engine::builder().bundled(false).pack_path(relative).build()
}

#[test]
fn every_bad_pack_fails_with_its_snapshot() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 30, "only {} bad packs", cases.len());
    for case in &cases {
        let snapshot = case.with_extension("err");
        let got = match load(case) {
            Ok(_) => "LOADED WITHOUT ERROR\n".to_string(),
            Err(e) => format!("{e}\n"),
        };
        let want = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if got != want {
            if update {
                std::fs::write(&snapshot, &got).unwrap();
            } else {
                failures.push(format!(
                    "{}:\n--- want\n{want}--- got\n{got}",
                    case.display()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} snapshot mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_name_file_line_and_column_where_they_have_one() {
    for case in cases() {
        let err = load(&case).expect_err(&case.display().to_string());
        assert!(err.path().is_some(), "{}: no path in {err}", case.display());
        if err.line().is_some() {
            assert!(err.to_string().contains(&format!(
                ":{}:{}:",
                err.line().unwrap(),
                err.column().unwrap()
            )));
        }
    }
}
