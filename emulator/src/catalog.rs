//! The catalog file: products, features, plans, addons, credit currencies, coupons, meters.
//!
//! The format is documented in `emulator/README.md`; `emulator/catalog/example.yaml` is a
//! complete example. YAML and JSON are both accepted (JSON is valid YAML).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Errors raised while loading or validating a catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file could not be read.
    #[error("cannot read catalog {path}: {source}")]
    Io {
        /// Path of the file.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The file is not valid YAML/JSON for the catalog schema.
    #[error("invalid catalog: {0}")]
    Parse(#[from] serde_yaml::Error),
    /// The catalog refers to something it does not define.
    #[error("invalid catalog: {0}")]
    Invalid(String),
}

/// Feature type (`FeatureType` wire values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureType {
    /// On/off feature.
    #[serde(rename = "BOOLEAN")]
    Boolean,
    /// Numeric: configuration value (meter `None`) or metered.
    #[serde(rename = "NUMBER")]
    Number,
    /// Enum feature with a set of allowed values.
    #[serde(rename = "ENUM")]
    Enum,
}

impl FeatureType {
    /// Wire value.
    pub fn wire(self) -> &'static str {
        match self {
            FeatureType::Boolean => "BOOLEAN",
            FeatureType::Number => "NUMBER",
            FeatureType::Enum => "ENUM",
        }
    }
}

/// Meter type (`MeterType` wire values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MeterType {
    /// Not metered (configuration value).
    #[default]
    None,
    /// Usage that goes up and down (seats); never resets unless a reset period is set.
    Fluctuating,
    /// Usage that accumulates and resets every reset period.
    Incremental,
}

impl MeterType {
    /// Wire value.
    pub fn wire(self) -> &'static str {
        match self {
            MeterType::None => "None",
            MeterType::Fluctuating => "Fluctuating",
            MeterType::Incremental => "Incremental",
        }
    }
}

/// A feature.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Feature {
    /// Feature ref id (`feature-...`).
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Feature type.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Meter type (NUMBER features only).
    #[serde(default)]
    pub meter_type: MeterType,
    /// Unit, singular.
    #[serde(default)]
    pub units: Option<String>,
    /// Unit, plural.
    #[serde(default)]
    pub units_plural: Option<String>,
    /// All values an ENUM feature may take.
    #[serde(default)]
    pub enum_values: Vec<String>,
    /// Arbitrary metadata (`additionalMetaData`).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

impl Feature {
    /// True for NUMBER features with an Incremental or Fluctuating meter.
    pub fn is_metered(&self) -> bool {
        self.feature_type == FeatureType::Number && self.meter_type != MeterType::None
    }
}

/// Reset period of a metered entitlement (`EntitlementResetPeriod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ResetPeriod {
    /// Every hour.
    Hour,
    /// Every day.
    Day,
    /// Every week.
    Week,
    /// Every month.
    Month,
    /// Every year.
    Year,
}

impl ResetPeriod {
    /// Wire value.
    pub fn wire(self) -> &'static str {
        match self {
            ResetPeriod::Hour => "HOUR",
            ResetPeriod::Day => "DAY",
            ResetPeriod::Week => "WEEK",
            ResetPeriod::Month => "MONTH",
            ResetPeriod::Year => "YEAR",
        }
    }
}

/// When monthly resets happen (`MonthlyAccordingTo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MonthlyAccordingTo {
    /// Anchor = subscription start.
    #[default]
    SubscriptionStart,
    /// Anchor = first day of the month, 00:00 UTC.
    StartOfTheMonth,
}

/// One entitlement of a plan, addon or promotional grant.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitlementSpec {
    /// Feature id.
    pub feature: String,
    /// Limit (metered) or value (numeric configuration).
    #[serde(default)]
    pub usage_limit: Option<f64>,
    /// No limit.
    #[serde(default)]
    pub unlimited: bool,
    /// Over-limit usage is allowed.
    #[serde(default)]
    pub soft_limit: bool,
    /// Reset period of an incremental meter.
    #[serde(default)]
    pub reset_period: Option<ResetPeriod>,
    /// Monthly reset anchor.
    #[serde(default)]
    pub monthly_according_to: Option<MonthlyAccordingTo>,
    /// Granted values of an ENUM feature.
    #[serde(default)]
    pub enum_values: Option<Vec<String>>,
}

/// A price of a plan or addon.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceSpec {
    /// `MONTHLY` or `ANNUALLY`.
    pub billing_period: String,
    /// Amount per billing period (per unit when `feature` is set).
    pub amount: f64,
    /// ISO currency, default `USD`.
    #[serde(default = "usd")]
    pub currency: String,
    /// Per-unit price for this feature (`priceUnitAmount`/billable feature quantity).
    #[serde(default)]
    pub feature: Option<String>,
}

fn usd() -> String {
    "USD".to_string()
}

/// Default trial of a plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrialSpec {
    /// Trial length.
    pub duration: i64,
    /// `DAY` or `MONTH`.
    #[serde(default = "day")]
    pub units: String,
}

fn day() -> String {
    "DAY".to_string()
}

