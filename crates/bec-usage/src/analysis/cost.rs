//! Cost estimates: resource-hours ([`super::hours`]) times the prices of a price sheet the
//! user supplies, exact.
//!
//! # The price sheet
//!
//! A JSON object, read by [`parse_price_sheet`](crate::json::parse_price_sheet) and written
//! by [`write_price_sheet`](crate::json::write_price_sheet):
//!
//! ```json
//! {
//!   "currency": "CNY",
//!   "minorUnits": 2,
//!   "prices": {
//!     "CPU": "0.045",
//!     "Memory": 0.012,
//!     "TRAFFIC": [{ "upTo": 1000, "price": "0.8" }, { "price": "0.6" }]
//!   }
//! }
//! ```
//!
//! - `currency`: a name for the money (an ISO 4217 code such as `CNY`), shown beside costs.
//! - `minorUnits` (optional, default 2): the currency's decimal places, used only to round
//!   for display ([`round_money`]).
//! - `prices`: per resource name, the price of one unit-hour (a core-hour, a GB-hour), as a
//!   number or a numeric string; or **tiers**, a list of `{upTo, price}` in ascending
//!   `upTo` with the last tier open (no `upTo`). Tiers are graduated: the first `upTo`
//!   unit-hours of the range cost the first price, the next ones the second, and so on.
//!   They fill in time order, so the days' costs add up to the range's cost.
//!
//! A price may be zero, never negative. A resource the data has but the sheet does not
//! price is listed in [`CostEstimate::unpriced`] and left out of the totals; a sheet entry
//! that names a resource the data does not have is an error, since it is most likely a
//! misspelt name whose cost would silently be missing.
//!
//! # Exactness
//!
//! Costs are `hours × price` in `Decimal` arithmetic (28 significant digits), summed
//! exactly. Nothing is rounded to the currency's minor unit here: [`round_money`] does
//! that, half away from zero, for display only.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::hours::UsageHours;
use crate::error::{Error, ErrorKind, Result};
use crate::text::{Exact, Quoted};

/// The minor units used when a sheet does not say (cents, fen).
pub const DEFAULT_MINOR_UNITS: u32 = 2;

/// The most minor units a sheet may declare.
pub const MAX_MINOR_UNITS: u32 = 8;

/// One tier of a price: unit-hours up to `up_to` (counted over the range) cost `price` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriceTier {
    /// The cumulative unit-hours where this tier ends; `None` for the last, open tier.
    pub up_to: Option<Decimal>,
    /// The price of one unit-hour in this tier.
    pub price: Decimal,
}

/// The price of one resource: one or more tiers, the last one open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePrice {
    /// The resource name, as in the data (`CPU`).
    pub resource: String,
    /// The tiers, `up_to` ascending; a flat price is one open tier.
    pub tiers: Vec<PriceTier>,
}

impl ResourcePrice {
    /// A flat price per unit-hour.
    pub fn flat(resource: impl Into<String>, price: Decimal) -> Self {
        ResourcePrice {
            resource: resource.into(),
            tiers: vec![PriceTier { up_to: None, price }],
        }
    }

    /// The cost of `hours` more unit-hours when `used` unit-hours of the range are already
    /// counted (so tiers already filled are skipped); `None` on overflow.
    pub fn cost_of(&self, used: Decimal, hours: Decimal) -> Option<Decimal> {
        let mut cost = Decimal::ZERO;
        let mut at = used;
        let mut left = hours;
        for tier in &self.tiers {
            if left <= Decimal::ZERO {
                break;
            }
            let room = match tier.up_to {
                Some(up_to) if up_to <= at => continue,
                Some(up_to) => up_to.checked_sub(at)?.min(left),
                None => left,
            };
            cost = super::checked_add(cost, super::checked_mul(room, tier.price)?)?;
            at = super::checked_add(at, room)?;
            left = left.checked_sub(room)?;
        }
        Some(cost)
    }
}

/// A price sheet: the currency and the prices per resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceSheet {
    /// The currency's name or code (`CNY`).
    pub currency: String,
    /// The currency's decimal places, for display.
    pub minor_units: u32,
    /// The prices, in the sheet's order.
    pub prices: Vec<ResourcePrice>,
}

impl PriceSheet {
    /// The price of `resource`.
    pub fn price(&self, resource: &str) -> Option<&ResourcePrice> {
        self.prices.iter().find(|p| p.resource == resource)
    }

