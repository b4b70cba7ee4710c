//! The Rust quick start: an offline client with a configured fallback and a fixture state, checked
//! through the same typed getters an online client uses.

use std::collections::HashMap;

use stigg_core::client::{GetBooleanEntitlement, GetMeteredEntitlement};
use stigg_core::model::usage::ReportUsage;
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::EntitlementFallback;
use stigg_core::{Stigg, StiggConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut fallbacks = HashMap::new();
    fallbacks.insert(
        "feature-export".to_owned(),
        EntitlementFallback {
            has_access: true,
            ..Default::default()
        },
    );
    let stigg = Stigg::new(
        StiggConfig::builder()
            .offline(true)
            .entitlements_fallback(fallbacks)
            .build()?,
    )?;
    stigg.wait_for_initialization().await?;

    // Offline with no fixture: the configured fallback decides.
    let export = stigg
        .get_boolean_entitlement(&GetBooleanEntitlement {
            customer_id: "customer-demo",
            feature_id: "feature-export",
            ..Default::default()
        })
        .await;
    println!("export (fallback):   {}", serde_json::to_string(&export)?);

    // A fixture state: the same rules as online decide.
    let state: EntitlementsState = serde_json::from_str(FIXTURE)?;
    stigg.set_entitlements_state("customer-demo", None, &state)?;
    for requested in [5.0, 50.0] {
        let seats = stigg
            .get_metered_entitlement(&GetMeteredEntitlement {
                customer_id: "customer-demo",
                feature_id: "feature-seats",
                requested_usage: Some(requested),
                ..Default::default()
            })
            .await;
        println!(
            "seats +{requested}: hasAccess={} currentUsage={} usageLimit={:?} reason={:?}",
            seats.has_access, seats.current_usage, seats.usage_limit, seats.access_denied_reason
        );
    }

    let ack = stigg
        .report_usage(ReportUsage {
            customer_id: "customer-demo".into(),
            feature_id: "feature-seats".into(),
            value: 1.0,
            ..Default::default()
        })
        .await?;
    println!(
        "reportUsage (offline ack): {}",
        serde_json::to_string(&ack)?
    );
    stigg.close().await;
    Ok(())
}

const FIXTURE: &str = r#"{
  "accessDeniedReason": null,
  "entitlementsV2": [{
    "__typename": "FeatureEntitlement",
    "isGranted": true,
    "usageLimit": 10,
    "hasUnlimitedUsage": false,
    "hasSoftLimit": false,
    "currentUsage": 3,
    "feature": {"refId": "feature-seats", "featureType": "NUMBER", "meterType": "Fluctuating",
                "featureUnits": "seat", "featureUnitsPlural": "seats"}
  }]
}"#;
