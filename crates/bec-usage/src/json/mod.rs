//! Reading and writing the response JSON.
//!
//! [`parse_usage`] reads a response; [`write_usage`] writes one in the service's exact shape.

mod read;
mod write;

pub use read::{parse_service_error, parse_usage};
pub use write::write_usage;

// Exact decimals to and from text without `Display`/`FromStr` (for messages and the
// JavaScript bindings).
#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub(crate) use read::decimal_from_text;
pub(crate) use write::push_decimal;
#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub(crate) use write::{push_i64, push_string, push_u64};

use crate::error::Result;

/// `(value / divisor, value % divisor)` by long division in 32-bit limbs: `u128` division
/// would bring a kilobyte of compiler-builtins code into the WebAssembly module, for
/// mantissas above 2^64, which are rare.
fn div_rem_small(value: u128, divisor: u32) -> (u128, u32) {
    let divisor = u64::from(divisor.max(1));
    let mut quotient: u128 = 0;
    let mut remainder: u64 = 0;
    for shift in [96u32, 64, 32, 0] {
        // remainder < divisor < 2^32, so this fits 64 bits.
        let current = (remainder << 32) | u64::from((value >> shift) as u32);
        quotient |= u128::from(current / divisor) << shift;
        remainder = current % divisor;
    }
    // remainder < divisor <= u32::MAX.
    (quotient, remainder as u32)
}
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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn div_rem_small_is_division() {
        for value in [
            0u128,
            9,
            10,
            u64::MAX.into(),
            1 << 96,
            u128::MAX,
            10u128.pow(38) + 7,
        ] {
            for divisor in [1u32, 7, 10, 1_000_000_000, u32::MAX] {
                let expected = (
                    value / u128::from(divisor),
                    (value % u128::from(divisor)) as u32,
                );
                assert_eq!(
                    super::div_rem_small(value, divisor),
                    expected,
                    "{value} / {divisor}"
                );
            }
        }
    }
}
