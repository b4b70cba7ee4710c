//! Catalog reads: paywall, products, coupons.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::management_documents as docs;
use crate::client::{validate, Stigg};
use crate::error::Result;
use crate::model::management::{Coupon, GetPaywall, WireConnection, WireCoupon};

#[derive(Deserialize)]
struct PaywallData {
    paywall: Value,
}

#[derive(Deserialize)]
struct CouponsData {
    coupons: WireConnection<WireCoupon>,
}

#[derive(Deserialize)]
struct ProductsData {
    products: WireConnection<Value>,
}

impl Stigg {
    /// `getPaywall`: the JSON of `Paywall` (`plans`, `currency`, `configuration`, `customer`,
    /// `activeSubscriptions`, `resource`, `paywallCalculatedPricePoints`).
    ///
    /// Without `customerId` (and with Edge enabled) it is read from Edge, as Node does:
    /// `/v1/paywall.json` or `/v1/p/{productId}/paywall.json`, with `fetchAllCountriesPrices`
    /// always sent (`false` when unset, where Node sends the literal `undefined`),
    /// `billingCountryCode` and `includeHiddenPlans=true` when given; Edge decides that shape.
    /// Otherwise GraphQL `GetPaywall`, with only the fields that are set (and true).
    pub async fn get_paywall(&self, input: GetPaywall) -> Result<Value> {
        const PREFIX: &str = "Failed to get paywall";
        for (field, v) in [
            ("productId", &input.product_id),
            ("customerId", &input.customer_id),
            ("resourceId", &input.resource_id),
        ] {
            if let Some(v) = v {
                validate::non_empty(field, v)?;
            }
        }
        let data: PaywallData = if input.customer_id.is_none() && self.inner.config.enable_edge {
            let all = if input.fetch_all_countries_prices == Some(true) {
                "true"
            } else {
                "false"
            };
            let mut query = vec![("fetchAllCountriesPrices", all)];
            if let Some(c) = input
                .billing_country_code
                .as_deref()
                .filter(|c| !c.is_empty())
            {
                query.push(("billingCountryCode", c));
            }
            if input.include_hidden_plans == Some(true) {
                query.push(("includeHiddenPlans", "true"));
            }
            match &input.product_id {
                Some(p) => {
                    self.manage_edge(&["v1", "p", p, "paywall.json"], &query, PREFIX)
                        .await?
                }
                None => {
                    self.manage_edge(&["v1", "paywall.json"], &query, PREFIX)
                        .await?
                }
            }
        } else {
            let mut wire = Map::new();
            let strings = [
                ("productId", &input.product_id),
                ("customerId", &input.customer_id),
                ("resourceId", &input.resource_id),
                ("billingCountryCode", &input.billing_country_code),
            ];
            for (k, v) in strings {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    wire.insert(k.into(), json!(v));
                }
            }
            for (k, v) in [
                ("fetchAllCountriesPrices", input.fetch_all_countries_prices),
                ("includeHiddenPlans", input.include_hidden_plans),
            ] {
                if v == Some(true) {
                    wire.insert(k.into(), json!(true));
                }
            }
            self.manage(docs::GET_PAYWALL, json!({ "input": wire }), PREFIX)
                .await?
        };
        Ok(data.paywall)
    }

    /// `getCoupons`: like Node, only the first 25 `ACTIVE` coupons.
    pub async fn get_coupons(&self) -> Result<Vec<Coupon>> {
        let data: CouponsData = self
            .manage(docs::GET_COUPONS, json!({}), "Failed to get coupons")
            .await?;
        Ok(data.coupons.into_paged(Coupon::from).data)
    }

    /// `getProducts`: like Node, only the first 20 products; each the JSON of `Product`
    /// (`refId`, `displayName`, `description`, `additionalMetaData`, `awsMarketplaceProductId`,
    /// `productSettings{downgradePlan{refId displayName}}`).
    pub async fn get_products(&self) -> Result<Vec<Value>> {
        let data: ProductsData = self
            .manage(docs::GET_PRODUCTS, json!({}), "Failed to get products")
            .await?;
        Ok(data.products.into_paged(|p| p).data)
    }
}
