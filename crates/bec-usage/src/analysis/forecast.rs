//! Forecasts: where each resource's daily unit-hours are heading, to the end of the month
//! or for the next N days, with an interval.
//!
//! STUB: the public types and signature are fixed; the method is being written.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::hours::UsageHours;
use crate::error::Result;

/// How far ahead to forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Horizon {
    /// From the day after the last day with data to the end of that day's month.
    #[default]
    MonthEnd,
    /// The next N days after the last day with data.
    Days(u32),
}

/// What [`forecast`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ForecastOptions {
    /// How far ahead.
    pub horizon: Horizon,
}

/// One forecast day of one resource, in unit-hours (a day's average amount is `/ 24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForecastDay {
    /// The day.
    pub date: NaiveDate,
    /// The expected unit-hours.
    pub expected: Decimal,
    /// The low end of the interval.
    pub low: Decimal,
    /// The high end of the interval.
    pub high: Decimal,
}

/// A total at the end of the horizon: what has been used plus what is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForecastTotal {
    /// The expected total.
    pub expected: Decimal,
    /// The low end of the interval.
    pub low: Decimal,
    /// The high end of the interval.
    pub high: Decimal,
}

/// The forecast of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceForecast {
    /// The resource name.
    pub resource: String,
    /// The resource's unit.
    pub unit: String,
    /// How many complete days of history the forecast used.
    pub history_days: usize,
    /// The unit-hours already used in the period the total covers (the month, for
    /// [`Horizon::MonthEnd`]; nothing for [`Horizon::Days`]).
    pub so_far: Decimal,
    /// The forecast days, ascending; empty when there is nothing to forecast.
    pub days: Vec<ForecastDay>,
    /// `so_far` plus the forecast days.
    pub total: ForecastTotal,
}

/// A forecast of every resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    /// The last day of history (the forecast starts the day after).
    pub last_day: Option<NaiveDate>,
    /// One entry per resource, in the data's order.
    pub resources: Vec<ResourceForecast>,
}

/// Forecasts every resource of `hours`.
///
/// # Errors
/// [`crate::ErrorKind::Overflow`] when a sum leaves the range of a decimal.
pub fn forecast(hours: &UsageHours, options: &ForecastOptions) -> Result<Forecast> {
    let _ = options;
    Ok(Forecast {
        last_day: None,
        resources: hours
            .resources
            .iter()
            .map(|r| ResourceForecast {
                resource: r.resource.clone(),
                unit: r.unit.clone(),
                history_days: 0,
                so_far: Decimal::ZERO,
                days: vec![],
                total: ForecastTotal {
                    expected: Decimal::ZERO,
                    low: Decimal::ZERO,
                    high: Decimal::ZERO,
                },
            })
            .collect(),
    })
}
