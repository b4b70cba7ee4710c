//! The `SidecarService` implementation: each RPC converts its request, asks the core, converts the
//! result. Reads never fail (the core answers fallbacks, marked `is_fallback`); the typed reads first
//! try the core's synchronous cache path (`*_cached`) and only await a fetch on a miss. Writes return
//! gRPC errors mapped from [`StiggError`](stigg_core::StiggError) by [`convert::status`].
//! Callers are not asked for credentials: the sidecar authenticates to Stigg with its own key.

use std::sync::Arc;

use stigg_core::client::{
    GetBooleanEntitlement, GetEntitlement, GetEntitlementV2, GetEnumEntitlement,
    GetMeteredEntitlement, GetNumericEntitlement,
};
use stigg_core::Stigg;
use tonic::{Request, Response, Status};

use crate::convert;
use crate::metrics::{Metrics, Rpc};
use crate::pb;
use crate::pb::sidecar_service_server::SidecarService;

/// The gRPC service over one core client.
#[derive(Clone)]
pub struct Sidecar {
    stigg: Stigg,
    metrics: Arc<Metrics>,
}

impl Sidecar {
    /// A service answering from `stigg`, recording into `metrics`.
    pub fn new(stigg: Stigg, metrics: Arc<Metrics>) -> Self {
        Sidecar { stigg, metrics }
    }

    fn write_result<T>(&self, rpc: Rpc, r: stigg_core::Result<T>) -> Result<T, Status> {
        r.map_err(|e| {
            self.metrics.rpc_error(rpc);
            tracing::warn!(rpc = rpc.name(), code = e.code(), error = %e, "write failed");
            convert::status(&e)
        })
    }
}

