//! `Id`: the name of an intent, signal, hint, template or language, as results carry it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The id of an intent, signal, hint, reply template or language, e.g. `"damage"`.
///
/// Cheap to clone (it shares its text with the engine that made it), compares with `&str`,
/// and serializes as a plain string.
///
/// ```
/// use replykit::{Context, default_engine};
/// let c = default_engine().classify("箱子压坏了", &Context::default());
/// let top = c.top().unwrap();
/// assert!(top.id == "damage");
/// assert_eq!(&*top.id, "damage");
/// assert_eq!(serde_json::to_string(&top.id).unwrap(), "\"damage\"");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(Arc<str>);

impl Id {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Id {
        Id(Arc::from(s))
    }
}

impl From<String> for Id {
    fn from(s: String) -> Id {
        Id(Arc::from(s))
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Id {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Id> for str {
    fn eq(&self, other: &Id) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Id> for &str {
    fn eq(&self, other: &Id) -> bool {
        *self == &*other.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        String::deserialize(d).map(Id::from)
    }
}

#[cfg(test)]
mod tests {
    use super::Id;
    use std::collections::HashMap;

    #[test]
    fn compares_borrows_and_round_trips() {
        let id = Id::from("damage");
        assert!(id == "damage");
        assert!("damage" == id);
        assert!(id == *"damage");
        assert!(id != "praise");
        let map: HashMap<Id, u8> = [(id.clone(), 1)].into();
        assert_eq!(map.get("damage"), Some(&1));
        assert_eq!(id.len(), 6);
        assert_eq!(format!("{id} {id:?}"), "damage \"damage\"");
    }
}
