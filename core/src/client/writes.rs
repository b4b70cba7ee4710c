//! Usage, event and credit writes (spec §2.4). After a successful write the cache takes the
//! **server-computed** usage (never adds locally), and only for customers it already holds (spec §4.3).

use serde::Deserialize;
use serde_json::json;

use super::{validate, Stigg};
use crate::api::documents;
use crate::cache::CacheKey;
use crate::error::Result;
use crate::ids::new_id;
use crate::model::usage::{
    ConsumeCredits, ConsumeCreditsResult, CreditCostEstimation, CreditUsage, EstimateEventCost,
    EstimateUsageCost, ReportEvent, ReportUsage, ReportUsageAck, UsageMeasurement,
};
use crate::model::{EntitlementKey, UsageData};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportUsageData {
    report_usage: UsageMeasurement,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportUsageBulkData {
    report_usage_bulk: Vec<UsageMeasurement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsumeCreditsData {
    consume_credits: ConsumeCreditsResult,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EstimateUsageCostData {
    estimate_usage_cost: CreditCostEstimation,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EstimateEventCostData {
    estimate_event_cost: CreditCostEstimation,
}

impl Stigg {
    /// `reportUsage`. Offline: a local acknowledgement without usage fields.
    pub async fn report_usage(&self, usage: ReportUsage) -> Result<ReportUsageAck> {
        self.ensure_open()?;
        validate::report_usage(&usage)?;
        if self.inner.config.offline {
            return Ok(offline_ack(usage));
        }
        let data: ReportUsageData = self
            .api()?
            .graphql(
                documents::REPORT_USAGE,
                json!({ "input": usage }),
                self.inner.config.timeout,
            )
            .await?;
        self.apply_measurement(&data.report_usage).await;
        Ok(data.report_usage.into())
    }

    /// `reportUsageBulk` (at most 100 usages).
    pub async fn report_usage_bulk(&self, usages: Vec<ReportUsage>) -> Result<Vec<ReportUsageAck>> {
        self.ensure_open()?;
        validate::report_usage_bulk(&usages)?;
        if self.inner.config.offline {
            return Ok(usages.into_iter().map(offline_ack).collect());
        }
        let data: ReportUsageBulkData = self
            .api()?
            .graphql(
                documents::REPORT_USAGE_BULK,
                json!({ "input": { "usages": usages } }),
                self.inner.config.timeout,
            )
            .await?;
        for m in &data.report_usage_bulk {
            self.apply_measurement(m).await;
        }
        Ok(data.report_usage_bulk.into_iter().map(Into::into).collect())
    }

    /// `reportEvent` (at most 1,000 events). Usage derived from events arrives later, by the stream.
    pub async fn report_event(&self, events: Vec<ReportEvent>) -> Result<()> {
        self.ensure_open()?;
        validate::report_events(&events)?;
        if self.inner.config.offline {
            return Ok(());
        }
        let _: serde_json::Value = self
            .api()?
            .graphql(
                documents::REPORT_EVENT,
                json!({ "input": { "usageEvents": events } }),
                self.inner.config.timeout,
            )
            .await?;
        Ok(())
    }

    /// `consumeCredits`. Offline: `{customerId, currencyId, resourceId, amount, timestamp: now}`.
    pub async fn consume_credits(&self, c: ConsumeCredits) -> Result<ConsumeCreditsResult> {
        self.ensure_open()?;
        validate::consume_credits(&c)?;
        if self.inner.config.offline {
            return Ok(ConsumeCreditsResult {
                customer_id: c.customer_id,
                currency_id: c.currency_id,
                resource_id: c.resource_id,
                amount: c.amount,
                timestamp: Some(self.now()),
                credit: None,
            });
        }
        let data: ConsumeCreditsData = self
            .api()?
            .graphql(
                documents::CONSUME_CREDITS,
                json!({ "input": c }),
                self.inner.config.timeout,
            )
            .await?;
        let r = &data.consume_credits;
        if let Some(credit) = &r.credit {
            self.apply_credit(&r.customer_id, r.resource_id.as_deref(), credit)
                .await;
        }
        Ok(data.consume_credits)
    }

    /// `consumeCreditsAsync` (at most 1,000 consumptions).
    pub async fn consume_credits_async(&self, items: Vec<ConsumeCredits>) -> Result<()> {
        self.ensure_open()?;
        validate::consume_credits_async(&items)?;
        if self.inner.config.offline {
            return Ok(());
        }
        let _: serde_json::Value = self
            .api()?
            .graphql(
                documents::CONSUME_CREDITS_ASYNC,
                json!({ "input": { "consumptions": items } }),
                self.inner.config.timeout,
            )
            .await?;
        Ok(())
    }

    /// `estimateUsageCost`. Offline: `{estimates: [], warnings: []}`.
    pub async fn estimate_usage_cost(
        &self,
        input: EstimateUsageCost,
    ) -> Result<CreditCostEstimation> {
        self.ensure_open()?;
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("featureId", &input.feature_id)?;
        validate::finite("value", input.value)?;
        if self.inner.config.offline {
            return Ok(CreditCostEstimation::default());
        }
        let data: EstimateUsageCostData = self
            .api()?
            .graphql(
                documents::ESTIMATE_USAGE_COST,
                json!({ "input": input }),
                self.inner.config.timeout,
            )
            .await?;
        Ok(data.estimate_usage_cost)
    }

    /// `estimateEventCost`. Offline: `{estimates: [], warnings: []}`.
    pub async fn estimate_event_cost(
        &self,
        input: EstimateEventCost,
    ) -> Result<CreditCostEstimation> {
        self.ensure_open()?;
        validate::non_empty("customerId", &input.customer_id)?;
        validate::non_empty("eventName", &input.event_name)?;
        if self.inner.config.offline {
            return Ok(CreditCostEstimation::default());
        }
        let data: EstimateEventCostData = self
            .api()?
            .graphql(
                documents::ESTIMATE_EVENT_COST,
                json!({ "input": input }),
                self.inner.config.timeout,
            )
            .await?;
        Ok(data.estimate_event_cost)
    }

    /// Stores a measurement's server-computed usage (and credit) when the customer is cached, in
    /// memory and in the shared store (Redis mode).
    async fn apply_measurement(&self, m: &UsageMeasurement) {
        let now = self.now();
        if let Some(current_usage) = m.current_usage {
            let key = CacheKey::new(&m.customer_id, m.resource_id.as_deref());
            let usage = UsageData {
                current_usage,
                usage_period_start: m.usage_period_start,
                usage_period_end: m.usage_period_end.or(m.next_reset_date),
                updated_at: Some(m.timestamp.unwrap_or(now)),
            };
            let entitlement = EntitlementKey::Feature(m.feature_id.as_str().into());
            self.inner.cache.patch_usage(&key, &entitlement, usage);
            self.patch_store(&key, &entitlement, usage).await;
        }
        if let Some(credit) = &m.credit {
            self.apply_credit(&m.customer_id, m.resource_id.as_deref(), credit)
                .await;
        }
    }

    /// Redis mode: the same usage into the shared store (only if it holds the customer); a failed
    /// write is logged, never returned (the report itself succeeded).
    async fn patch_store(&self, key: &CacheKey, entitlement: &EntitlementKey, usage: UsageData) {
        if let Some(store) = &self.inner.store {
            if let Err(e) = store.patch(key, entitlement, usage).await {
                self.store_failed(key, &e, "Redis usage write skipped");
            }
        }
    }

    async fn apply_credit(
        &self,
        customer_id: &str,
        resource_id: Option<&str>,
        credit: &CreditUsage,
    ) {
        let Some(current_usage) = credit.current_usage else {
            return;
        };
        let key = CacheKey::new(customer_id, resource_id);
        let usage = UsageData {
            current_usage,
            usage_period_start: None,
            usage_period_end: credit.usage_period_end,
            updated_at: Some(credit.timestamp.unwrap_or_else(|| self.now())),
        };
        let entitlement = EntitlementKey::Credit(credit.currency_id.as_str().into());
        self.inner.cache.patch_usage(&key, &entitlement, usage);
        self.patch_store(&key, &entitlement, usage).await;
    }
}

fn offline_ack(u: ReportUsage) -> ReportUsageAck {
    ReportUsageAck {
        measurement_id: new_id(),
        feature_id: u.feature_id,
        customer_id: u.customer_id,
        resource_id: u.resource_id,
        ..Default::default()
    }
}
