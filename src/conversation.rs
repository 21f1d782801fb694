//! A conversation: a bounded thread of buyer and seller turns, read as a layer above
//! `classify`. Each new buyer turn is classified once, as a message is; the thread then adds
//! what the turn alone cannot say:
//!
//! - **carry-over**: a short follow-up with no cue of its own ("要多久", "80 then?", "그럼 언제요")
//!   takes the open topic, the intents of the last buyer turn no one has closed, at half their
//!   score, with evidence saying from which turn;
//! - **triggers** that call for the packs' thread hints: the same intent asked again with no
//!   seller turn between (`repeated`), anger rising over buyer turns (`rising_anger`), and a
//!   buyer left waiting longer than the pack's reply target (`waited`); each hint names the
//!   turns that show it;
//! - a **summary**: open and closed topics, the buyer's mood over the last turns, the wait.
//!
//! Only the last [`Conversation::max_turns`] turns are kept (and [`Conversation::max_turn_bytes`]
//! of each), so a turn costs the same however long the thread has run.

use crate::classify::{truncate, with_scratch};
use crate::context::Context;
use crate::engine::Engine;
use crate::id::Id;
use crate::scan::units;
use crate::suggest::{Suggestion, ThreadFacts};
use crate::tables::Language;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The share of its original score a carried-over intent is reported at.
pub(crate) const CARRIED_SHARE: f64 = 0.5;
/// The most units (a Latin word or a CJK character each) a follow-up may have.
const FOLLOWUP_UNITS: u32 = 16;
/// How many turns back a topic may have been raised for a follow-up to carry it on: an older
/// one has most likely been dealt with in turns that said nothing the packs read.
const TOPIC_REACH: usize = 4;

/// Who wrote a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The buyer.
    Buyer,
    /// The shop's agent.
    Seller,
}

impl std::str::FromStr for Role {
    type Err = String;

    /// Parses `buyer` or `seller`.
    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "buyer" => Ok(Role::Buyer),
            "seller" => Ok(Role::Seller),
            other => Err(format!("unknown role `{other}` (expected buyer or seller)")),
        }
    }
}

/// One kept turn: what the thread needs of it.
#[derive(Debug, Clone)]
struct Turn {
    number: usize,
    role: Role,
    time: Option<u64>,
    /// Buyer turns: the intents found (own or carried), by index in the thread's language.
    intents: Vec<u16>,
    anger: u8,
}

/// A chat thread between a buyer and the shop, fed turn by turn.
///
/// ```
/// use replykit::{Context, Conversation, default_engine};
/// let mut thread = Conversation::new(default_engine());
/// let ctx = Context::default();
/// thread.buyer("快递怎么还没到", Some(0), &ctx);
/// thread.seller("亲，我帮您查一下物流哈", Some(5));
/// let s = thread.buyer("要多久", Some(20), &ctx);
/// let top = s.classification.top().unwrap();
/// assert_eq!(top.id, "delivery_anxiety");
/// // "要多久" (how long) has no cue of its own: it was carried over from turn 0.
/// assert_eq!(top.evidence[0].carried_from, Some(0));
/// assert_eq!(thread.summary(None).open[0], "delivery_anxiety");
/// ```
#[derive(Debug, Clone)]
pub struct Conversation {
    engine: Engine,
    turns: VecDeque<Turn>,
    next: usize,
    max_turns: usize,
    max_turn_bytes: usize,
    /// The language of the thread: its last buyer turn's, by index.
    language: Option<usize>,
    /// The open topic: intents, their scores and the turn they came from.
    open: Vec<(u16, f64, usize)>,
    /// Closed topics, in the order they closed, each once.
    closed: Vec<u16>,
}

/// What a thread looks like now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// Turns added so far (all of them, kept or not).
    pub turns: usize,
    /// The open topic: intents the buyer raised that no one has closed.
    pub open: Vec<Id>,
    /// Topics closed (by a closing buyer turn or a seller's closing words), each once.
    pub resolved: Vec<Id>,
    /// The buyer's anger over the last (up to five) buyer turns, oldest first: 0 calm, 1 angry
    /// or complaining, 2 both.
    pub mood: Vec<u8>,
    /// Whether anger rose, fell or held over those turns.
    pub trend: Trend,
    /// How long the buyer has been waiting for an answer, in seconds (to `now`, or to the last
    /// turn): `None` when the last turn is the seller's or times are unknown.
    pub waiting_seconds: Option<u64>,
}

/// Which way the buyer's mood goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Trend {
    /// Less angry than before.
    Calmer,
    /// As before.
    Steady,
    /// Angrier than before.
    Angrier,
}

