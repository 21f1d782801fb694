//! Reply templates: parsed once at load into literal and placeholder segments, so rendering is
//! a few `push_str`s with no parsing on the hot path.

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
    /// Placeholder filled from the context's numbers.
    DaysSinceShipped,
    OrderAmount,
    /// Placeholder filled from the context's names/vars, else the pack's default (looked up
    /// once, when the engine is built: see [`Template::resolve`]).
    Named {
        name: Box<str>,
        default: Option<Box<str>>,
    },
}

/// Why a template does not parse: a message and the byte offset in the template text.
#[derive(Debug, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) message: String,
    pub(crate) offset: usize,
}

impl Template {
    /// Parses `{name}` placeholders; `{{` and `}}` are literal braces.
    pub(crate) fn parse(text: &str) -> Result<Template, ParseError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((i, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|p| p.1) == Some('{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().map(|p| p.1) == Some('}') => {
                    rest.next();
                    literal.push('}');
                }
                '{' => {
                    let close = text[i..].find('}').ok_or_else(|| ParseError {
                        message: "unclosed `{` (write `{{` for a literal brace)".into(),
                        offset: i,
                    })?;
                    let name = &text[i + 1..i + close];
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
                    segments.push(match name {
                        "days_since_shipped" => Segment::DaysSinceShipped,
                        "order_amount" => Segment::OrderAmount,
                        _ => Segment::Named {
                            name: name.into(),
                            default: None,
                        },
                    });
                    while rest.peek().is_some_and(|&(j, _)| j <= i + close) {
                        rest.next();
                    }
                }
                '}' => {
                    return Err(ParseError {
                        message: "unmatched `}` (write `}}` for a literal brace)".into(),
                        offset: i,
                    });
                }
                c => literal.push(c),
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

    /// Renders with values from `ctx`, else the defaults set by [`resolve`](Self::resolve).
    /// Load-time validation guarantees every placeholder has one of the two; should one still
    /// be missing, it renders as nothing rather than as a raw `{placeholder}` in front of a buyer.
    pub(crate) fn render(&self, ctx: &Context) -> String {
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
                        if a.fract() == 0.0 && a.abs() < 1e15 {
                            let _ = write!(out, "{}", a as i64);
                        } else {
                            let _ = write!(out, "{a:.2}");
                        }
                    }
                }
                Segment::Named { name, default } => {
                    if let Some(v) = ctx.var(name).or(default.as_deref()) {
                        out.push_str(v);
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

    #[test]
    fn renders_context_then_defaults() {
        let mut t =
            Template::parse("{buyer}好,我是{agent} {{ok}} 已发货{days_since_shipped}天").unwrap();
        let defaults = HashMap::from([
            ("buyer".to_string(), "亲".to_string()),
            ("agent".to_string(), "小美".to_string()),
        ]);
        let ctx = Context {
            agent: Some("阿青".into()),
            days_since_shipped: Some(6),
            ..Context::default()
        };
        t.resolve(&defaults);
        assert_eq!(t.render(&ctx), "亲好,我是阿青 {ok} 已发货6天");
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
        let mut t = Template::parse("{buyer}, {shop} {x} {courier}").unwrap();
        let defaults = HashMap::from([
            ("buyer".to_string(), "亲".to_string()),
            ("shop".to_string(), "本店".to_string()),
            ("x".to_string(), "X".to_string()),
        ]);
        let ctx = Context {
            shop: Some("鲜果铺".into()),
            vars: [("courier".to_string(), "顺丰".to_string())].into(),
            ..Context::default()
        };
        t.resolve(&defaults);
        assert_eq!(t.render(&ctx), "亲, 鲜果铺 X 顺丰");
    }

    #[test]
    fn amounts_render_plainly() {
        let t = Template::parse("{order_amount}").unwrap();
        let mut ctx = Context {
            order_amount: Some(1200.0),
            ..Context::default()
        };
        assert_eq!(t.render(&ctx), "1200");
        ctx.order_amount = Some(19.9);
        assert_eq!(t.render(&ctx), "19.90");
    }
}
