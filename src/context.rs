//! What the shop knows about the buyer and the order, and the conditions rules put on it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the shop knows around a message: the buyer, the order, the names to sign replies with.
///
/// Everything is optional; `Context::default()` is a first-time buyer with no order. Context
/// changes scores (a repeat customer's "这次的肉少了" is `repeat_dissatisfaction`), promotes hints
/// (shipped 5+ days and not delivered) and fills reply placeholders.
///
/// ```
/// use replykit::{Context, OrderStatus};
/// let mut ctx = Context::default();
/// ctx.repeat_customer = true;
/// ctx.order_status = Some(OrderStatus::Shipped);
/// ctx.days_since_shipped = Some(6);
/// ctx.shop = Some("鲜果铺".into());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Context {
    /// The buyer has bought from the shop before.
    pub repeat_customer: bool,
    /// The buyer is a VIP member of the shop.
    pub vip: bool,
    /// Where the order the message is about stands, if known.
    pub order_status: Option<OrderStatus>,
    /// Days since the order was shipped, if it was.
    pub days_since_shipped: Option<u32>,
    /// The order's amount in the shop's currency, if known.
    pub order_amount: Option<f64>,
    /// Read the message in this language (a pack's `language`, e.g. `"ko"`) instead of
    /// detecting it. A language no loaded pack speaks is ignored and detection is used.
    pub language: Option<String>,
    /// The shop's name for `{shop}`; the pack's default when `None`.
    pub shop: Option<String>,
    /// The agent's nickname for `{agent}`; the pack's default when `None`.
    pub agent: Option<String>,
    /// The buyer's name or nickname for `{buyer}`; the pack's default when `None`.
    pub buyer: Option<String>,
    /// The courier for `{courier}`; the pack's default when `None`.
    pub courier: Option<String>,
    /// The currency symbol amounts are written with (`{order_amount}`), e.g. `"€"`; the
    /// language's own (its pack's `[money]`) when `None`.
    pub currency: Option<String>,
    /// Values for any other placeholder a shop's templates use, by name; they win over the
    /// packs' `[defaults]`.
    pub vars: BTreeMap<String, String>,
}

impl Context {
    /// A first-time buyer with no order: the same as `Context::default()`.
    pub fn new() -> Context {
        Context::default()
    }

    /// Where the order stands: the status given, else "shipped" when days since shipping are
    /// given (an order shipped some days ago is on its way, as far as the context tells).
    pub fn effective_status(&self) -> Option<OrderStatus> {
        self.order_status
            .or(self.days_since_shipped.map(|_| OrderStatus::Shipped))
    }

    /// The value of a placeholder from the context, if it gives one.
    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        let named = match name {
            "shop" => self.shop.as_deref(),
            "agent" => self.agent.as_deref(),
            "buyer" => self.buyer.as_deref(),
            "courier" => self.courier.as_deref(),
            _ => None,
        };
        named.or_else(|| self.vars.get(name).map(String::as_str))
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// Placed, not paid yet.
    Unpaid,
    /// Paid, not shipped yet.
    Paid,
    /// Handed to the courier, not delivered yet.
    Shipped,
    /// Delivered to the buyer.
    Delivered,
}

impl std::str::FromStr for OrderStatus {
    type Err = String;

    /// Parses `unpaid`, `paid`, `shipped` or `delivered`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "unpaid" => Ok(OrderStatus::Unpaid),
            "paid" => Ok(OrderStatus::Paid),
            "shipped" => Ok(OrderStatus::Shipped),
            "delivered" => Ok(OrderStatus::Delivered),
            other => Err(format!(
                "unknown order status `{other}` (expected unpaid, paid, shipped or delivered)"
            )),
        }
    }
}

/// A rule's `when = { ... }`: all given fields must hold.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Condition {
    pub(crate) repeat_customer: Option<bool>,
    pub(crate) vip: Option<bool>,
    pub(crate) order_status: Option<Vec<OrderStatus>>,
    pub(crate) min_days_since_shipped: Option<u32>,
    pub(crate) max_days_since_shipped: Option<u32>,
    pub(crate) min_order_amount: Option<f64>,
    pub(crate) max_order_amount: Option<f64>,
}

impl Condition {
    /// Whether the condition holds for `ctx`. A bound on a value the context does not give
    /// does not hold: "shipped 5+ days ago" is not known to be true of an unknown order.
    pub(crate) fn holds(&self, ctx: &Context) -> bool {
        fn within<T: PartialOrd + Copy>(value: Option<T>, min: Option<T>, max: Option<T>) -> bool {
            match (min, max) {
                (None, None) => true,
                _ => {
                    value.is_some_and(|v| min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m))
                }
            }
        }
        self.repeat_customer
            .is_none_or(|b| b == ctx.repeat_customer)
            && self.vip.is_none_or(|b| b == ctx.vip)
            && self
                .order_status
                .as_ref()
                .is_none_or(|any| ctx.effective_status().is_some_and(|s| any.contains(&s)))
            && within(
                ctx.days_since_shipped,
                self.min_days_since_shipped,
                self.max_days_since_shipped,
            )
            && within(
                ctx.order_amount,
                self.min_order_amount,
                self.max_order_amount,
            )
    }

    /// Placeholders whose value this condition guarantees the context gives.
    pub(crate) fn guarantees(&self, placeholder: &str) -> bool {
        match placeholder {
            "days_since_shipped" => {
                self.min_days_since_shipped.is_some() || self.max_days_since_shipped.is_some()
            }
            "order_amount" => self.min_order_amount.is_some() || self.max_order_amount.is_some(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions() {
        let shipped_long = Condition {
            order_status: Some(vec![OrderStatus::Shipped]),
            min_days_since_shipped: Some(5),
            ..Condition::default()
        };
        let mut ctx = Context::default();
        assert!(!shipped_long.holds(&ctx));
        ctx.days_since_shipped = Some(6);
        assert!(
            shipped_long.holds(&ctx),
            "days since shipping imply shipped"
        );
        ctx.days_since_shipped = None;
        ctx.order_status = Some(OrderStatus::Shipped);
        assert!(!shipped_long.holds(&ctx), "days unknown");
        ctx.days_since_shipped = Some(4);
        assert!(!shipped_long.holds(&ctx));
        ctx.days_since_shipped = Some(5);
        assert!(shipped_long.holds(&ctx));
        ctx.order_status = Some(OrderStatus::Delivered);
        assert!(!shipped_long.holds(&ctx));
        assert!(Condition::default().holds(&ctx));
    }

    #[test]
    fn order_status_parses() {
        assert_eq!("shipped".parse(), Ok(OrderStatus::Shipped));
        assert!("sent".parse::<OrderStatus>().is_err());
    }
}