impl Conversation {
    /// A new, empty thread read with `engine`'s packs (the engine is shared, not copied).
    pub fn new(engine: &Engine) -> Conversation {
        Conversation {
            engine: engine.clone(),
            turns: VecDeque::new(),
            next: 0,
            max_turns: 64,
            max_turn_bytes: 4096,
            language: None,
            open: Vec::new(),
            closed: Vec::new(),
        }
    }

    /// Keeps at most `n` turns (default 64; at least 1): older ones are forgotten.
    pub fn max_turns(mut self, n: usize) -> Conversation {
        self.max_turns = n.max(1);
        self
    }

    /// Reads at most `n` bytes of a turn (default 4096), cut on a character boundary.
    pub fn max_turn_bytes(mut self, n: usize) -> Conversation {
        self.max_turn_bytes = n;
        self
    }

    /// How many turns the thread keeps now.
    pub fn kept(&self) -> usize {
        self.turns.len()
    }

    /// Adds a buyer turn (at `time`, Unix seconds, if known) and answers it, using the thread.
    pub fn buyer(&mut self, text: &str, time: Option<u64>, ctx: &Context) -> Suggestion {
        let (text, _) = truncate(text, self.max_turn_bytes);
        // A handle of its own (an `Arc` clone), so the thread's state can change meanwhile.
        let engine = self.engine.clone();
        let (tables, max_replies) = engine.tables();
        let number = self.next;
        with_scratch(|s| {
            let read = tables.analyze_in(text, ctx, s, self.language);
            let language = s.analysis.language;
            let lang = &tables.languages[language];
            let rules = &lang.conversation;
            // Once the chat is under way (the seller answered, or the buyer raised a topic),
            // "hello??" is a ping, not a greeting; and a ping carries no topic on.
            let under_way =
                self.turns.iter().any(|t| t.role == Role::Seller) || !self.open.is_empty();
            let pinged = under_way && !rules.opening.is_empty() && {
                let before = s.analysis.fired;
                s.analysis.unfire(|i| rules.opening.contains(&i));
                s.analysis.fired < before
            };
            let own = s.analysis.fired > 0;
            let same_language = self.language == Some(language);
            if !own
                && !pinged
                && same_language
                && !self.open.is_empty()
                && is_followup(&s.norm.text, lang)
            {
                // The open topic's main intent: a follow-up asks about one thing.
                let len = s.norm.text.len() as u32;
                if let Some(&(intent, score, from)) =
                    self.open.first().filter(|t| number - t.2 <= TOPIC_REACH)
                {
                    s.analysis.carry(intent, score * CARRIED_SHARE, from, len);
                }
            }
            let a = &s.analysis;
            let intents: Vec<u16> = a.candidates[..a.fired].iter().map(|c| c.intent).collect();
            let anger = u8::from(intents.iter().any(|i| rules.anger_intents.contains(i)))
                + u8::from(a.signals.iter().any(|g| rules.anger_signals.contains(g)));
            let facts = self.facts(lang, number, time, &intents, anger);
            let suggestion = tables.suggestion(read, ctx, s, max_replies, &facts);
            // The thread's state after the turn.
            if !same_language {
                self.open.clear();
            }
            self.language = Some(language);
            let closing = !intents.is_empty() && intents.iter().all(|i| rules.closing.contains(i));
            if closing {
                self.close();
            } else if own {
                let topics: Vec<(u16, f64, usize)> = a.candidates[..a.fired]
                    .iter()
                    .filter(|c| rules.is_topic(c.intent))
                    .map(|c| (c.intent, c.score, number))
                    .collect();
                // A turn that opens no topic (a greeting) leaves the open one as it was.
                if !topics.is_empty() {
                    self.open = topics;
                }
            }
            self.push(Turn {
                number,
                role: Role::Buyer,
                time,
                intents,
                anger,
            });
            suggestion
        })
    }

    /// Adds a seller turn (at `time`, Unix seconds, if known). Words that close a topic in the
    /// thread's language (`[conversation] resolved`) close the open one.
    pub fn seller(&mut self, text: &str, time: Option<u64>) {
        let (text, _) = truncate(text, self.max_turn_bytes);
        let (tables, _) = self.engine.tables();
        if let Some(lang) = self.language.map(|l| &tables.languages[l]) {
            let marks = &lang.conversation.resolved;
            if !marks.is_empty() {
                let folded = with_scratch(|s| {
                    s.norm.fold(text);
                    s.norm.text.clone()
                });
                if marks.iter().any(|m| folded.contains(m.as_str())) {
                    self.close();
                }
            }
        }
        let number = self.next;
        self.push(Turn {
            number,
            role: Role::Seller,
            time,
            intents: Vec::new(),
            anger: 0,
        });
    }

