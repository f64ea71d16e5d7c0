//! `parse_price_sheet` on any text: no panic; what it accepts passes its own validation,
//! writes back to text that reads as the same sheet, and prices every unit-hour count
//! without a negative cost.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|text: &str| {
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
                assert!(!cost.is_sign_negative() || cost.is_zero(), "negative cost from {text:?}");
            }
        }
    }
});
