//! Reply templates: parsed once at load into literal and placeholder segments, so rendering is
//! a few `push_str`s with no parsing on the hot path. Two things depend on the value rendered:
//! amounts, written in the language's money format (`¥1,280`, `1,280원`, `$1,280.00`), and
//! Korean particles after a placeholder (`{shop}은(는)` gives "행복상회는" and "민지네는"...
//! whichever the name's last syllable takes).

use crate::context::Context;
use std::collections::HashMap;
use std::fmt::Write;

/// A template parsed into segments.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    segments: Vec<Segment>,
    /// A guess at the rendered length, to allocate once.
    len_hint: usize,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(Box<str>),
    /// Placeholders filled from the context's numbers.
    DaysSinceShipped,
    OrderAmount,
    /// Filled from the context's names/vars, else the pack's default (set once, when the
    /// engine is built: see [`Template::resolve`]); then a particle that agrees with it.
    Named {
        name: Box<str>,
        default: Option<Box<str>>,
        particle: Option<Particle>,
    },
}

/// A Korean particle whose form depends on whether the word before it ends in a consonant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Particle {
    /// 은/는 (topic)
    Topic,
    /// 이/가 (subject)
    Subject,
    /// 을/를 (object)
    Object,
    /// 과/와 (and, with)
    With,
    /// 으로/로 (to, by): 로 also after a final ㄹ.
    Toward,
}

/// How a particle is written in a template, both forms: `{shop}은(는)`, `{shop}는(은)`.
const PARTICLES: [(&str, Particle); 9] = [
    ("은(는)", Particle::Topic),
    ("는(은)", Particle::Topic),
    ("이(가)", Particle::Subject),
    ("가(이)", Particle::Subject),
    ("을(를)", Particle::Object),
    ("를(을)", Particle::Object),
    ("과(와)", Particle::With),
    ("와(과)", Particle::With),
    ("(으)로", Particle::Toward),
];

impl Particle {
    /// The particle written for one case only, as a template author may slip: `{shop}은`.
    /// The forms that lint flags after a placeholder.
    pub(crate) const SINGLE_FORMS: [&'static str; 9] =
        ["은", "는", "이", "가", "을", "를", "과", "와", "로"];

    /// The form after `word`: by its last character's final consonant. For a word whose last
    /// character says nothing (a Latin letter, a symbol) both forms are written, as Korean
    /// software does: "ABC은(는)".
    fn form(self, word: &str) -> &'static str {
        let (consonant, rieul) = match final_consonant(word) {
            Some(c) => c,
            None => {
                return match self {
                    Particle::Topic => "은(는)",
                    Particle::Subject => "이(가)",
                    Particle::Object => "을(를)",
                    Particle::With => "과(와)",
                    Particle::Toward => "(으)로",
                };
            }
        };
        match (self, consonant) {
            (Particle::Topic, true) => "은",
            (Particle::Topic, false) => "는",
            (Particle::Subject, true) => "이",
            (Particle::Subject, false) => "가",
            (Particle::Object, true) => "을",
            (Particle::Object, false) => "를",
            (Particle::With, true) => "과",
            (Particle::With, false) => "와",
            (Particle::Toward, true) if !rieul => "으로",
            (Particle::Toward, _) => "로",
        }
    }
}

/// Whether `word` ends in a final consonant (and whether that is ㄹ), read off its last Hangul
/// syllable or digit (as Korean reads it: 일, 이, 삼...); `None` when it cannot be told.
fn final_consonant(word: &str) -> Option<(bool, bool)> {
    let last = word.trim_end().chars().next_back()?;
    match last {
        '가'..='힣' => {
            let jong = (last as u32 - 0xAC00) % 28;
            Some((jong != 0, jong == 8))
        }
        // 영 일 이 삼 사 오 육 칠 팔 구
        '0' | '3' | '6' => Some((true, false)),
        '1' | '7' | '8' => Some((true, true)),
        '2' | '4' | '5' | '9' => Some((false, false)),
        _ => None,
    }
}

/// How amounts are written in a language: symbol, where it goes, decimals, thousands mark.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Money {
    pub(crate) symbol: String,
    pub(crate) symbol_after: bool,
    pub(crate) decimals: u8,
    /// `¥1,280` rather than `¥1,280.00` for a whole amount.
    pub(crate) whole_without_decimals: bool,
    pub(crate) thousands: String,
}

