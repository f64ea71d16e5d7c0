//! Property tests of resource-hours and cost estimates (native only: proptest does not run
//! on wasm here).
//!
//! - The days add up to the range (hours and covered time), and covered time plus gaps
//!   never exceeds the span of the points.
//! - Order and repeated points do not change anything; doubling every amount doubles the
//!   hours exactly.
//! - A regular series without gaps is `Σ amount × step`, computed here the naive way.
//! - A day generated alone has the same hours as that day cut out of a longer range (when
//!   its first and last points are there; else the longer range fills the day's edges).
//! - Tiers filled day by day cost what the whole range's hours cost at once; a flat price is
//!   `hours × price` per day.
#![cfg(not(target_arch = "wasm32"))]

use bec_usage::analysis::{
    estimate_cost, resource_hours, usage_hours, PriceSheet, PriceTier, ResourcePrice,
};
use bec_usage::synthetic::{generate, SyntheticOptions};
use bec_usage::{DataPoint, ResourceSeries};
use chrono::{FixedOffset, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

const HOUR_MS: i64 = 3_600_000;

/// Equal but for the rounding of a division to hours (28 significant digits): within a
/// few units of the 26th significant digit.
fn close(a: Decimal, b: Decimal) -> bool {
    let scale = a.abs().max(b.abs());
    (a - b).abs() <= scale * Decimal::new(1, 25) + Decimal::new(1, 26)
}

fn offset() -> impl Strategy<Value = FixedOffset> {
    prop_oneof![Just(8 * 3600), -12 * 3600..=14 * 3600]
        .prop_map(|seconds| FixedOffset::east_opt(seconds).expect("within a day"))
}

/// Everyday amounts: up to a million with up to 6 decimals, one scale or mixed.
fn amount() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000_000_000, 0u32..=6).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
}

/// A series on a step of 1–60 minutes from some time in 2024, with some points left out
/// (short holes filled, long ones gaps) and the timestamps jittered by up to a second.
fn series() -> impl Strategy<Value = ResourceSeries> {
    (
        1i64..=60,
        prop::collection::vec((amount(), 0u8..10, 0i64..1000), 1..200),
    )
        .prop_map(|(step_minutes, raw)| {
            let step = step_minutes * 60_000;
            let start = 1_704_067_200_000i64; // 2024-01-01T00:00:00Z
            let mut points = Vec::new();
            let mut at = start;
            for (amount, skip, jitter) in raw {
                // One time in ten skip 1..=9 steps, else the next step.
                at += step * if skip == 0 { 5 } else { 1 };
                points.push(DataPoint {
                    timestamp_ms: at + jitter,
                    amount,
                });
            }
            ResourceSeries {
                name: "CPU".into(),
                count: points.len() as u64,
                unit: "核".into(),
                points,
            }
        })
}

/// The body of `a_day_alone_equals_the_day_cut_from_a_longer_range`, callable with a fixed
/// case too.
fn day_alone_equals_day_cut(seed: u64, day: u32, step: u32) -> Result<(), TestCaseError> {
    let date = |d| NaiveDate::from_ymd_opt(2024, 3, d).expect("a date");
    let long = SyntheticOptions::new(date(1), date(7))
        .with_seed(seed)
        .with_step_seconds(step)
        .with_resource_count(3);
    let alone = long.clone().with_dates(date(day), date(day));
    let offset = FixedOffset::east_opt(8 * 3600).expect("Beijing");
    let long_data = generate(&long).expect("generates");
    let alone_data = generate(&alone).expect("generates");
    let whole = usage_hours(&long_data, offset).expect("hours");
    let part = usage_hours(&alone_data, offset).expect("hours");
    let midnight = bec_usage::query::epoch_day(date(day)) * 86_400_000 - 8 * HOUR_MS;
    for ((a, b), series) in whole
        .resources
        .iter()
        .zip(&part.resources)
        .zip(&alone_data.resources)
    {
        let (long_hours, alone_hours) = (a.hours_on(date(day)), b.hours_on(date(day)));
        let last_slot = midnight + 86_400_000 - i64::from(step) * 1000;
        let whole_day_there = series.points.first().map(|p| p.timestamp_ms) == Some(midnight)
            && series.points.last().map(|p| p.timestamp_ms) == Some(last_slot);
        if whole_day_there {
            prop_assert_eq!(long_hours, alone_hours, "{}", a.resource);
        } else {
            // The day's first or last point is missing (a collector hiccup): in the
            // longer range the day before's last point fills the start of the day, and
            // the day's last point holds until the next day's first, which the day
            // alone cannot know. Amounts are never negative.
            prop_assert!(
                long_hours >= alone_hours,
                "{}: {long_hours} < {alone_hours}",
                a.resource
            );
        }
    }
    Ok(())
}

