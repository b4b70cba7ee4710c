//! Credits administration: grant, void, list grants, balance. The credit *entitlement* (with its
//! balance) is read through `get_credit_entitlement`; these are the admin calls.

use serde::Deserialize;
use serde_json::{json, Value};

use super::to_wire;
use crate::api::management_documents as docs;
use crate::client::{validate, Stigg};
use crate::error::{Result, StiggError};
use crate::model::management::{
    GetCreditBalance, GetCreditGrants, GrantCredits, PagedList, VoidCreditGrant, WireConnection,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantData {
    create_credit_grant: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VoidData {
    void_credit_grant: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantsData {
    credit_grants: WireConnection<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BalanceData {
    credit_balance_summary: Value,
}

impl Stigg {
    /// `grantCredits` (mutation `createCreditGrant`): the JSON of the new `CreditGrant` (`grantId`,
    /// `customerId`, `resourceId`, `currencyId`, `amount`, `consumedAmount`, `displayName`,
    /// `grantType`, `status`, `priority`, `effectiveAt`, `expireAt`, `voidedAt`, `comment`,
    /// `additionalMetaData`, `createdAt`, `updatedAt`, `paymentCollection`, `invoiceId`, `cost`).
    /// The new balance reaches the cache by the stream (`creditBalanceUpdated`/entitlements).
    pub async fn grant_credits(&self, input: GrantCredits) -> Result<Value> {
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("currencyId", &input.currency_id)?;
        validate::non_empty("displayName", &input.display_name)?;
        validate::finite("amount", input.amount)?;
        if input.amount <= 0.0 {
            return Err(StiggError::invalid(
                "amount",
                format!("must be positive, got {}", input.amount),
            ));
        }
        if let Some(r) = &input.resource_id {
            validate::non_empty("resourceId", r)?;
        }
        let wire = to_wire(&input, &[])?;
        let data: GrantData = self
            .manage(
                docs::GRANT_CREDITS,
                json!({ "input": wire }),
                "Failed to grant credits",
            )
            .await?;
        Ok(data.create_credit_grant)
    }

    /// `voidCreditGrant`: the JSON of the voided `CreditGrant` (as [`grant_credits`](Self::grant_credits)).
    pub async fn void_credit_grant(&self, input: VoidCreditGrant) -> Result<Value> {
        validate::non_empty("id", &input.id)?;
        let data: VoidData = self
            .manage(
                docs::VOID_CREDIT_GRANT,
                json!({ "input": { "id": input.id } }),
                "Failed to void credit grant",
            )
            .await?;
        Ok(data.void_credit_grant)
    }

    /// `getCreditGrants`: `{data, pageInfo, totalCount}`, each item the JSON of a `CreditGrant`.
    pub async fn get_credit_grants(&self, input: GetCreditGrants) -> Result<PagedList<Value>> {
        validate::non_empty("customerId", &input.customer_id)?;
        let wire = to_wire(&input, &[])?;
        let data: GrantsData = self
            .manage(
                docs::GET_CREDIT_GRANTS,
                json!({ "input": wire }),
                "Failed to get credit grants",
            )
            .await?;
        Ok(data.credit_grants.into_paged(|g| g))
    }

    /// `getCreditBalance` (deprecated in Node in favour of the credit entitlement): the JSON of
    /// `creditBalanceSummary` (`customerId`, `balances[{customerId, resourceId, currentBalance,
    /// totalConsumed, totalGranted, validUntil, currency{currencyId displayName symbol units}}]`).
    pub async fn get_credit_balance(&self, input: GetCreditBalance) -> Result<Value> {
        validate::non_empty("customerId", &input.customer_id)?;
        let wire = to_wire(&input, &[])?;
        let data: BalanceData = self
            .manage(
                docs::GET_CREDIT_BALANCE,
                json!({ "input": wire }),
                "Failed to get credit balance",
            )
            .await?;
        Ok(data.credit_balance_summary)
    }
}
