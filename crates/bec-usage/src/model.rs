//! The response of `GET /v1/usage/computing`, as plain data.
//!
//! Amounts are [`Decimal`]s taken from the JSON number text, never through `f64`.
//! Resources keep the order in which the service listed them, so two reads of the same
//! document give the same order, and no unknown resource is ever dropped.
//!
//! Reading and writing JSON is in [`crate::json`]; data-quality notes are in [`crate::quality`].

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One measurement: an exact amount at a time (epoch milliseconds, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DataPoint {
    /// Epoch milliseconds (the service's `timestamp`).
    pub timestamp_ms: i64,
    /// The exact amount (the service's `amount`).
    pub amount: Decimal,
}

/// The series of one resource (one entry of `graphData`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ResourceSeries {
    /// The resource name, the key in `graphData` (`CPU`, `Memory`, `BOS_Standard`, ...).
    pub name: String,
    /// The number of points the service says it sent (`count`); it may differ from
    /// `points.len()`, which [`crate::quality`] reports.
    pub count: u64,
    /// The unit, free text, often Chinese (`核`, `个`, `GB`).
    pub unit: String,
    /// The points (`dataList`) in the order the service sent them.
    pub points: Vec<DataPoint>,
}

/// The queried range as the service echoes it (`timeSpan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimeSpan {
    /// `timeSpan.beginDate`.
    pub begin_date: NaiveDate,
    /// `timeSpan.endDate`.
    pub end_date: NaiveDate,
}

/// One resource's daily average on one day of `summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SummaryValue {
    /// The resource name.
    pub resource: String,
    /// The daily average as the service computed it.
    pub average: Decimal,
}

/// One day of `summary`: the daily averages of that day, in the service's order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SummaryDay {
    /// The day (a key of `summary`).
    pub date: NaiveDate,
    /// The averages of that day.
    pub values: Vec<SummaryValue>,
}

impl SummaryDay {
    /// The average of `resource` on this day, if the service gave one.
    pub fn get(&self, resource: &str) -> Option<Decimal> {
        self.values
            .iter()
            .find(|v| v.resource == resource)
            .map(|v| v.average)
    }
}

/// A whole usage response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UsageResponse {
    /// `accountId`.
    pub account_id: String,
    /// `timeSpan`.
    pub time_span: TimeSpan,
    /// `graphData`, one entry per resource, in the service's order.
    pub resources: Vec<ResourceSeries>,
    /// `summary`, one entry per day, in the service's order.
    pub summary: Vec<SummaryDay>,
}

impl UsageResponse {
    /// The series of the resource called `name`.
    pub fn resource(&self, name: &str) -> Option<&ResourceSeries> {
        self.resources.iter().find(|r| r.name == name)
    }

    /// The resource names, in order.
    pub fn resource_names(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(|r| r.name.as_str())
    }

    /// The `summary` entry of `date`.
    pub fn summary_day(&self, date: NaiveDate) -> Option<&SummaryDay> {
        self.summary.iter().find(|d| d.date == date)
    }

    /// The service's daily average of `resource` on `date`.
    pub fn summary_average(&self, date: NaiveDate, resource: &str) -> Option<Decimal> {
        self.summary_day(date).and_then(|d| d.get(resource))
    }
}
