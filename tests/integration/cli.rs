//! The example CLIs as a new user runs them: flags, exit codes and output shapes. They are the
//! binaries `cargo test` builds next to this one (`target/<profile>/examples/`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The example binary `name`, built by `cargo test` beside the test binary.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built (cargo test builds the examples)",
        path.display()
    );
    path
}

fn run(name: &str, args: &[&str]) -> Output {
    Command::new(example(name)).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON object on the last line of `o`'s stdout.
fn last_json(o: &Output) -> serde_json::Value {
    let out = stdout(o);
    serde_json::from_str(out.lines().last().unwrap_or("")).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn evaluate_keeps_the_report_contract_and_adds_the_confusion_matrix() {
    let o = run("evaluate", &["tests/corpus/en.tsv", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = last_json(&o);
    for key in [
        "messages",
        "micro_f1",
        "macro_f1",
        "top1_accuracy",
        "none_false_positive_rate",
        "per_intent",
        "confusion",
    ] {
        assert!(r.get(key).is_some(), "no {key} in {r}");
    }
    let damage = &r["per_intent"]["damage"];
    for key in ["precision", "recall", "f1", "support"] {
        assert!(damage[key].is_number(), "{key}");
    }
    assert!(r["confusion"]["damage"]["damage"].as_u64().unwrap() > 0);
}

#[test]
fn evaluate_gates_on_micro_f1() {
    let o = run(
        "evaluate",
        &["tests/corpus/en.tsv", "--min-micro-f1", "0.5"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        "evaluate",
        &["tests/corpus/en.tsv", "--min-micro-f1", "1.01"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("below --min-micro-f1 1.01"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn evaluate_refuses_unknown_labels_naming_the_line() {
    let dir = std::env::temp_dir().join(format!("replykit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("typo.tsv");
    std::fs::write(
        &path,
        "# a comment\ndamage\tit broke\ndamge\tit broke again\n",
    )
    .unwrap();
    let o = run("evaluate", &[path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("{}:3: unknown label `damge`", path.display())),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn evaluate_compares_with_a_baseline_and_explains_errors() {
    let dir = std::env::temp_dir().join(format!("replykit-cli-base-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("base.json");
    let corpus = dir.join("c.tsv");
    std::fs::write(&corpus, "damage\tmy pears came bruised\ndamage\tthe box was crushed\nshipping_options\twhich courier?\nnone\tok thanks\n").unwrap();
    let corpus = corpus.to_str().unwrap();
    let shop = ["--no-bundled", "--rules", "tests/data/packs/shop.toml"];
    let mut args = vec!["--pack-examples", "--json"];
    args.extend(shop);
    let o = run("evaluate", &args);
    std::fs::write(&base, &o.stdout).unwrap();
    let r = last_json(&o);
    assert_eq!(r["messages"], 12);
    assert_eq!(r["micro_f1"], 1.0);
    let mut args = vec![corpus, "--baseline", base.to_str().unwrap(), "--json"];
    args.extend(shop);
    let r = last_json(&run("evaluate", &args));
    assert!(r["delta"]["micro_f1"].as_f64().unwrap() < 0.0, "{r}");
    assert!(r["delta"]["per_intent_f1"]["damage"].is_number());
    let mut args = vec![corpus, "--explain"];
    args.extend(shop);
    let out = stdout(&run("evaluate", &args));
    assert!(
        out.contains("worst mistakes") && out.contains("(no evidence for any intent)"),
        "{out}"
    );
    let mut args = vec![corpus, "--baseline", base.to_str().unwrap()];
    args.extend(shop);
    let out = stdout(&run("evaluate", &args));
    assert!(out.contains("Δf1") && out.contains("confusion"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lint_denies_warnings_with_their_codes() {
    let o = run(
        "lint",
        &[
            "--no-bundled",
            "--rules",
            "tests/data/lint/every_warning.toml",
            "--deny",
            "warnings",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("warning[overlap]") && out.contains("warning[korean-particle]"),
        "{out}"
    );
    let o = run(
        "lint",
        &[
            "--no-bundled",
            "--rules",
            "tests/data/lint/every_warning.toml",
            "--json",
        ],
    );
    assert!(o.status.success());
    let r = last_json(&o);
    assert_eq!(
        r["count"].as_u64().unwrap() as usize,
        r["warnings"].as_array().unwrap().len()
    );
    let o = run(
        "lint",
        &[
            "--no-bundled",
            "--rules",
            "tests/data/packs/shop.toml",
            "--deny",
            "warnings",
        ],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn the_bundled_packs_pass_lint_with_deny_warnings() {
    let o = run("lint", &["--deny", "warnings"]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn suggest_fills_courier_and_variables_from_flags() {
    let o = run(
        "suggest",
        &[
            "--no-bundled",
            "--rules",
            "tests/data/packs/shop.toml",
            "--courier",
            "SF Express",
            "--var",
            "tracking=SF1234",
            "--buyer",
            "Mia",
            "which courier do you use?",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Hi Mia, we ship with SF Express; your tracking number is SF1234."),
        "{out}"
    );
    let o = run("suggest", &["--var", "no-equals-sign", "hi"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--var"), "{}", stderr(&o));
}

#[test]
fn suggest_answers_plain_lines_as_they_come() {
    let mut child = Command::new(example("suggest"))
        .args([
            "--no-bundled",
            "--rules",
            "tests/data/packs/shop.toml",
            "--json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "the peaches came squashed").unwrap();
    stdin.flush().unwrap();
    // The answer comes while stdin is still open.
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["classification"]["intents"][0]["id"], "damage");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