/// A credit grant attached to a plan: granted when a subscription to the plan starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanCreditSpec {
    /// Currency id.
    pub currency: String,
    /// Amount granted.
    pub amount: f64,
}

/// A plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    /// Plan ref id.
    pub id: String,
    /// Product id.
    pub product: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Plan whose entitlements this plan inherits (and may override).
    #[serde(default)]
    pub base_plan: Option<String>,
    /// `FREE`, `PAID` or `CUSTOM` (default: FREE when no non-zero price, else PAID).
    #[serde(default)]
    pub pricing_type: Option<String>,
    /// Prices.
    #[serde(default)]
    pub prices: Vec<PriceSpec>,
    /// Default trial.
    #[serde(default)]
    pub default_trial: Option<TrialSpec>,
    /// Entitlements.
    #[serde(default)]
    pub entitlements: Vec<EntitlementSpec>,
    /// Addons that may be bought with this plan (default: every addon of the product).
    #[serde(default)]
    pub compatible_addons: Option<Vec<String>>,
    /// Credits granted when a subscription starts.
    #[serde(default)]
    pub credits: Vec<PlanCreditSpec>,
    /// Catalog version of the plan (bumped by a reload; used by migrate-to-latest).
    #[serde(default = "one")]
    pub version: i64,
    /// Hidden from paywalls unless `includeHiddenPlans`.
    #[serde(default)]
    pub hidden: bool,
    /// Arbitrary metadata.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

fn one() -> i64 {
    1
}

/// An addon.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Addon {
    /// Addon ref id.
    pub id: String,
    /// Product id.
    pub product: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Prices (per addon unit).
    #[serde(default)]
    pub prices: Vec<PriceSpec>,
    /// Entitlements per unit: limits are multiplied by the quantity.
    #[serde(default)]
    pub entitlements: Vec<EntitlementSpec>,
    /// Maximum quantity (none = unlimited).
    #[serde(default)]
    pub max_quantity: Option<i64>,
}

/// A product.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    /// Product ref id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Plan customers fall back to when a paid subscription ends.
    #[serde(default)]
    pub downgrade_plan: Option<String>,
    /// Allow several active subscriptions to this product (per resource).
    #[serde(default)]
    pub multiple_subscriptions: bool,
    /// Arbitrary metadata.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

/// A credit currency.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Currency {
    /// Currency id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Unit, singular.
    #[serde(default)]
    pub unit_singular: Option<String>,
    /// Unit, plural.
    #[serde(default)]
    pub unit_plural: Option<String>,
    /// Symbol.
    #[serde(default)]
    pub symbol: Option<String>,
}

/// A coupon.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Coupon {
    /// Coupon ref id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Percentage off.
    #[serde(default)]
    pub percent_off: Option<f64>,
    /// Fixed amount off (in `currency`).
    #[serde(default)]
    pub amount_off: Option<f64>,
    /// Currency of `amountOff`.
    #[serde(default = "usd")]
    pub currency: String,
    /// `ACTIVE` or `ARCHIVED`.
    #[serde(default = "active")]
    pub status: String,
}

fn active() -> String {
    "ACTIVE".to_string()
}

/// How a meter turns matching events into usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Aggregation {
    /// One unit per event.
    #[default]
    Count,
    /// Sum of a numeric dimension.
    Sum,
}

/// An event meter: events named `eventName` (and matching `filter`) add usage to `feature`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Meter {
    /// Event name to match.
    pub event_name: String,
    /// Metered feature receiving the usage.
    pub feature: String,
    /// Dimension equality filter (all must match; values compared as strings).
    #[serde(default)]
    pub filter: HashMap<String, serde_json::Value>,
    /// COUNT or SUM.
    #[serde(default)]
    pub aggregation: Aggregation,
    /// Dimension summed by SUM.
    #[serde(default)]
    pub dimension: Option<String>,
}

/// A credit rate: each unit of usage of `feature` costs `amount` credits of `currency`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditRate {
    /// Feature id.
    pub feature: String,
    /// Currency id.
    pub currency: String,
    /// Credits per unit.
    pub amount: f64,
}

/// The whole catalog.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Catalog {
    /// Account id reported in `packagePublished`.
    #[serde(default = "account")]
    pub account_id: String,
    /// Environment id reported in `packagePublished`.
    #[serde(default = "environment")]
    pub environment_id: String,
    /// Products.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Features.
    #[serde(default)]
    pub features: Vec<Feature>,
    /// Plans.
    #[serde(default)]
    pub plans: Vec<Plan>,
    /// Addons.
    #[serde(default)]
    pub addons: Vec<Addon>,
    /// Credit currencies.
    #[serde(default)]
    pub currencies: Vec<Currency>,
    /// Coupons.
    #[serde(default)]
    pub coupons: Vec<Coupon>,
    /// Event meters.
    #[serde(default)]
    pub meters: Vec<Meter>,
    /// Credit rates.
    #[serde(default)]
    pub credit_rates: Vec<CreditRate>,
}

fn account() -> String {
    "emulator-account".to_string()
}
fn environment() -> String {
    "emulator-environment".to_string()
}

