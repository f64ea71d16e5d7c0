//! The previous period: the one of the same length that ends the day before, and the
//! change of each resource's mean from it, exactly.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use crate::dataset::Dataset;

/// The period of the same number of days that ends the day before `begin`.
pub fn previous_range(begin: NaiveDate, end: NaiveDate) -> (NaiveDate, NaiveDate) {
    let days = (end - begin).num_days() + 1;
    (begin - Duration::days(days), begin - Duration::days(1))
}

/// `(current − previous) / previous × 100`, exact to 28 digits; `None` when the previous
/// value is zero (no change in percent from nothing) or the arithmetic overflows.
pub fn percent_change(current: Decimal, previous: Decimal) -> Option<Decimal> {
    if previous.is_zero() {
        return None;
    }
    current
        .checked_sub(previous)?
        .checked_div(previous.abs())?
        .checked_mul(Decimal::ONE_HUNDRED)
}

/// The change of the mean of resource `name` from `previous` to `current`; `None` when
/// either period has no points of it, or the previous mean is zero.
pub fn mean_change(current: &Dataset, previous: &Dataset, name: &str) -> Option<Decimal> {
    let mean = |data: &Dataset| {
        let index = data.resource_index(name)?;
        data.stats(index).map(|s| s.mean)
    };
    percent_change(mean(current)?, mean(previous)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn dec(text: &str) -> Decimal {
        text.parse().expect("test decimal")
    }

    #[test]
    fn previous_period_has_the_same_length() {
        assert_eq!(
            previous_range(d("2024-03-01"), d("2024-03-31")),
            (d("2024-01-30"), d("2024-02-29"))
        );
        assert_eq!(
            previous_range(d("2024-01-01"), d("2024-01-01")),
            (d("2023-12-31"), d("2023-12-31"))
        );
    }

    #[test]
    fn percent_changes_are_exact() {
        assert_eq!(percent_change(dec("110"), dec("100")), Some(dec("10")));
        assert_eq!(percent_change(dec("0.3"), dec("0.1")), Some(dec("200")));
        assert_eq!(percent_change(dec("90"), dec("100")), Some(dec("-10")));
        // Against a negative base, a rise is still a rise.
        assert_eq!(percent_change(dec("-5"), dec("-10")), Some(dec("50")));
        assert_eq!(percent_change(dec("1"), dec("0")), None);
        assert_eq!(percent_change(dec("0"), dec("0.000")), None);
    }
}
