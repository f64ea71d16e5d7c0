//! Anomalies: stretches where a resource is far from what is usual for it.
//!
//! STUB: the public types and signature are fixed; the method is being written.

use rust_decimal::Decimal;

use crate::error::Result;
use crate::model::UsageResponse;

/// How readily a stretch is called unusual: the one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sensitivity {
    /// Only the most striking stretches.
    Low,
    /// The default.
    #[default]
    Medium,
    /// More stretches, more of them false alarms.
    High,
}

/// What [`find_anomalies`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AnomalyOptions {
    /// The sensitivity.
    pub sensitivity: Sensitivity,
}

/// One unusual stretch of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// The resource name.
    pub resource: String,
    /// Where the stretch starts (epoch ms).
    pub start_ms: i64,
    /// Where it ends, exclusive (epoch ms).
    pub end_ms: i64,
    /// When it was furthest from usual (epoch ms).
    pub peak_ms: i64,
    /// The value there.
    pub value: Decimal,
    /// The low end of the usual range there.
    pub usual_low: Decimal,
    /// The high end of the usual range there.
    pub usual_high: Decimal,
}

/// The anomalies of every resource of `response`, by resource in the response's order and
/// then by time.
///
/// # Errors
/// [`crate::ErrorKind::Overflow`] when a sum leaves the range of a decimal.
pub fn find_anomalies(response: &UsageResponse, options: &AnomalyOptions) -> Result<Vec<Anomaly>> {
    let _ = (response, options);
    Ok(vec![])
}
