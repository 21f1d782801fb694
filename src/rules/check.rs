//! The checks a pack passes on its own, before it is layered with the others: ids, ranges,
//! lists that must not be empty. Each error names the place (file, line, column, rule).

use super::{IntentDef, RulePack, Words, is_placeholder_name};
use crate::error::{Error, Problem};
use toml::Spanned;

/// The scripts a pack may declare in `scripts`: what language detection counts.
pub(crate) const SCRIPTS: [&str; 5] = ["han", "hant", "hangul", "kana", "latin"];

/// What a conversation can call for, in the order of their bits.
pub(crate) const THREAD_TRIGGERS: [&str; 3] = ["repeated", "rising_anger", "waited"];

/// The most groups a `near` rule may have (one bit each in the scan's bookkeeping).
pub(crate) const MAX_NEAR_GROUPS: usize = 8;

/// The widest `within` of a `near` rule, in units.
pub(crate) const MAX_NEAR_WITHIN: u32 = 64;

impl RulePack {
    /// Checks that need nothing but this file.
    pub(super) fn check(&self) -> Result<(), Error> {
        let f = &self.file;
        let lang = f.language.get_ref();
        if lang.is_empty()
            || lang.len() > 16
            || !lang
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(self.invalid(
                format!("invalid language `{lang}`: expected a short lowercase tag such as \"zh\""),
                f.language.span(),
                "language",
            ));
        }
        if let Some(scripts) = &f.scripts {
            for s in scripts.get_ref() {
                if !SCRIPTS.contains(&s.get_ref().as_str()) {
                    return Err(self.invalid(
                        format!(
                            "unknown script `{}`: expected one of {}",
                            s.get_ref(),
                            SCRIPTS.join(", ")
                        ),
                        s.span(),
                        "scripts",
                    ));
                }
            }
        }
        for (name, value) in &f.defaults {
            if !is_placeholder_name(name) {
                return Err(self.invalid(
                    format!("invalid placeholder name `{name}`: use [a-z_][a-z0-9_]*"),
                    value.span(),
                    "defaults",
                ));
            }
        }
        if let Some(d) = f.money.as_ref().and_then(|m| m.decimals.as_ref()) {
            if *d.get_ref() > 4 {
                return Err(self.invalid("decimals must be 0 to 4", d.span(), "money"));
            }
        }
        if let Some(t) = &f.template {
            return Err(self.invalid(
                "top-level `[[template]]` blocks are the replykit 0.1 form: write each under its intent as `[[intent.<id>.reply]]` (see \"Migrating from 0.1\" in rules/FORMAT.md)",
                t.span(),
                "template",
            ));
        }
        if let Some(w) = f.negation.as_ref().and_then(|n| n.window.as_ref()) {
            if *w.get_ref() > 16 {
                return Err(self.invalid(
                    "negation window must be at most 16",
                    w.span(),
                    "negation",
                ));
            }
        }
        for (id, intent) in &f.intent.0 {
            self.check_id(id, "intent")?;
            self.check_intent(id, intent)?;
        }
        for (id, signal) in &f.signal.0 {
            self.check_id(id, "signal")?;
            self.non_empty(
                &signal.keywords,
                "a signal needs at least one keyword",
                &format!("signal `{}`", id.get_ref()),
            )?;
        }
        for (id, hint) in &f.hint.0 {
            self.check_id(id, "hint")?;
            let rule = format!("hint `{}`", id.get_ref());
            if hint.text.get_ref().trim().is_empty() {
                return Err(self.invalid("empty hint text", hint.text.span(), rule));
            }
            if hint.intents.is_empty()
                && hint.signals.is_empty()
                && hint.events.is_empty()
                && hint.thread.is_empty()
            {
                return Err(self.invalid(
                    "a hint needs `intents`, `signals`, `events` or `thread` to say when it applies",
                    id.span(),
                    rule,
                ));
            }
            for t in &hint.thread {
                if !THREAD_TRIGGERS.contains(&t.get_ref().as_str()) {
                    return Err(self.invalid(
                        format!(
                            "unknown thread trigger `{}`: expected one of {}",
                            t.get_ref(),
                            THREAD_TRIGGERS.join(", ")
                        ),
                        t.span(),
                        rule,
                    ));
                }
            }
        }
        for (id, event) in &f.event.0 {
            self.check_id(id, "event")?;
            for reply in &event.reply {
                self.check_reply(&format!("event `{}`", id.get_ref()), reply)?;
            }
        }
        Ok(())
    }

    fn check_intent(&self, id: &Spanned<String>, intent: &IntentDef) -> Result<(), Error> {
        let rule = format!("intent `{}`", id.get_ref());
        if id.get_ref() == "none" {
            return Err(self.invalid(
                "`none` is not an intent id: it labels a message with no intent ([none] holds its examples)",
                id.span(),
                rule,
            ));
        }
        if let Some(t) = &intent.threshold {
            if !(t.get_ref().is_finite() && *t.get_ref() > 0.0 && *t.get_ref() <= 1000.0) {
                return Err(self.invalid(
                    "threshold must be a number above 0 and at most 1000",
                    t.span(),
                    rule,
                ));
            }
        }
        for b in &intent.boost {
            self.check_weight(&b.weight, &rule)?;
        }
        for near in &intent.near {
            let groups = near.get_ref().groups.get_ref();
            if groups.len() < 2 || groups.len() > MAX_NEAR_GROUPS {
                return Err(self.invalid(
                    format!("a near rule needs 2 to {MAX_NEAR_GROUPS} groups"),
                    near.get_ref().groups.span(),
                    rule,
                ));
            }
            for g in groups {
                self.non_empty(g, "empty keyword group", &rule)?;
            }
            if let Some(w) = &near.get_ref().within {
                if *w.get_ref() > MAX_NEAR_WITHIN {
                    return Err(self.invalid(
                        format!("`within` must be at most {MAX_NEAR_WITHIN} units"),
                        w.span(),
                        rule,
                    ));
                }
            }
        }
        for reply in &intent.reply {
            self.check_reply(&rule, reply)?;
        }
        Ok(())
    }

    fn check_reply(&self, owner: &str, reply: &super::ReplyDef) -> Result<(), Error> {
        let rule = format!("{owner} reply `{}`", reply.id.get_ref());
        if reply.id.get_ref().contains('.') {
            return Err(self.invalid(
                format!("invalid reply id `{}`: write only its last part (the full id is made from the language and intent, as `zh.damage.sorry` from `sorry`)", reply.id.get_ref()),
                reply.id.span(),
                owner,
            ));
        }
        self.check_id(&reply.id, "reply")?;
        if let Some(w) = &reply.weight {
            self.check_weight(w, &rule)?;
        }
        if reply.text.get_ref().trim().is_empty() {
            return Err(self.invalid("empty reply text", reply.text.span(), rule));
        }
        Ok(())
    }

    fn non_empty(&self, words: &Words, message: &str, rule: &str) -> Result<(), Error> {
        if words.get_ref().is_empty() {
            return Err(self.invalid(message, words.span(), rule));
        }
        Ok(())
    }

    fn check_id(&self, id: &Spanned<String>, what: &str) -> Result<(), Error> {
        let s = id.get_ref();
        if s.is_empty()
            || s.len() > 128
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '.')
        {
            return Err(self.invalid(
                format!("invalid {what} id `{s}`: 1-128 characters, no spaces or dots"),
                id.span(),
                what,
            ));
        }
        Ok(())
    }

    fn check_weight(&self, w: &Spanned<f64>, rule: &str) -> Result<(), Error> {
        if !w.get_ref().is_finite() || w.get_ref().abs() > 1000.0 {
            return Err(self.invalid(
                "weight must be a finite number between -1000 and 1000",
                w.span(),
                rule,
            ));
        }
        Ok(())
    }

    fn invalid(
        &self,
        message: impl Into<String>,
        span: std::ops::Range<usize>,
        rule: impl Into<String>,
    ) -> Error {
        self.error(Problem::Invalid(message.into()), span, rule)
    }
}