impl Money {
    /// The usual format for a language tag: `¥1,280` (zh), `1,280원` (ko), `$1,280.00` (en),
    /// else the number alone, as `1,280.5`.
    pub(crate) fn for_language(tag: &str) -> Money {
        let (symbol, symbol_after, decimals, whole) = match tag.split('-').next() {
            Some("zh") => ("¥", false, 2, true),
            Some("ko") => ("원", true, 0, true),
            Some("ja") => ("円", true, 0, true),
            Some("en") => ("$", false, 2, false),
            _ => ("", false, 2, true),
        };
        Money {
            symbol: symbol.into(),
            symbol_after,
            decimals,
            whole_without_decimals: whole,
            thousands: ",".into(),
        }
    }

    /// `amount` written out, with `symbol` (the context's currency) instead of the format's own.
    pub(crate) fn format(&self, amount: f64, symbol: Option<&str>, out: &mut String) {
        let symbol = symbol.unwrap_or(&self.symbol);
        let negative = amount < 0.0;
        let amount = amount.abs();
        let scale = 10f64.powi(i32::from(self.decimals));
        let cents = (amount * scale).round();
        // Past 2^53 the digits are not the amount's anyway: write it plainly.
        if !cents.is_finite() || cents >= 9.0e15 {
            let _ = write!(out, "{}{amount}", if negative { "-" } else { "" });
            return;
        }
        let cents = cents as u64;
        let scale = scale as u64;
        let (whole, fraction) = (cents / scale, cents % scale);
        if negative {
            out.push('-');
        }
        if !self.symbol_after {
            out.push_str(symbol);
        }
        let digits = whole.to_string();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(&self.thousands);
            }
            out.push(d);
        }
        if self.decimals > 0 && !(self.whole_without_decimals && fraction == 0) {
            let _ = write!(out, ".{fraction:0width$}", width = self.decimals as usize);
        }
        if self.symbol_after {
            out.push_str(symbol);
        }
    }
}

/// Why a template does not parse: a message and the byte offset in the template text.
#[derive(Debug, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) message: String,
    pub(crate) offset: usize,
}

