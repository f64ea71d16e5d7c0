//! Reading and writing the response JSON.
//!
//! [`parse_usage`] reads a response; [`write_usage`] writes one in the service's exact shape.
//! [`parse_price_sheet`] and [`write_price_sheet`] do the same for price sheets.

mod read;
mod write;

pub use read::{parse_price_sheet, parse_service_error, parse_usage};
pub use write::{write_price_sheet, write_usage};

// Exact decimals from text without `FromStr`, and JSON strings, for the JavaScript bindings.
#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub(crate) use read::decimal_from_text;
#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub(crate) use write::push_string;

use crate::error::Result;

use crate::model::UsageResponse;

impl UsageResponse {
    /// Reads a usage response from JSON text; see [`parse_usage`].
    pub fn from_json(text: &str) -> Result<Self> {
        parse_usage(text)
    }

    /// Writes this response as the service's JSON; see [`write_usage`].
    pub fn to_json(&self) -> String {
        write_usage(self)
    }
}
