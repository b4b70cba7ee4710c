//! The Rust quick start, against the embedded Stigg emulator (no Stigg account needed):
//! provision a customer → check entitlements → report usage → see the streamed update → stop the
//! emulator and get fallbacks.
//!
//! Against the real Stigg, drop the emulator and build the config with your server key (or set
//! `STIGG_API_KEY`); nothing else changes.

use std::time::Duration;

use stigg_core::client::{
    GetBooleanEntitlement, GetEnumEntitlement, GetMeteredEntitlement, StiggEvent,
};
use stigg_core::model::management::{ProvisionCustomer, ProvisionCustomerSubscription};
use stigg_core::model::usage::ReportUsage;
use stigg_core::model::EntitlementFallback;
use stigg_core::{Stigg, StiggConfig};
use tokio::sync::mpsc;

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // 1. A local Stigg: GraphQL, Edge and WebSocket on ephemeral loopback ports, example catalog.
    let emulator = stigg_emulator::Emulator::builder()
        .port(0)
        .edge_port(0)
        .start()
        .await?;
    println!("emulator: {}", emulator.base_url());

    let stigg = Stigg::new(
        StiggConfig::builder()
            .api_key(stigg_emulator::DEFAULT_API_KEY)
            .base_uri(emulator.base_url())
            .base_edge_uri(emulator.edge_url())
            .ws_url(emulator.ws_url())
            .entitlement_fallback(
                "feature-api-calls",
                EntitlementFallback {
                    has_access: true,
                    usage_limit: Some(100.0),
                    ..Default::default()
                },
            )
            .entitlements_timeout(Duration::from_secs(2))
            .build()?,
    )?;
    let (tx, mut events) = mpsc::unbounded_channel();
    stigg.add_listener(move |event| {
        if let StiggEvent::StreamConnected { .. } | StiggEvent::UsageUpdated { .. } = event {
            let _ = tx.send(event.clone());
        }
    });
    stigg.wait_for_initialization().await?;
    next_event(&mut events, "the stream connects").await?;

    // 2. Provision a customer on the Pro plan; the returned entitlements go straight into the cache.
    let provisioned = stigg
        .provision_customer(ProvisionCustomer {
            customer_id: Some("customer-quickstart".into()),
            name: Some("Quick Start Inc.".into()),
            subscription_params: Some(Some(ProvisionCustomerSubscription {
                plan_id: "plan-revvenu-pro".into(),
                ..Default::default()
            })),
            ..Default::default()
        })
        .await?;
    println!(
        "provisioned {} ({:?})",
        provisioned.customer.id, provisioned.subscription_decision_strategy
    );

    // 3. Check entitlements: answered in-process from the cache.
    let customer_id = "customer-quickstart";
    let domain = stigg
        .get_boolean_entitlement(&GetBooleanEntitlement {
            customer_id,
            feature_id: "feature-custom-domain",
            ..Default::default()
        })
        .await;
    println!("custom domain: hasAccess={}", domain.has_access);
    let region = stigg
        .get_enum_entitlement(&GetEnumEntitlement {
            customer_id,
            feature_id: "feature-data-region",
            requested_values: Some(vec!["eu".into()]),
            ..Default::default()
        })
        .await;
    println!(
        "data region eu: hasAccess={} allowed={:?}",
        region.has_access, region.enum_values
    );
    let calls = |requested| GetMeteredEntitlement {
        customer_id,
        feature_id: "feature-api-calls",
        requested_usage: Some(requested),
        ..Default::default()
    };
    let before = stigg.get_metered_entitlement(&calls(1.0)).await;
    println!(
        "api calls: hasAccess={} usage={}/{}",
        before.has_access,
        before.current_usage,
        before.usage_limit.unwrap_or(f64::INFINITY)
    );

    // 4. Report usage: the cache takes the server's new total at once, and the stream confirms it.
    let ack = stigg
        .report_usage(ReportUsage {
            customer_id: customer_id.into(),
            feature_id: "feature-api-calls".into(),
            value: 250.0,
            ..Default::default()
        })
        .await?;
    println!(
        "reported 250 calls: server says currentUsage={:?}",
        ack.current_usage
    );
    if let StiggEvent::UsageUpdated {
        entitlement_id,
        current_usage,
        ..
    } = next_event(&mut events, "the usage update arrives on the stream").await?
    {
        println!("streamed usageUpdated: {entitlement_id} = {current_usage}");
    }
    let after = stigg.get_metered_entitlement(&calls(1.0)).await;
    println!(
        "api calls now: usage={} (isFallback={})",
        after.current_usage, after.is_fallback
    );

    // 5. Stigg goes away: reads never fail. A customer the client never saw gets the configured
    //    fallback, marked isFallback.
    emulator.shutdown().await;
    let unknown = stigg
        .get_metered_entitlement(&GetMeteredEntitlement {
            customer_id: "customer-never-seen",
            feature_id: "feature-api-calls",
            requested_usage: Some(1.0),
            ..Default::default()
        })
        .await;
    println!(
        "emulator stopped: hasAccess={} isFallback={} usageLimit={:?}",
        unknown.has_access, unknown.is_fallback, unknown.usage_limit
    );
    stigg.close().await;
    Ok(())
}

async fn next_event(
    events: &mut mpsc::UnboundedReceiver<StiggEvent>,
    what: &str,
) -> Result<StiggEvent, Error> {
    match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
        Ok(Some(e)) => Ok(e),
        _ => Err(format!("timed out waiting until {what}").into()),
    }
}