impl Template {
    /// Parses `{name}` placeholders (each optionally followed by a two-form Korean particle);
    /// `{{` and `}}` are literal braces.
    pub(crate) fn parse(text: &str) -> Result<Template, ParseError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        while let Some(c) = text[i..].chars().next() {
            let rest = &text[i..];
            if rest.starts_with("{{") || rest.starts_with("}}") {
                literal.push(c);
                i += 2;
                continue;
            }
            match c {
                '{' => {
                    let close = rest.find('}').ok_or_else(|| ParseError {
                        message: "unclosed `{` (write `{{` for a literal brace)".into(),
                        offset: i,
                    })?;
                    let name = &rest[1..close];
                    if !crate::rules::is_placeholder_name(name) {
                        return Err(ParseError {
                            message: format!(
                                "invalid placeholder `{{{name}}}` (write `{{{{` for a literal brace)"
                            ),
                            offset: i,
                        });
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal).into()));
                    }
                    i += close + 1;
                    segments.push(match name {
                        "days_since_shipped" => Segment::DaysSinceShipped,
                        "order_amount" => Segment::OrderAmount,
                        _ => {
                            let particle = PARTICLES
                                .iter()
                                .find(|(written, _)| text[i..].starts_with(written))
                                .map(|&(written, p)| {
                                    i += written.len();
                                    p
                                });
                            Segment::Named {
                                name: name.into(),
                                default: None,
                                particle,
                            }
                        }
                    });
                }
                '}' => {
                    return Err(ParseError {
                        message: "unmatched `}` (write `}}` for a literal brace)".into(),
                        offset: i,
                    });
                }
                c => {
                    literal.push(c);
                    i += c.len_utf8();
                }
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal.into()));
        }
        Ok(Template {
            segments,
            len_hint: text.len() + 16,
        })
    }

    /// The placeholders the template uses, in order.
    pub(crate) fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Literal(_) => None,
            Segment::DaysSinceShipped => Some("days_since_shipped"),
            Segment::OrderAmount => Some("order_amount"),
            Segment::Named { name, .. } => Some(&**name),
        })
    }

    /// Sets each named placeholder's default from the pack's `defaults`: done once, when the
    /// engine is built, so that rendering looks up no map of them.
    pub(crate) fn resolve(&mut self, defaults: &HashMap<String, String>) {
        for segment in &mut self.segments {
            if let Segment::Named { name, default, .. } = segment {
                *default = defaults.get(&**name).map(|v| v.as_str().into());
            }
        }
    }

    /// Renders with values from `ctx`, else the defaults set by [`resolve`](Self::resolve);
    /// amounts in `money`'s format. Load-time validation guarantees every placeholder has one
    /// of the two; should one still be missing, it renders as nothing rather than as a raw
    /// `{placeholder}` in front of a buyer.
    pub(crate) fn render(&self, ctx: &Context, money: &Money) -> String {
        let mut out = String::with_capacity(self.len_hint);
        for segment in &self.segments {
            match segment {
                Segment::Literal(s) => out.push_str(s),
                Segment::DaysSinceShipped => {
                    if let Some(d) = ctx.days_since_shipped {
                        let _ = write!(out, "{d}");
                    }
                }
                Segment::OrderAmount => {
                    if let Some(a) = ctx.order_amount {
                        money.format(a, ctx.currency.as_deref(), &mut out);
                    }
                }
                Segment::Named {
                    name,
                    default,
                    particle,
                } => {
                    let value = ctx.var(name).or(default.as_deref()).unwrap_or("");
                    out.push_str(value);
                    if let Some(p) = particle {
                        out.push_str(p.form(value));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, ctx: &Context, defaults: &[(&str, &str)]) -> String {
        let mut t = Template::parse(text).unwrap();
        let defaults = defaults
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        t.resolve(&defaults);
        t.render(ctx, &Money::for_language("zh"))
    }

    #[test]
    fn renders_context_then_defaults() {
        let ctx = Context {
            agent: Some("阿青".into()),
            days_since_shipped: Some(6),
            ..Context::default()
        };
        let text = "{buyer}好,我是{agent} {{ok}} 已发货{days_since_shipped}天";
        assert_eq!(
            render(text, &ctx, &[("buyer", "亲"), ("agent", "小美")]),
            "亲好,我是阿青 {ok} 已发货6天"
        );
        let t = Template::parse(text).unwrap();
        assert_eq!(
            t.placeholders().collect::<Vec<_>>(),
            ["buyer", "agent", "days_since_shipped"]
        );
    }

    #[test]
    fn rejects_bad_braces() {
        assert_eq!(Template::parse("hi {name").unwrap_err().offset, 3);
        assert_eq!(Template::parse("hi }").unwrap_err().offset, 3);
        assert!(Template::parse("hi {Bad Name}").is_err());
        assert!(Template::parse("hi {}").is_err());
    }

    #[test]
    fn context_names_and_vars_come_before_defaults() {
        let ctx = Context {
            shop: Some("鲜果铺".into()),
            vars: [("courier".to_string(), "顺丰".to_string())].into(),
            ..Context::default()
        };
        assert_eq!(
            render(
                "{buyer}, {shop} {x} {courier}",
                &ctx,
                &[("buyer", "亲"), ("shop", "本店"), ("x", "X")]
            ),
            "亲, 鲜果铺 X 顺丰"
        );
    }

    #[test]
    fn korean_particles_agree_with_the_value() {
        let text = "{shop}은(는) {item}이(가) {buyer}을(를) {x}와(과) {place}(으)로";
        let mut ctx = Context::default();
        for (shop, topic) in [
            ("행복상회", "행복상회는"),
            ("민지네", "민지네는"),
            ("과일가게집", "과일가게집은"),
            ("ABC", "ABC은(는)"),
            ("3", "3은"),
        ] {
            ctx.shop = Some(shop.into());
            let out = render(
                text,
                &ctx,
                &[
                    ("item", "사과"),
                    ("buyer", "고객님"),
                    ("x", "배"),
                    ("place", "서울"),
                ],
            );
            assert!(out.starts_with(&format!("{topic} ")), "{out}");
            assert!(out.ends_with("사과가 고객님을 배와 서울로"), "{out}");
        }
        ctx.shop = Some("집".into());
        assert_eq!(render("{shop}(으)로", &ctx, &[]), "집으로");
    }

    #[test]
    fn amounts_are_written_in_the_language_format() {
        let cases = [
            ("zh", 1280.0, "¥1,280"),
            ("zh", 19.9, "¥19.90"),
            ("ko", 1280.0, "1,280원"),
            ("ko", 1280.4, "1,280원"),
            ("en", 1280.0, "$1,280.00"),
            ("en", 1234567.891, "$1,234,567.89"),
            ("en", 0.5, "$0.50"),
        ];
        for (tag, amount, want) in cases {
            let mut out = String::new();
            Money::for_language(tag).format(amount, None, &mut out);
            assert_eq!(out, want);
        }
        let mut out = String::new();
        Money::for_language("en").format(5.0, Some("€"), &mut out);
        assert_eq!(out, "€5.00");
        out.clear();
        Money::for_language("en").format(1e300, None, &mut out);
        assert!(!out.is_empty());
    }
}