/// Found by the property test: the day's 23:00 point is missing, and in the week the 22:00
/// point holds until the next day's midnight (the day alone ends an hour earlier).
#[test]
fn a_day_whose_last_point_is_missing_is_shorter_alone() {
    if let Err(failure) = day_alone_equals_day_cut(11_211_292_073_627_505_864, 1, 3600) {
        panic!("{failure}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn days_add_up_to_the_range(series in series(), offset in offset()) {
        let hours = resource_hours(&series, offset).expect("no overflow");
        let sum: Decimal = hours.days.iter().map(|d| d.hours).sum();
        prop_assert!(close(sum, hours.total), "{sum} vs {}", hours.total);
        let covered: i64 = hours.days.iter().map(|d| d.covered_ms).sum();
        prop_assert_eq!(covered, hours.covered_ms);
        prop_assert!(hours.days.iter().all(|d| (0..=86_400_000).contains(&d.covered_ms)));
        prop_assert!(hours.days.windows(2).all(|w| w[0].date < w[1].date));
        let first = series.points.iter().map(|p| p.timestamp_ms).min().expect("a point");
        let last = series.points.iter().map(|p| p.timestamp_ms).max().expect("a point");
        let step = hours.step_ms.unwrap_or(0);
        prop_assert!(hours.covered_ms + hours.gap_ms <= last - first + step);
        prop_assert!(hours.gaps.iter().all(|g| g.end_ms - g.start_ms > 2 * step));
    }

    #[test]
    fn order_repeats_and_scale(series in series(), offset in offset(), seed in any::<u64>()) {
        let hours = resource_hours(&series, offset).expect("no overflow");

        let mut shuffled = series.clone();
        // A deterministic shuffle from the seed, plus one repeated point.
        let n = shuffled.points.len();
        for i in (1..n).rev() {
            let j = ((seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) % (i as u64 + 1)) as usize;
            shuffled.points.swap(i, j);
        }
        let repeated = shuffled.points[0];
        shuffled.points.push(repeated);
        let again = resource_hours(&shuffled, offset).expect("no overflow");
        prop_assert_eq!(&again.days, &hours.days);
        prop_assert_eq!(again.total, hours.total);

        let mut doubled = series.clone();
        for point in &mut doubled.points {
            point.amount *= Decimal::TWO;
        }
        let twice = resource_hours(&doubled, offset).expect("no overflow");
        prop_assert!(close(twice.total, hours.total * Decimal::TWO));
    }

    #[test]
    fn a_regular_series_is_amount_times_step(
        amounts in prop::collection::vec(amount(), 2..300),
        step_minutes in 1i64..=120,
    ) {
        let step = step_minutes * 60_000;
        let points: Vec<DataPoint> = amounts
            .iter()
            .enumerate()
            .map(|(i, amount)| DataPoint { timestamp_ms: 1_704_067_200_000 + i as i64 * step, amount: *amount })
            .collect();
        let series = ResourceSeries { name: "M".into(), count: points.len() as u64, unit: "GB".into(), points };
        let hours = resource_hours(&series, FixedOffset::east_opt(0).expect("UTC")).expect("no overflow");
        let naive: Decimal = amounts.iter().map(|a| *a * Decimal::from(step)).sum::<Decimal>()
            / Decimal::from(HOUR_MS);
        prop_assert!(close(hours.total, naive), "{} vs {naive}", hours.total);
        prop_assert_eq!(hours.gap_ms, 0);
        prop_assert_eq!(hours.covered_ms, amounts.len() as i64 * step);
    }

    #[test]
    fn a_day_alone_equals_the_day_cut_from_a_longer_range(
        seed in any::<u64>(),
        day in 1u32..=6,
        step in prop::sample::select(vec![60u32, 300, 3600]),
    ) {
        day_alone_equals_day_cut(seed, day, step)?;
    }

    #[test]
    fn tiers_filled_by_day_cost_the_range_at_once(
        series in series(),
        bounds in prop::collection::vec(1i64..5_000_000, 0..4),
        prices in prop::collection::vec(0i64..100_000, 4),
    ) {
        let mut bounds = bounds;
        bounds.sort_unstable();
        bounds.dedup();
        let mut tiers: Vec<PriceTier> = bounds
            .iter()
            .zip(&prices)
            .map(|(up_to, price)| PriceTier { up_to: Some(Decimal::from(*up_to)), price: Decimal::new(*price, 4) })
            .collect();
        tiers.push(PriceTier { up_to: None, price: Decimal::new(prices[3], 4) });
        let price = ResourcePrice { resource: "CPU".into(), tiers };
        let hours = usage_hours(
            &bec_usage::UsageResponse {
                account_id: "a".into(),
                time_span: bec_usage::TimeSpan {
                    begin_date: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date"),
                    end_date: NaiveDate::from_ymd_opt(2024, 12, 31).expect("a date"),
                },
                resources: vec![series],
                summary: vec![],
            },
            FixedOffset::east_opt(8 * 3600).expect("Beijing"),
        )
        .expect("hours");
        let sheet = PriceSheet { currency: "CNY".into(), minor_units: 2, prices: vec![price.clone()] };
        let estimate = estimate_cost(&hours, &sheet).expect("cost");
        let day_hours: Decimal = hours.resources[0].days.iter().map(|d| d.hours).sum();
        let at_once = price.cost_of(Decimal::ZERO, day_hours).expect("no overflow");
        prop_assert!((estimate.total - at_once).abs() <= Decimal::new(1, 12), "{} vs {at_once}", estimate.total);
        let by_day: Decimal = estimate.days.iter().map(|(_, c)| *c).sum();
        prop_assert!((by_day - estimate.total).abs() <= Decimal::new(1, 12));

        let flat = ResourcePrice::flat("CPU", Decimal::new(prices[0], 4));
        let flat_sheet = PriceSheet { prices: vec![flat], ..sheet };
        let flat_estimate = estimate_cost(&hours, &flat_sheet).expect("cost");
        for day in &flat_estimate.resources[0].days {
            prop_assert!((day.cost - day.hours * Decimal::new(prices[0], 4)).abs() <= Decimal::new(1, 12));
        }
    }
}
