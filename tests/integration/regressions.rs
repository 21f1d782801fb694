//! Regressions: every bug found by the property tests, the fuzzers (`fuzz/`) or by hand in the
//! reliability work, replayed in `cargo test`. Each test says what it found and how.
//!
//! The three nonlinear-time bugs are checked with a wall-clock bound (3 s) on a 256 KiB
//! message: about 100 times what the fixed code takes in a release build and several times a
//! debug build's, while the bugs took 10 s to minutes on it in release. So the checks do not
//! flake on a busy machine, yet catch a return of the quadratic cost.

use replykit::{Context, Engine};
use std::time::{Duration, Instant};

/// Messages up to 256 KiB are read whole, so that a quadratic cost shows (16 times the cost
/// at the default 64 KiB) while a linear one stays at milliseconds.
const LONG: usize = 256 * 1024;

fn engine(pack: &str) -> Engine {
    Engine::builder()
        .bundled(false)
        .max_message_bytes(LONG)
        .pack_str("p.toml", pack)
        .build()
        .unwrap()
}

/// Classifies `message` and fails if that takes longer than `bound`.
fn classify_within(engine: &Engine, message: &str, bound: Duration) -> replykit::Classification {
    let start = Instant::now();
    let c = engine.classify(message, &Context::default());
    let took = start.elapsed();
    assert!(
        took < bound,
        "{} bytes took {took:?} (bound {bound:?})",
        message.len()
    );
    c
}

const BOUND: Duration = Duration::from_secs(3);

/// Found by hand (measuring the `find_iter` fix of zero-width matches): skipping zero-width
/// regex matches by iterating to the first non-empty one rescans the rest of the text at every
/// word boundary for a pattern like `[a-z ]+z|\b`: 8.1 s for 64 KiB of "a a a ...". Now one
/// leftmost search: about 1 ms.
#[test]
fn zero_width_alternative_in_a_pattern_is_linear() {
    let e = engine("language = \"en\"\n[intent.x]\npatterns = ['[a-z ]+z|\\b']\n");
    let message = "a ".repeat(LONG / 2);
    let c = classify_within(&e, &message, BOUND);
    // The leftmost match is the empty one at 0: no evidence, no intent.
    assert!(c.intents.is_empty());
    // A real leftmost match still counts.
    let c = e.classify("a a z", &Context::default());
    assert_eq!(c.intents[0].evidence[0].text("a a z"), "a a z");
}

/// Found by hand (timing messages dense with hits): dropping evidence that lies inside a
/// longer match compared every pair of matches, and removed them one by one from the middle of
/// a vector: 1.66 s for 64 KiB of one repeated keyword. Now one pass after a sort: about 5 ms.
#[test]
fn thousands_of_hits_of_one_keyword_are_linear() {
    let e = engine("language = \"zh\"\n[intent.damage]\nkeywords = [\"坏\", \"压坏\"]\n");
    let message = "坏".repeat(LONG / 3);
    let c = classify_within(&e, &message, BOUND);
    // A keyword counts (and shows) once however often it occurs.
    assert_eq!(c.intents[0].evidence.len(), 1);
    assert_eq!(c.intents[0].score, 1.0);
    // A match inside a longer one of the same intent goes.
    let message = "压坏了,又压坏";
    let c = e.classify(message, &Context::default());
    let texts: Vec<&str> = c.intents[0]
        .evidence
        .iter()
        .map(|e| e.text(message))
        .collect();
    assert_eq!(texts, ["压坏"]);
    // Matches of 64 KiB of two keywords of one intent, each inside the other's matches or not.
    let message = "压坏".repeat(LONG / 6);
    let c = classify_within(&e, &message, BOUND);
    assert_eq!(c.intents[0].score, 1.0);
}

/// Found by hand (timing messages dense with negators): every hit was checked against every
/// negator of the message: 600 ms for 64 KiB of "坏坏坏坏没". Now only the negators within
/// the 64-byte reach of a hit are looked at: about 7 ms.
#[test]
fn messages_dense_with_negators_are_linear() {
    let e = engine(
        "language = \"zh\"\n[negation]\nbefore = [\"没\"]\n[intent.damage]\nkeywords = [\"坏\"]\n",
    );
    for unit in ["坏坏坏坏没", "没没没没坏", "没,没,坏"] {
        let message = unit.repeat(LONG / unit.len());
        classify_within(&e, &message, BOUND);
    }
}

/// The bounded look-up of negators still finds every negator that counts: one just under the
/// 64-byte gap, and a long "after" negator that starts within reach but ends beyond it.
#[test]
fn negators_at_the_edge_of_their_reach_still_cancel() {
    let e = engine(
        "language = \"en\"\n[negation]\nbefore = [\"not\"]\nafter = [\"without any problem at all\"]\nwindow = 2\n[intent.damage]\nkeywords = [\"broken\"]\n",
    );
    let fired = |m: &str| !e.classify(m, &Context::default()).intents.is_empty();
    let word = |n: usize| "x".repeat(n);
    // Gap " xxx...x " of 64 bytes: one unit, within reach.
    assert!(!fired(&format!("not {} broken", word(62))));
    // 65 bytes: beyond reach.
    assert!(fired(&format!("not {} broken", word(63))));
    // An "after" negator starting 60 bytes after the cue, ending 86 bytes after it.
    assert!(!fired(&format!(
        "broken {} without any problem at all",
        word(58)
    )));
    assert!(fired(&format!(
        "broken {} without any problem at all",
        word(63)
    )));
    // Many negators before the hit, only the last in reach.
    let many = format!("{}broken", "not, ".repeat(1000));
    assert!(fired(&many));
    let many = format!("{}not broken", "not, ".repeat(1000));
    assert!(!fired(&many));
}

/// Found by the bad pack `unknown_placeholder_multiline`: an error in a `"""` template
/// pointed at the opening quotes, not at the placeholder, because TOML drops the newline right
/// after them and the offset check then failed. Now it points at the placeholder, for LF and
/// CRLF files alike.
#[test]
fn errors_in_multi_line_templates_point_at_the_placeholder() {
    let pack = "language = \"en\"\n[defaults]\nbuyer = \"there\"\n[intent.damage]\nkeywords = [\"x\"]\n[[intent.damage.reply]]\nid = \"t1\"\ntext = \"\"\"\nHi {buyer}, your voucher: {voucher}.\n\"\"\"\n";
    for pack in [pack.to_string(), pack.replace('\n', "\r\n")] {
        let err = Engine::builder()
            .bundled(false)
            .pack_str("p.toml", &pack)
            .build()
            .unwrap_err();
        assert_eq!(
            err.message(),
            "unknown placeholder `{voucher}` (give it a value in [defaults])"
        );
        assert_eq!((err.line(), err.column()), (Some(9), Some(27)), "{err}");
    }
    // Literal (''') strings too.
    let literal = pack.replace("\"\"\"", "'''");
    let err = Engine::builder()
        .bundled(false)
        .pack_str("p.toml", &literal)
        .build()
        .unwrap_err();
    assert_eq!((err.line(), err.column()), (Some(9), Some(27)), "{err}");
}