    /// Checks the rules the reader checks, for a sheet built in code: a currency, minor
    /// units in range, no repeated resource, prices not negative, tiers ascending and the
    /// last one open.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidPriceSheet`] naming the entry.
    pub fn validate(&self) -> Result<()> {
        if self.currency.trim().is_empty() {
            return Err(sheet_error(
                "currency",
                "the currency is empty; name it, e.g. \"CNY\"",
            ));
        }
        if self.minor_units > MAX_MINOR_UNITS {
            return Err(sheet_error(
                "minorUnits",
                format!(
                    "{} minor units is more than {MAX_MINOR_UNITS}; use the currency's decimal places (2 for CNY)",
                    self.minor_units
                ),
            ));
        }
        for (index, price) in self.prices.iter().enumerate() {
            if self.prices[..index]
                .iter()
                .any(|p| p.resource == price.resource)
            {
                return Err(sheet_error(
                    &entry(&price.resource),
                    "this resource is priced twice; keep one entry",
                ));
            }
            validate_tiers(&price.resource, &price.tiers)?;
        }
        Ok(())
    }
}

/// The JSON path of the entry of `resource`, for messages.
pub(crate) fn entry(resource: &str) -> String {
    let simple = resource
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !resource.starts_with(|c: char| c.is_ascii_digit())
        && !resource.is_empty();
    if simple {
        format!("prices.{resource}")
    } else {
        format!("prices[{}]", Quoted(resource))
    }
}

fn sheet_error(path: &str, message: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidPriceSheet,
        format!("the price sheet: {path}: {message}"),
    )
    .with_path(path)
}

/// The tier rules, shared by the reader and [`PriceSheet::validate`].
pub(crate) fn validate_tiers(resource: &str, tiers: &[PriceTier]) -> Result<()> {
    let path = entry(resource);
    if tiers.is_empty() {
        return Err(sheet_error(
            &path,
            "no price; give a number or a list of tiers",
        ));
    }
    let mut previous = Decimal::ZERO;
    for (index, tier) in tiers.iter().enumerate() {
        let at = if tiers.len() == 1 {
            path.clone()
        } else {
            format!("{path}[{index}]")
        };
        if tier.price.is_sign_negative() && !tier.price.is_zero() {
            return Err(sheet_error(
                &at,
                format!(
                    "the price {} is negative; prices are zero or more",
                    Exact(tier.price)
                ),
            ));
        }
        let last = index + 1 == tiers.len();
        match tier.up_to {
            None if !last => {
                return Err(sheet_error(
                    &at,
                    "only the last tier may leave out upTo; give this one an upTo",
                ))
            }
            Some(up_to) if last => {
                return Err(sheet_error(
                    &at,
                    format!("the last tier ends at upTo {}; leave its upTo out so that it covers everything above", Exact(up_to)),
                ))
            }
            Some(up_to) if up_to <= previous => {
                return Err(sheet_error(
                    &at,
                    format!(
                        "upTo {} is not above the tier before ({}); tiers go up",
                        Exact(up_to),
                        Exact(previous)
                    ),
                ))
            }
            Some(up_to) => previous = up_to,
            None => {}
        }
    }
    Ok(())
}

/// Rounds `amount` to `minor_units` decimal places, half away from zero (`0.125` → `0.13`,
/// `-0.125` → `-0.13`): for display only; computations keep every digit.
///
/// An amount with `minor_units` decimal places or fewer is returned as it is (not padded).
pub fn round_money(amount: Decimal, minor_units: u32) -> Decimal {
    amount.round_dp_with_strategy(minor_units, RoundingStrategy::MidpointAwayFromZero)
}

/// One day of a resource's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DayCost {
    /// The local day.
    pub date: NaiveDate,
    /// The unit-hours of that day.
    pub hours: Decimal,
    /// Their cost.
    pub cost: Decimal,
}

/// The cost of one priced resource.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ResourceCost {
    /// The resource name.
    pub resource: String,
    /// The resource's unit.
    pub unit: String,
    /// The unit-hours of the range.
    pub hours: Decimal,
    /// The cost of the range: the sum of the days' costs.
    pub cost: Decimal,
    /// The days with usage, ascending.
    pub days: Vec<DayCost>,
}

/// A cost estimate of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CostEstimate {
    /// The sheet's currency.
    pub currency: String,
    /// The sheet's minor units, for display.
    pub minor_units: u32,
    /// The priced resources, in the data's order.
    pub resources: Vec<ResourceCost>,
    /// The resources of the data the sheet does not price, in the data's order.
    pub unpriced: Vec<String>,
    /// The cost of all priced resources per day, ascending.
    pub days: Vec<(NaiveDate, Decimal)>,
    /// The cost of all priced resources over the range.
    pub total: Decimal,
}