type RpcResult<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl SidecarService for Sidecar {
    async fn get_entitlements(
        &self,
        request: Request<pb::GetEntitlementsRequest>,
    ) -> RpcResult<pb::GetEntitlementsResponse> {
        let _t = self.metrics.timer(Rpc::GetEntitlements);
        let r = request.into_inner();
        let state = self
            .stigg
            .get_entitlements_state_v2(&r.customer_id, r.resource_id.as_deref())
            .await;
        Ok(Response::new(convert::entitlements_response(&state)))
    }

    async fn get_entitlement(
        &self,
        request: Request<pb::GetEntitlementRequest>,
    ) -> RpcResult<pb::GetEntitlementResponse> {
        let _t = self.metrics.timer(Rpc::GetEntitlement);
        let mut r = request.into_inner();
        let options = convert::entitlement_options(r.options.take());
        let p = GetEntitlement {
            customer_id: &r.customer_id,
            feature_id: &r.feature_id,
            resource_id: r.resource_id.as_deref(),
            options,
        };
        let e = self.stigg.get_entitlement(&p).await;
        Ok(Response::new(convert::generic_response(&e)))
    }

    async fn get_boolean_entitlement(
        &self,
        request: Request<pb::GetBooleanEntitlementRequest>,
    ) -> RpcResult<pb::GetBooleanEntitlementResponse> {
        let _t = self.metrics.timer(Rpc::GetBooleanEntitlement);
        let r = request.into_inner();
        let fallback = r
            .options
            .as_ref()
            .and_then(|o| o.fallback.as_ref())
            .map(convert::boolean_fallback);
        let p = GetBooleanEntitlement {
            customer_id: &r.customer_id,
            feature_id: &r.feature_id,
            resource_id: r.resource_id.as_deref(),
            fallback: fallback.as_ref(),
        };
        let e = match self.stigg.get_boolean_entitlement_cached(&p) {
            Some(e) => e,
            None => self.stigg.get_boolean_entitlement(&p).await,
        };
        Ok(Response::new(convert::boolean_response(&e)))
    }

    async fn get_numeric_entitlement(
        &self,
        request: Request<pb::GetNumericEntitlementRequest>,
    ) -> RpcResult<pb::GetNumericEntitlementResponse> {
        let _t = self.metrics.timer(Rpc::GetNumericEntitlement);
        let r = request.into_inner();
        let fallback = r
            .options
            .as_ref()
            .and_then(|o| o.fallback.as_ref())
            .map(convert::numeric_fallback);
        let p = GetNumericEntitlement {
            customer_id: &r.customer_id,
            feature_id: &r.feature_id,
            resource_id: r.resource_id.as_deref(),
            fallback: fallback.as_ref(),
        };
        let e = match self.stigg.get_numeric_entitlement_cached(&p) {
            Some(e) => e,
            None => self.stigg.get_numeric_entitlement(&p).await,
        };
        Ok(Response::new(convert::numeric_response(&e)))
    }

    async fn get_metered_entitlement(
        &self,
        request: Request<pb::GetMeteredEntitlementRequest>,
    ) -> RpcResult<pb::GetMeteredEntitlementResponse> {
        let _t = self.metrics.timer(Rpc::GetMeteredEntitlement);
        let r = request.into_inner();
        let options = r.options.as_ref();
        let fallback = options
            .and_then(|o| o.fallback.as_ref())
            .map(convert::metered_fallback);
        let p = GetMeteredEntitlement {
            customer_id: &r.customer_id,
            feature_id: &r.feature_id,
            resource_id: r.resource_id.as_deref(),
            requested_usage: options.and_then(|o| o.requested_usage),
            fallback: fallback.as_ref(),
        };
        let e = match self.stigg.get_metered_entitlement_cached(&p) {
            Some(e) => e,
            None => self.stigg.get_metered_entitlement(&p).await,
        };
        Ok(Response::new(convert::metered_response(&e)))
    }

    async fn get_enum_entitlement(
        &self,
        request: Request<pb::GetEnumEntitlementRequest>,
    ) -> RpcResult<pb::GetEnumEntitlementResponse> {
        let _t = self.metrics.timer(Rpc::GetEnumEntitlement);
        let r = request.into_inner();
        let (requested_values, fallback) = match r.options {
            Some(o) => (
                Some(o.requested_values).filter(|v| !v.is_empty()),
                o.fallback.as_ref().map(convert::enum_fallback),
            ),
            None => (None, None),
        };
        let p = GetEnumEntitlement {
            customer_id: &r.customer_id,
            feature_id: &r.feature_id,
            resource_id: r.resource_id.as_deref(),
            requested_values,
            fallback: fallback.as_ref(),
        };
        let e = match self.stigg.get_enum_entitlement_cached(&p) {
            Some(e) => e,
            None => self.stigg.get_enum_entitlement(&p).await,
        };
        Ok(Response::new(convert::enum_response(e)))
    }

    async fn report_usage(
        &self,
        request: Request<pb::ReportUsageRequest>,
    ) -> RpcResult<pb::ReportUsageResponse> {
        let _t = self.metrics.timer(Rpc::ReportUsage);
        let usage = convert::report_usage(request.into_inner()).inspect_err(|_| {
            self.metrics.rpc_error(Rpc::ReportUsage);
        })?;
        let ack = self.write_result(Rpc::ReportUsage, self.stigg.report_usage(usage).await)?;
        Ok(Response::new(convert::report_usage_response(ack)))
    }

    async fn report_events(&self, request: Request<pb::ReportEventsRequest>) -> RpcResult<()> {
        let _t = self.metrics.timer(Rpc::ReportEvents);
        let events = request
            .into_inner()
            .events
            .into_iter()
            .map(convert::report_event)
            .collect::<Result<Vec<_>, _>>()
            .inspect_err(|_| self.metrics.rpc_error(Rpc::ReportEvents))?;
        self.write_result(Rpc::ReportEvents, self.stigg.report_event(events).await)?;
        Ok(Response::new(()))
    }

    async fn reload_entitlements(
        &self,
        request: Request<pb::ReloadEntitlementsRequest>,
    ) -> RpcResult<pb::ReloadEntitlementsResponse> {
        let _t = self.metrics.timer(Rpc::ReloadEntitlements);
        let r = request.into_inner();
        let result = self
            .stigg
            .reload_entitlements(&r.customer_id, r.resource_id.as_deref())
            .await;
        Ok(Response::new(pb::ReloadEntitlementsResponse {
            entitled_entity_exists: result.entitled_entity_exists,
        }))
    }

    async fn report_usage_bulk(
        &self,
        request: Request<pb::ReportUsageBulkRequest>,
    ) -> RpcResult<pb::ReportUsageBulkResponse> {
        let _t = self.metrics.timer(Rpc::ReportUsageBulk);
        let usages = request
            .into_inner()
            .usages
            .into_iter()
            .map(convert::report_usage)
            .collect::<Result<Vec<_>, _>>()
            .inspect_err(|_| self.metrics.rpc_error(Rpc::ReportUsageBulk))?;
        let acks = self.write_result(
            Rpc::ReportUsageBulk,
            self.stigg.report_usage_bulk(usages).await,
        )?;
        Ok(Response::new(pb::ReportUsageBulkResponse {
            usages: acks
                .into_iter()
                .map(convert::report_usage_response)
                .collect(),
        }))
    }

    async fn get_entitlement_v2(
        &self,
        request: Request<pb::GetEntitlementV2Request>,
    ) -> RpcResult<pb::GetEntitlementV2Response> {
        let _t = self.metrics.timer(Rpc::GetEntitlementV2);
        let mut r = request.into_inner();
        let options = convert::entitlement_options(r.options.take());
        let p = GetEntitlementV2 {
            customer_id: &r.customer_id,
            resource_id: r.resource_id.as_deref(),
            feature_id: r.feature_id.as_deref(),
            currency_id: r.currency_id.as_deref(),
            options,
        };
        let e = match self.stigg.get_entitlement_v2_cached(&p) {
            Some(e) => e,
            None => self.stigg.get_entitlement_v2(&p).await,
        };
        Ok(Response::new(pb::GetEntitlementV2Response {
            entitlement: Some(convert::entitlement_v2(&e)),
        }))
    }

    async fn get_entitlements_state_v2(
        &self,
        request: Request<pb::GetEntitlementsStateV2Request>,
    ) -> RpcResult<pb::GetEntitlementsStateV2Response> {
        let _t = self.metrics.timer(Rpc::GetEntitlementsStateV2);
        let r = request.into_inner();
        let state = self
            .stigg
            .get_entitlements_state_v2(&r.customer_id, r.resource_id.as_deref())
            .await;
        Ok(Response::new(convert::state_v2_response(&state)))
    }
}