impl Catalog {
    /// Load a catalog from a YAML or JSON file.
    pub fn load(path: &Path) -> Result<Self, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parse and validate a catalog from YAML/JSON text.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let c: Catalog = serde_yaml::from_str(text)?;
        c.validate()?;
        Ok(c)
    }

    /// The example catalog shipped with the emulator.
    pub fn example() -> Result<Self, CatalogError> {
        Self::parse(include_str!("../catalog/example.yaml"))
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let bad = |m: String| Err(CatalogError::Invalid(m));
        for p in &self.plans {
            if self.product(&p.product).is_none() {
                return bad(format!(
                    "plan {} refers to unknown product {}",
                    p.id, p.product
                ));
            }
            if let Some(b) = &p.base_plan {
                if self.plan(b).is_none() {
                    return bad(format!("plan {} refers to unknown base plan {b}", p.id));
                }
            }
            for e in &p.entitlements {
                if self.feature(&e.feature).is_none() {
                    return bad(format!(
                        "plan {} refers to unknown feature {}",
                        p.id, e.feature
                    ));
                }
            }
            for c in &p.credits {
                if self.currency(&c.currency).is_none() {
                    return bad(format!(
                        "plan {} refers to unknown currency {}",
                        p.id, c.currency
                    ));
                }
            }
        }
        for a in &self.addons {
            for e in &a.entitlements {
                if self.feature(&e.feature).is_none() {
                    return bad(format!(
                        "addon {} refers to unknown feature {}",
                        a.id, e.feature
                    ));
                }
            }
        }
        for m in &self.meters {
            if self.feature(&m.feature).is_none() {
                return bad(format!(
                    "meter {} refers to unknown feature {}",
                    m.event_name, m.feature
                ));
            }
        }
        for r in &self.credit_rates {
            if self.feature(&r.feature).is_none() || self.currency(&r.currency).is_none() {
                return bad(format!(
                    "credit rate {}→{} refers to unknown ids",
                    r.feature, r.currency
                ));
            }
        }
        // base-plan cycles
        for p in &self.plans {
            let mut seen = vec![p.id.as_str()];
            let mut cur = p.base_plan.as_deref();
            while let Some(b) = cur {
                if seen.contains(&b) {
                    return bad(format!("base-plan cycle at {}", p.id));
                }
                seen.push(b);
                cur = self.plan(b).and_then(|x| x.base_plan.as_deref());
            }
        }
        Ok(())
    }

    /// Find a feature.
    pub fn feature(&self, id: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.id == id)
    }
    /// Find a plan.
    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|f| f.id == id)
    }
    /// Find an addon.
    pub fn addon(&self, id: &str) -> Option<&Addon> {
        self.addons.iter().find(|f| f.id == id)
    }
    /// Find a product.
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|f| f.id == id)
    }
    /// Find a credit currency.
    pub fn currency(&self, id: &str) -> Option<&Currency> {
        self.currencies.iter().find(|f| f.id == id)
    }
    /// Find a coupon.
    pub fn coupon(&self, id: &str) -> Option<&Coupon> {
        self.coupons.iter().find(|f| f.id == id)
    }
    /// Credit rate of a feature.
    pub fn credit_rate(&self, feature: &str) -> Option<&CreditRate> {
        self.credit_rates.iter().find(|r| r.feature == feature)
    }

    /// The plan's entitlements including those inherited from base plans (own ones win).
    pub fn plan_entitlements(&self, plan: &Plan) -> Vec<EntitlementSpec> {
        let mut chain = vec![plan];
        let mut cur = plan.base_plan.as_deref();
        while let Some(b) = cur.and_then(|b| self.plan(b)) {
            if chain.iter().any(|p| p.id == b.id) {
                break;
            }
            chain.push(b);
            cur = b.base_plan.as_deref();
        }
        let mut out: Vec<EntitlementSpec> = Vec::new();
        for p in chain.iter().rev() {
            for e in &p.entitlements {
                out.retain(|x| x.feature != e.feature);
                out.push(e.clone());
            }
        }
        out
    }

    /// Entitlements inherited from the base plans only.
    pub fn inherited_entitlements(&self, plan: &Plan) -> Vec<EntitlementSpec> {
        match plan.base_plan.as_deref().and_then(|b| self.plan(b)) {
            Some(b) => self.plan_entitlements(b),
            None => Vec::new(),
        }
    }

    /// Addons compatible with a plan.
    pub fn compatible_addons(&self, plan: &Plan) -> Vec<&Addon> {
        match &plan.compatible_addons {
            Some(ids) => ids.iter().filter_map(|i| self.addon(i)).collect(),
            None => self
                .addons
                .iter()
                .filter(|a| a.product == plan.product)
                .collect(),
        }
    }

    /// Pricing type of a plan.
    pub fn pricing_type(&self, plan: &Plan) -> &'static str {
        match plan.pricing_type.as_deref() {
            Some("CUSTOM") => "CUSTOM",
            Some("PAID") => "PAID",
            Some("FREE") => "FREE",
            _ if plan.prices.iter().any(|p| p.amount > 0.0) => "PAID",
            _ => "FREE",
        }
    }
}
