//! `parse_price_sheet` on any text: no panic; what it accepts passes its own validation,
//! writes back to text that reads as the same sheet, and prices every unit-hour count
//! without a negative cost.

use rust_decimal::Decimal;

/// Checks one input, as the fuzz target receives it.
fn check(text: &str) {
    let Ok(sheet) = bec_usage::json::parse_price_sheet(text) else {
        return;
    };
    assert!(sheet.validate().is_ok(), "accepted but invalid: {text:?}");
    let written = bec_usage::json::write_price_sheet(&sheet);
    let again = bec_usage::json::parse_price_sheet(&written).expect("a written sheet reads back");
    assert_eq!(again, sheet, "round trip of {text:?}");
    for price in &sheet.prices {
        for hours in [Decimal::ZERO, Decimal::ONE, Decimal::new(123_456_789, 3)] {
            if let Some(cost) = price.cost_of(Decimal::ZERO, hours) {
                assert!(
                    !cost.is_sign_negative() || cost.is_zero(),
                    "negative cost from {text:?}"
                );
            }
        }
    }
}

/// Checks the input the fuzzer's bytes make (the `arbitrary` crate, as `fuzz_target!` does).
pub fn run(bytes: &[u8]) {
    if let Some(text) = crate::take(bytes) {
        check(text);
    }
}
