//! (being written)
use crate::model::UsageResponse;

/// Writes a usage response as the service's JSON.
pub fn write_usage(_usage: &UsageResponse) -> String {
    String::new()
}