    /// The thread as it stands; `now` (Unix seconds) measures the wait, else the last turn's time.
    pub fn summary(&self, now: Option<u64>) -> Summary {
        let (tables, _) = self.engine.tables();
        let id = |i: u16| match self.language {
            Some(l) => tables.languages[l].intents[i as usize].id.clone(),
            None => Id::from(""),
        };
        let mood: Vec<u8> = {
            let mut m: Vec<u8> = self
                .turns
                .iter()
                .rev()
                .filter(|t| t.role == Role::Buyer)
                .take(5)
                .map(|t| t.anger)
                .collect();
            m.reverse();
            m
        };
        let trend = match (mood.first(), mood.last()) {
            (Some(a), Some(b)) if b > a => Trend::Angrier,
            (Some(a), Some(b)) if b < a => Trend::Calmer,
            _ => Trend::Steady,
        };
        let waiting_seconds = self.unanswered_since().and_then(|t0| {
            let end = now.or_else(|| self.turns.back().and_then(|t| t.time))?;
            Some(end.saturating_sub(t0))
        });
        Summary {
            turns: self.next,
            open: self.open.iter().map(|&(i, ..)| id(i)).collect(),
            resolved: self.closed.iter().map(|&i| id(i)).collect(),
            mood,
            trend,
            waiting_seconds,
        }
    }

    /// The triggers a new buyer turn `number` (with these intents and anger) sets off.
    fn facts(
        &self,
        lang: &Language,
        number: usize,
        time: Option<u64>,
        intents: &[u16],
        anger: u8,
    ) -> ThreadFacts {
        let mut facts = ThreadFacts::default();
        // The buyer turns since the last seller turn, newest first.
        let unanswered: Vec<&Turn> = self
            .turns
            .iter()
            .rev()
            .take_while(|t| t.role == Role::Buyer)
            .collect();
        if let Some(again) = unanswered
            .iter()
            .find(|t| t.intents.iter().any(|i| intents.contains(i)))
        {
            facts.triggers |= 1;
            facts.turns[0] = vec![again.number, number];
        }
        let earlier: Vec<&Turn> = self
            .turns
            .iter()
            .rev()
            .filter(|t| t.role == Role::Buyer)
            .take(2)
            .collect();
        let angry_before: Vec<&&Turn> = earlier.iter().filter(|t| t.anger > 0).collect();
        if anger > 0
            && angry_before
                .first()
                .is_some_and(|t| t.number == earlier[0].number && anger >= t.anger)
        {
            facts.triggers |= 2;
            let mut turns: Vec<usize> = angry_before.iter().map(|t| t.number).collect();
            turns.push(number);
            turns.sort_unstable();
            facts.turns[1] = turns;
        }
        if let (Some(first), Some(now)) = (unanswered.last(), time) {
            if let Some(t0) = first.time {
                if now.saturating_sub(t0) > u64::from(lang.conversation.reply_target_seconds) {
                    facts.triggers |= 4;
                    facts.turns[2] = vec![first.number, number];
                }
            }
        }
        facts
    }

    /// When the oldest buyer turn no seller turn has answered was written.
    fn unanswered_since(&self) -> Option<u64> {
        self.turns
            .iter()
            .rev()
            .take_while(|t| t.role == Role::Buyer)
            .last()
            .and_then(|t| t.time)
    }

    fn close(&mut self) {
        for (intent, ..) in self.open.drain(..) {
            if !self.closed.contains(&intent) {
                self.closed.push(intent);
            }
        }
    }

    fn push(&mut self, turn: Turn) {
        if self.turns.len() == self.max_turns {
            self.turns.pop_front();
        }
        self.turns.push_back(turn);
        self.next += 1;
    }
}

/// Whether a turn with no cue of its own reads as a follow-up: short, with a word in it (not
/// "???"), and a question, a number or one of the language's follow-up marks; not a turn that
/// accepts what was said ("行 那我拍两个") unless it asks something.
fn is_followup(folded: &str, lang: &Language) -> bool {
    let conv = &lang.conversation;
    if !folded.contains('?') && conv.accepted.iter().any(|m| folded.starts_with(m.as_str())) {
        return false;
    }
    folded.chars().any(char::is_alphabetic)
        && units(folded) <= FOLLOWUP_UNITS
        && (folded.contains('?')
            || folded.chars().any(char::is_numeric)
            || lang
                .conversation
                .followups
                .iter()
                .any(|m| folded.contains(m.as_str())))
}
