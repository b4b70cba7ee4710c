//! Promotional entitlements. No cache effect: Stigg pushes `entitlementsUpdated` on the stream.

use serde::Deserialize;
use serde_json::{json, Value};

use super::to_wire;
use crate::api::management_documents as docs;
use crate::client::{validate, Stigg};
use crate::error::Result;
use crate::model::management::{GrantPromotionalEntitlements, RevokePromotionalEntitlements};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantData {
    grant_promotional_entitlements: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeData {
    revoke_promotional_entitlement: Value,
}

impl Stigg {
    /// `grantPromotionalEntitlements`: the granted entitlements, each the JSON of
    /// `PromotionalEntitlement` (`id`, `status`, `featureId`, `usageLimit`, `hasUnlimitedUsage`,
    /// `hasSoftLimit`, `resetPeriod`, `endDate`, `isVisible`, `feature{...}`).
    pub async fn grant_promotional_entitlements(
        &self,
        input: GrantPromotionalEntitlements,
    ) -> Result<Vec<Value>> {
        validate::non_empty("customerId", &input.customer_id)?;
        for p in &input.promotional_entitlements {
            validate::non_empty("promotionalEntitlements.featureId", &p.feature_id)?;
        }
        let wire = to_wire(&input, &[])?;
        let data: GrantData = self
            .manage(
                docs::GRANT_PROMOTIONAL_ENTITLEMENTS,
                json!({ "input": wire }),
                "Failed to grant promotional entitlements",
            )
            .await?;
        Ok(data.grant_promotional_entitlements)
    }

    /// `revokePromotionalEntitlements` (mutation `revokePromotionalEntitlement`, one feature):
    /// `{id}` of the revoked entitlement.
    pub async fn revoke_promotional_entitlements(
        &self,
        input: RevokePromotionalEntitlements,
    ) -> Result<Value> {
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("featureId", &input.feature_id)?;
        let wire = to_wire(&input, &[])?;
        let data: RevokeData = self
            .manage(
                docs::REVOKE_PROMOTIONAL_ENTITLEMENT,
                json!({ "input": wire }),
                "Failed to revoke promotional entitlement",
            )
            .await?;
        Ok(data.revoke_promotional_entitlement)
    }
}
