//! Usage history (`getUsageHistoryV2`).

use serde::Deserialize;
use serde_json::{json, Value};

use super::to_wire;
use crate::api::management_documents as docs;
use crate::client::{validate, Stigg};
use crate::error::{Result, StiggError};
use crate::model::management::GetUsageHistoryV2;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageHistoryData {
    usage_history_v2: Value,
}

impl Stigg {
    /// `getUsageHistoryV2`: the JSON of `UsageHistoryV2` (`markers[{type, timestamp}]`,
    /// `series[{tags[{key, value}], points[{timestamp, value, isResetPoint}]}]`).
    pub async fn get_usage_history_v2(&self, input: GetUsageHistoryV2) -> Result<Value> {
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("featureId", &input.feature_id)?;
        if let Some(r) = &input.resource_id {
            validate::non_empty("resourceId", r)?;
        }
        let Some(start) = input.start_date else {
            return Err(StiggError::invalid("startDate", "is required"));
        };
        if input.end_date.is_some_and(|end| end < start) {
            return Err(StiggError::invalid(
                "endDate",
                "must not be before startDate",
            ));
        }
        let wire = to_wire(&input, &[])?;
        let data: UsageHistoryData = self
            .manage(
                docs::GET_USAGE_HISTORY_V2,
                json!({ "input": wire }),
                "Failed to get usage history",
            )
            .await?;
        Ok(data.usage_history_v2)
    }
}