impl CostEstimate {
    /// The cost of `resource`, if it is priced.
    pub fn resource(&self, resource: &str) -> Option<&ResourceCost> {
        self.resources.iter().find(|r| r.resource == resource)
    }

    /// The cost of `resource` on `date`; `None` when unpriced or without usage that day.
    pub fn cost_on(&self, resource: &str, date: NaiveDate) -> Option<Decimal> {
        self.resource(resource)?
            .days
            .iter()
            .find(|day| day.date == date)
            .map(|day| day.cost)
    }
}

/// The cost of `hours` under `sheet`.
///
/// # Errors
/// - [`ErrorKind::InvalidPriceSheet`] when the sheet breaks a rule of
///   [`PriceSheet::validate`] or prices a resource the data does not have (the message names
///   the entry and the data's resources);
/// - [`ErrorKind::Overflow`] when a cost leaves the range of a decimal.
pub fn estimate_cost(hours: &UsageHours, sheet: &PriceSheet) -> Result<CostEstimate> {
    sheet.validate()?;
    if let Some(stray) = sheet
        .prices
        .iter()
        .find(|p| hours.resource(&p.resource).is_none())
    {
        let names: Vec<&str> = hours
            .resources
            .iter()
            .map(|r| r.resource.as_str())
            .collect();
        let names = names.join(", ");
        let hint = hours
            .resources
            .iter()
            .find(|usage| usage.resource.eq_ignore_ascii_case(&stray.resource))
            .map(|usage| format!(" Did you mean {}?", Quoted(&usage.resource)))
            .unwrap_or_default();
        return Err(sheet_error(
            &entry(&stray.resource),
            format!(
                "this data has no resource {}; its resources are {}.{hint}",
                Quoted(&stray.resource),
                if names.is_empty() { "none" } else { &names }
            ),
        ));
    }
    let overflow = || Error::new(ErrorKind::Overflow, "a cost exceeds the range of a decimal");
    let mut resources = Vec::new();
    let mut unpriced = Vec::new();
    let mut by_day: Vec<(NaiveDate, Decimal)> = Vec::new();
    for usage in &hours.resources {
        let Some(price) = sheet.price(&usage.resource) else {
            unpriced.push(usage.resource.clone());
            continue;
        };
        let mut used = Decimal::ZERO;
        let mut cost = Decimal::ZERO;
        let mut days = Vec::with_capacity(usage.days.len());
        for day in &usage.days {
            let day_cost = price.cost_of(used, day.hours).ok_or_else(overflow)?;
            used = super::checked_add(used, day.hours).ok_or_else(overflow)?;
            cost = super::checked_add(cost, day_cost).ok_or_else(overflow)?;
            days.push(DayCost {
                date: day.date,
                hours: day.hours,
                cost: day_cost.normalize(),
            });
            match by_day.binary_search_by_key(&day.date, |(date, _)| *date) {
                Ok(at) => {
                    by_day[at].1 =
                        super::checked_add(by_day[at].1, day_cost).ok_or_else(overflow)?
                }
                Err(at) => by_day.insert(at, (day.date, day_cost)),
            }
        }
        resources.push(ResourceCost {
            resource: usage.resource.clone(),
            unit: usage.unit.clone(),
            hours: usage.total,
            cost: cost.normalize(),
            days,
        });
    }
    let mut total = Decimal::ZERO;
    for resource in &resources {
        total = super::checked_add(total, resource.cost).ok_or_else(overflow)?;
    }
    for (_, cost) in &mut by_day {
        *cost = cost.normalize();
    }
    Ok(CostEstimate {
        currency: sheet.currency.clone(),
        minor_units: sheet.minor_units,
        resources,
        unpriced,
        days: by_day,
        total: total.normalize(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::hours::{DayHours, ResourceHours};
    use crate::analysis::test_support::{date, dec};
    use chrono::FixedOffset;

    fn usage(resource: &str, days: &[(&str, &str)]) -> ResourceHours {
        let days: Vec<DayHours> = days
            .iter()
            .map(|(d, h)| DayHours {
                date: date(d),
                hours: dec(h),
                covered_ms: 0,
            })
            .collect();
        ResourceHours {
            resource: resource.into(),
            unit: "核".into(),
            step_ms: Some(60_000),
            total: days.iter().map(|d| d.hours).sum(),
            days,
            covered_ms: 0,
            gaps: vec![],
            gap_ms: 0,
        }
    }

    fn hours(resources: Vec<ResourceHours>) -> UsageHours {
        UsageHours {
            offset: FixedOffset::east_opt(8 * 3600).expect("offset"),
            resources,
        }
    }

    fn sheet(prices: Vec<ResourcePrice>) -> PriceSheet {
        PriceSheet {
            currency: "CNY".into(),
            minor_units: 2,
            prices,
        }
    }

    #[test]
    fn flat_prices_multiply_exactly() {
        let data = hours(vec![
            usage("CPU", &[("2024-01-01", "1536"), ("2024-01-02", "1000.5")]),
            usage("EIP", &[("2024-01-01", "288")]),
        ]);
        let estimate = estimate_cost(
            &data,
            &sheet(vec![ResourcePrice::flat("CPU", dec("0.045"))]),
        )
        .expect("cost");
        let cpu = estimate.resource("CPU").expect("CPU");
        assert_eq!(cpu.cost, dec("114.1425")); // 2536.5 × 0.045
        assert_eq!(
            estimate.cost_on("CPU", date("2024-01-02")),
            Some(dec("45.0225"))
        );
        assert_eq!(estimate.unpriced, vec!["EIP".to_owned()]);
        assert_eq!(estimate.total, dec("114.1425"));
        assert_eq!(
            estimate.days,
            vec![
                (date("2024-01-01"), dec("69.12")),
                (date("2024-01-02"), dec("45.0225"))
            ]
        );
        assert_eq!(round_money(estimate.total, 2), dec("114.14"));
    }

    #[test]
    fn tiers_fill_in_time_order() {
        let price = ResourcePrice {
            resource: "TRAFFIC".into(),
            tiers: vec![
                PriceTier {
                    up_to: Some(dec("100")),
                    price: dec("1"),
                },
                PriceTier {
                    up_to: Some(dec("150")),
                    price: dec("0.5"),
                },
                PriceTier {
                    up_to: None,
                    price: dec("0.25"),
                },
            ],
        };
        let data = hours(vec![usage(
            "TRAFFIC",
            &[
                ("2024-01-01", "80"),
                ("2024-01-02", "40"),
                ("2024-01-03", "100"),
            ],
        )]);
        let estimate = estimate_cost(&data, &sheet(vec![price.clone()])).expect("cost");
        let days: Vec<Decimal> = estimate.resources[0].days.iter().map(|d| d.cost).collect();
        // Day 1: 80 × 1. Day 2: 20 × 1 + 20 × 0.5. Day 3: 30 × 0.5 + 70 × 0.25.
        assert_eq!(days, vec![dec("80"), dec("30"), dec("32.5")]);
        assert_eq!(estimate.total, dec("142.5"));
        assert_eq!(price.cost_of(Decimal::ZERO, dec("220")), Some(dec("142.5")));
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(round_money(dec("0.125"), 2), dec("0.13"));
        assert_eq!(round_money(dec("0.124999"), 2), dec("0.12"));
        assert_eq!(round_money(dec("-0.125"), 2), dec("-0.13"));
        assert_eq!(round_money(dec("7.5"), 0), dec("8"));
        assert_eq!(round_money(dec("1.5"), 2).to_string(), "1.5");
        assert_eq!(round_money(dec("0.995"), 2).to_string(), "1.00");
        assert_eq!(round_money(dec("-0.994"), 2).to_string(), "-0.99");
        assert_eq!(round_money(dec("0.0049"), 2).to_string(), "0.00");
        assert_eq!(round_money(dec("12.3456789"), 8), dec("12.3456789"));
        let big = Decimal::MAX;
        assert_eq!(round_money(big, 2), big);
        let tiny = Decimal::new(5, 28);
        assert_eq!(
            round_money(tiny, 27).to_string(),
            "0.000000000000000000000000001"
        );
    }

    #[test]
    fn an_unknown_resource_is_named_with_a_hint() {
        let data = hours(vec![usage("CPU", &[("2024-01-01", "1")])]);
        let error = estimate_cost(&data, &sheet(vec![ResourcePrice::flat("cpu", dec("1"))]))
            .expect_err("unknown");
        assert_eq!(error.kind(), ErrorKind::InvalidPriceSheet);
        assert_eq!(error.path(), Some("prices.cpu"));
        assert!(error.message().contains("Did you mean \"CPU\""), "{error}");
        assert!(error.message().contains("its resources are CPU"), "{error}");
    }

    #[test]
    fn bad_tiers_and_negative_prices_are_named() {
        let negative = sheet(vec![ResourcePrice::flat("CPU", dec("-0.01"))]);
        let error = negative.validate().expect_err("negative");
        assert_eq!(error.path(), Some("prices.CPU"));
        assert!(error.message().contains("negative"), "{error}");

        let tier = |up_to: Option<&str>, price: &str| PriceTier {
            up_to: up_to.map(dec),
            price: dec(price),
        };
        let cases = [
            (
                vec![tier(Some("10"), "1"), tier(Some("5"), "1"), tier(None, "1")],
                "prices.CPU[1]",
                "not above",
            ),
            (
                vec![tier(None, "1"), tier(None, "1")],
                "prices.CPU[0]",
                "only the last",
            ),
            (
                vec![tier(Some("10"), "1")],
                "prices.CPU",
                "leave its upTo out",
            ),
            (vec![], "prices.CPU", "no price"),
        ];
        for (tiers, path, words) in cases {
            let bad = sheet(vec![ResourcePrice {
                resource: "CPU".into(),
                tiers,
            }]);
            let error = bad.validate().expect_err(path);
            assert_eq!(error.kind(), ErrorKind::InvalidPriceSheet);
            assert_eq!(error.path(), Some(path));
            assert!(error.message().contains(words), "{error}");
        }
        let twice = sheet(vec![
            ResourcePrice::flat("CPU", dec("1")),
            ResourcePrice::flat("CPU", dec("2")),
        ]);
        assert!(twice
            .validate()
            .expect_err("twice")
            .message()
            .contains("twice"));
    }

    #[test]
    fn a_sheet_reads_exactly_and_writes_back_the_same() {
        let text = r#"{"currency": "CNY", "note": "list prices 2026",
            "prices": {"CPU": 0.045, "Memory": "0.012",
                       "TRAFFIC": [{"upTo": 1000, "price": "0.8"}, {"price": 0.6}]}}"#;
        let sheet = crate::json::parse_price_sheet(text).expect("sheet");
        assert_eq!(sheet.minor_units, DEFAULT_MINOR_UNITS);
        assert_eq!(
            sheet.price("CPU"),
            Some(&ResourcePrice::flat("CPU", dec("0.045")))
        );
        assert_eq!(
            sheet.price("TRAFFIC").expect("tiers").tiers[0].up_to,
            Some(dec("1000"))
        );
        let written = crate::json::write_price_sheet(&sheet);
        assert_eq!(
            crate::json::parse_price_sheet(&written).expect("again"),
            sheet
        );
    }

    #[test]
    fn a_broken_sheet_names_the_entry() {
        let cases = [
            (
                r#"{"currency": "CNY", "prices": {"CPU": -1}}"#,
                "prices.CPU",
                "negative",
            ),
            (
                r#"{"currency": "CNY", "prices": {"CPU": "abc"}}"#,
                "prices.CPU",
                "decimal number",
            ),
            (
                r#"{"currency": "CNY", "prices": {"CPU": [{"upto": 5, "price": 1}]}}"#,
                "prices.CPU[0].upto",
                "only upTo and price",
            ),
            (
                r#"{"currency": "CNY", "prices": {"CPU": [{"upTo": 5}, {"price": 1}]}}"#,
                "prices.CPU[0].price",
                "missing",
            ),
            (
                r#"{"currency": "CNY", "prices": {"CPU": 1, "CPU": 2}}"#,
                "prices.CPU",
                "twice",
            ),
            (r#"{"prices": {}}"#, "currency", "missing"),
            (
                r#"{"currency": "CNY", "minorUnits": 2.5, "prices": {}}"#,
                "minorUnits",
                "whole number",
            ),
            (
                r#"{"currency": "CNY", "prices": {"CPU": 1,}}"#,
                "prices",
                "line 1",
            ),
        ];
        for (text, path, words) in cases {
            let error = crate::json::parse_price_sheet(text).expect_err(text);
            assert_eq!(error.kind(), ErrorKind::InvalidPriceSheet, "{text}");
            assert_eq!(error.path(), Some(path), "{text}: {error}");
            assert!(error.message().starts_with("the price sheet: "), "{error}");
            assert!(error.message().contains(words), "{text}: {error}");
        }
    }
}
