//! Cache keys: one per customer, one per customer + resource.
//!
//! The owned [`CacheKey`] is what the cache stores; the borrowed [`CacheKeyRef`] is what the hot path
//! builds from `(&str, Option<&str>)` to look an entry up without allocating. Both hash identically
//! (customer id, then a presence tag, then the resource id), so either finds the same entry.

use std::fmt;
use std::hash::{Hash, Hasher};

use papaya::Equivalent;

/// The key of one cached state: a customer, or a customer's resource.
///
/// Its [`Display`](fmt::Display) form is Stigg's key (spec §5.1): `c_{customerId}` or
/// `c_{customerId}:r_{resourceId}` (the Redis store prefixes it with the environment prefix).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CacheKey {
    customer_id: Box<str>,
    resource_id: Option<Box<str>>,
}

impl CacheKey {
    /// The key of a customer's own (resource-less) state.
    pub fn customer(customer_id: &str) -> Self {
        CacheKey {
            customer_id: customer_id.into(),
            resource_id: None,
        }
    }

    /// The key of a customer's state for one resource.
    pub fn resource(customer_id: &str, resource_id: &str) -> Self {
        CacheKey {
            customer_id: customer_id.into(),
            resource_id: Some(resource_id.into()),
        }
    }

    /// The key for `customer_id` and an optional `resource_id`.
    pub fn new(customer_id: &str, resource_id: Option<&str>) -> Self {
        CacheKey {
            customer_id: customer_id.into(),
            resource_id: resource_id.map(Into::into),
        }
    }

    /// The customer id.
    #[inline]
    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    /// The resource id, if this is a resource key.
    #[inline]
    pub fn resource_id(&self) -> Option<&str> {
        self.resource_id.as_deref()
    }

    /// The key of the customer this key belongs to (itself when it has no resource).
    pub fn customer_key(&self) -> CacheKey {
        CacheKey {
            customer_id: self.customer_id.clone(),
            resource_id: None,
        }
    }

    /// The borrowed form of this key.
    #[inline]
    pub fn as_ref(&self) -> CacheKeyRef<'_> {
        CacheKeyRef {
            customer_id: &self.customer_id,
            resource_id: self.resource_id.as_deref(),
        }
    }
}

impl Hash for CacheKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state);
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_ref().fmt(f)
    }
}

impl From<CacheKeyRef<'_>> for CacheKey {
    fn from(k: CacheKeyRef<'_>) -> Self {
        CacheKey::new(k.customer_id, k.resource_id)
    }
}

/// A borrowed cache key, built on the hot path without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheKeyRef<'a> {
    /// The customer id.
    pub customer_id: &'a str,
    /// The resource id, if any.
    pub resource_id: Option<&'a str>,
}

impl<'a> CacheKeyRef<'a> {
    /// A borrowed key for `customer_id` and an optional `resource_id`.
    #[inline]
    pub fn new(customer_id: &'a str, resource_id: Option<&'a str>) -> Self {
        CacheKeyRef {
            customer_id,
            resource_id,
        }
    }
}

impl Hash for CacheKeyRef<'_> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.customer_id.as_bytes());
        match self.resource_id {
            None => state.write_u8(0),
            Some(r) => {
                state.write_u8(1);
                state.write(r.as_bytes());
            }
        }
    }
}

impl Equivalent<CacheKey> for CacheKeyRef<'_> {
    #[inline]
    fn equivalent(&self, key: &CacheKey) -> bool {
        *self.customer_id == *key.customer_id && self.resource_id == key.resource_id.as_deref()
    }
}

impl fmt::Display for CacheKeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.resource_id {
            None => write!(f, "c_{}", self.customer_id),
            Some(r) => write!(f, "c_{}:r_{}", self.customer_id, r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn display_is_stiggs_key() {
        assert_eq!(CacheKey::customer("acme").to_string(), "c_acme");
        assert_eq!(
            CacheKey::resource("acme", "site-1").to_string(),
            "c_acme:r_site-1"
        );
        assert_eq!(CacheKeyRef::new("a", Some("b")).to_string(), "c_a:r_b");
    }

    #[test]
    fn borrowed_and_owned_hash_alike() {
        let s = rustc_hash::FxBuildHasher;
        for (c, r) in [("a", None), ("a", Some("b")), ("", Some("")), ("ab", None)] {
            let owned = CacheKey::new(c, r);
            let borrowed = CacheKeyRef::new(c, r);
            assert_eq!(s.hash_one(&owned), s.hash_one(borrowed));
            assert!(borrowed.equivalent(&owned));
        }
        // The presence tag keeps ("ab", None) and ("a", Some("b")) apart.
        assert!(!CacheKeyRef::new("a", Some("b")).equivalent(&CacheKey::customer("ab")));
        assert!(!CacheKeyRef::new("a", Some("")).equivalent(&CacheKey::customer("a")));
    }
}
