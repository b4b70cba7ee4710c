//! Redis key, lock and channel names, byte for byte as Stigg's (spec §5.2).
//!
//! With `P` the environment prefix and `K` a [`CacheKey`] in its `c_{cid}[:r_{rid}]` form:
//!
//! | name | form |
//! |---|---|
//! | customer key | `P:K` |
//! | metadata | `P:K:metadata` |
//! | feature usage | `P:K:f_{featureId}` |
//! | credit usage | `P:K:credit_{currencyId}` |
//! | timestamp sibling of any key | `{key}#timestamp` |
//! | write lock | `P-{cid}[:{rid}]` (a `-` before the customer id, for backward compatibility) |
//! | single-flight lock | `P:refetchEntityEntitlementsAfterCacheMiss-{cid}[:{rid}]` |
//! | single-flight channel | `P:refetchEntityEntitlementsAfterCacheMiss:{cid}[:{rid}]` |

use crate::cache::CacheKey;
use crate::model::EntitlementKey;

/// The suffix of a timestamp sibling, after `#`.
pub const TIMESTAMP_SUFFIX: &str = "timestamp";
/// The suffix of the metadata key, after `:`.
pub const METADATA_SUFFIX: &str = "metadata";
/// The operation name of the single-flight refetch (lock and channel).
pub const REFETCH_OPERATION: &str = "refetchEntityEntitlementsAfterCacheMiss";
/// Prefix of a feature usage key's last part.
pub const FEATURE_PREFIX: &str = "f_";
/// Prefix of a credit usage key's last part.
pub const CREDIT_PREFIX: &str = "credit_";

/// Builds every name under one environment prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisKeys {
    prefix: String,
}

impl RedisKeys {
    /// Names under `environment_prefix`.
    pub fn new(environment_prefix: &str) -> Self {
        RedisKeys {
            prefix: environment_prefix.to_owned(),
        }
    }

    /// The environment prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `P:c_{cid}[:r_{rid}]`: the entitlement map of a customer or resource.
    pub fn customer(&self, key: &CacheKey) -> String {
        format!("{}:{}", self.prefix, key)
    }

    /// `{customerKey}:metadata`: `{"accessDeniedReason": ...}`.
    pub fn metadata(customer_key: &str) -> String {
        format!("{customer_key}:{METADATA_SUFFIX}")
    }

    /// `{customerKey}:f_{featureId}` or `{customerKey}:credit_{currencyId}`: one usage record.
    pub fn usage(customer_key: &str, entitlement: &EntitlementKey) -> String {
        match entitlement {
            EntitlementKey::Feature(id) => format!("{customer_key}:{FEATURE_PREFIX}{id}"),
            EntitlementKey::Credit(id) => format!("{customer_key}:{CREDIT_PREFIX}{id}"),
        }
    }

    /// `{key}#timestamp`: when the value of `key` was produced (epoch ms, decimal).
    pub fn timestamp(key: &str) -> String {
        format!("{key}#{TIMESTAMP_SUFFIX}")
    }

    /// `P-{cid}[:{rid}]`: the lock around a customer's write.
    pub fn write_lock(&self, key: &CacheKey) -> String {
        self.lock(None, key)
    }

    /// `P:refetchEntityEntitlementsAfterCacheMiss-{cid}[:{rid}]`: the single-flight lock.
    pub fn refetch_lock(&self, key: &CacheKey) -> String {
        self.lock(Some(REFETCH_OPERATION), key)
    }

    /// `P:refetchEntityEntitlementsAfterCacheMiss:{cid}[:{rid}]`: the single-flight channel (the
    /// non-empty parts joined by `:`).
    pub fn refetch_channel(&self, key: &CacheKey) -> String {
        let parts = [
            Some(self.prefix.as_str()),
            Some(REFETCH_OPERATION),
            Some(key.customer_id()),
            key.resource_id(),
        ];
        parts
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(":")
    }

    fn lock(&self, operation: Option<&str>, key: &CacheKey) -> String {
        let mut out = self.prefix.clone();
        if let Some(op) = operation {
            out.push(':');
            out.push_str(op);
        }
        out.push('-');
        out.push_str(key.customer_id());
        if let Some(r) = key.resource_id().filter(|r| !r.is_empty()) {
            out.push(':');
            out.push_str(r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_stigg() {
        let k = RedisKeys::new("prod");
        let c = CacheKey::customer("acme");
        let r = CacheKey::resource("acme", "site-1");
        assert_eq!(k.customer(&c), "prod:c_acme");
        assert_eq!(k.customer(&r), "prod:c_acme:r_site-1");
        assert_eq!(RedisKeys::metadata("prod:c_acme"), "prod:c_acme:metadata");
        assert_eq!(
            RedisKeys::usage("prod:c_acme", &EntitlementKey::Feature("calls".into())),
            "prod:c_acme:f_calls"
        );
        assert_eq!(
            RedisKeys::usage(
                "prod:c_acme:r_site-1",
                &EntitlementKey::Credit("tokens".into())
            ),
            "prod:c_acme:r_site-1:credit_tokens"
        );
        assert_eq!(RedisKeys::timestamp("prod:c_acme"), "prod:c_acme#timestamp");
        assert_eq!(k.write_lock(&c), "prod-acme");
        assert_eq!(k.write_lock(&r), "prod-acme:site-1");
        assert_eq!(
            k.refetch_lock(&r),
            "prod:refetchEntityEntitlementsAfterCacheMiss-acme:site-1"
        );
        assert_eq!(
            k.refetch_channel(&c),
            "prod:refetchEntityEntitlementsAfterCacheMiss:acme"
        );
        assert_eq!(
            k.refetch_channel(&r),
            "prod:refetchEntityEntitlementsAfterCacheMiss:acme:site-1"
        );
    }
}
