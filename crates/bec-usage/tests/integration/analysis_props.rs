//! Property tests of the analysis module (native only: proptest does not run on wasm here).
//!
//! - LTTB keeps the ends, returns strictly increasing indices, and the length it promises.
//! - The points CSV reads back, through the `csv` crate (an independent RFC 4180 reader)
//!   and chrono, to exactly the response it was written from.
//! - Daily averages account for every point; merging re-split chunks restores the series;
//!   a summary that is the recomputed average correctly rounded always matches.
#![cfg(not(target_arch = "wasm32"))]

use bec_usage::analysis::{
    daily_averages, lttb_indices, lttb_series, merge_responses, points_csv, reconcile,
    ReconcileOptions, ReconcileStatus,
};
use bec_usage::{DataPoint, ResourceSeries, SummaryDay, SummaryValue, TimeSpan, UsageResponse};
use chrono::{DateTime, FixedOffset, NaiveDate};
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the timestamps a parsed response holds.
const MIN_TIMESTAMP_MS: i64 = -62_167_219_200_000;
const MAX_TIMESTAMP_MS: i64 = 253_402_300_799_999;

// ---- strategies ---------------------------------------------------------------------

/// Text with the characters CSV must quote, quotes, spaces and non-ASCII, or anything.
fn text() -> impl Strategy<Value = String> {
    let character = prop_oneof![
        3 => prop::char::range('a', 'z'),
        1 => Just(','),
        1 => Just('"'),
        1 => Just('\r'),
        1 => Just('\n'),
        1 => Just(' '),
        1 => Just('核'),
        1 => Just('😀'),
        2 => any::<char>(),
    ];
    prop::collection::vec(character, 0..12).prop_map(String::from_iter)
}

/// Any decimal: small everyday values, and the whole range of mantissas and scales.
fn decimal() -> impl Strategy<Value = Decimal> {
    const MAX_MANTISSA: i128 = (1 << 96) - 1;
    let mantissa = prop_oneof![
        Just(0i128),
        -1_000_000i128..1_000_000,
        -MAX_MANTISSA..=MAX_MANTISSA,
    ];
    (mantissa, 0u32..=28, any::<bool>()).prop_map(|(mantissa, scale, negative_zero)| {
        let mut value = Decimal::from_i128_with_scale(mantissa, scale);
        if mantissa == 0 && negative_zero {
            value.set_sign_negative(true);
        }
        value
    })
}

/// Any timestamp of a parsed response; some on whole seconds, some in recent years.
fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS,
        (MIN_TIMESTAMP_MS / 1000..=MAX_TIMESTAMP_MS / 1000).prop_map(|s| s * 1000),
        1_600_000_000_000i64..1_800_000_000_000,
        Just(MIN_TIMESTAMP_MS),
        Just(MAX_TIMESTAMP_MS),
    ]
}

/// A whole-minute UTC offset, Beijing more often than not.
fn offset() -> impl Strategy<Value = FixedOffset> {
    prop_oneof![
        Just(8 * 3600),
        (-(23 * 60 + 59)..=(23 * 60 + 59)).prop_map(|minutes: i32| minutes * 60),
    ]
    .prop_map(|seconds| FixedOffset::east_opt(seconds).expect("within a day"))
}

fn point() -> impl Strategy<Value = DataPoint> {
    (timestamp(), decimal()).prop_map(|(timestamp_ms, amount)| DataPoint {
        timestamp_ms,
        amount,
    })
}

fn series() -> impl Strategy<Value = ResourceSeries> {
    (text(), text(), prop::collection::vec(point(), 0..20)).prop_map(|(name, unit, points)| {
        ResourceSeries {
            name,
            count: points.len() as u64,
            unit,
            points,
        }
    })
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

fn response_of(resources: Vec<ResourceSeries>, summary: Vec<SummaryDay>) -> UsageResponse {
    UsageResponse {
        account_id: "a".into(),
        time_span: TimeSpan {
            begin_date: day("2024-01-01"),
            end_date: day("2024-01-31"),
        },
        resources,
        summary,
    }
}

/// Sorted x values (with repeats) and y values of the same length.
fn xy() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop::collection::vec((0u32..5, -1e6f64..1e6), 0..300).prop_map(|pairs| {
        let mut x = 0.0;
        pairs
            .into_iter()
            .map(|(step, y)| {
                x += f64::from(step);
                (x, y)
            })
            .unzip()
    })
}

// ---- LTTB ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lttb_keeps_ends_increases_strictly_and_has_the_promised_length(
        (xs, ys) in xy(),
        target in 0usize..320,
    ) {
        let n = xs.len();
        let selected = lttb_indices(&xs, &ys, target).expect("same lengths");
        let expected_len = if n <= target {
            n
        } else if target >= 3 {
            target
        } else {
            n.min(2)
        };
        prop_assert_eq!(selected.len(), expected_len);
        if n > 0 {
            prop_assert_eq!(selected.first(), Some(&0));
            prop_assert_eq!(selected.last(), Some(&(n - 1)));
        }
        for pair in selected.windows(2) {
            prop_assert!(pair[0] < pair[1], "not strictly increasing: {:?}", selected);
            prop_assert!(xs[pair[0]] <= xs[pair[1]]);
        }
        if n <= target {
            prop_assert_eq!(selected, (0..n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn lttb_series_returns_original_points_in_time_order(
        points in prop::collection::vec(point(), 0..200),
        target in 0usize..60,
    ) {
        let series = ResourceSeries { name: "CPU".into(), count: 0, unit: "核".into(), points };
        let kept = lttb_series(&series, target);
        let mut sorted = series.points.clone();
        sorted.sort_by_key(|p| p.timestamp_ms);
        if sorted.len() <= target {
            prop_assert_eq!(&kept, &sorted);
        } else {
            prop_assert_eq!(kept.len(), if target >= 3 { target } else { sorted.len().min(2) });
            prop_assert_eq!(kept.first(), sorted.first());
            prop_assert_eq!(kept.last(), sorted.last());
        }
        // `kept` is a subsequence of `sorted`: every kept point, exact amount included, is
        // found in order.
        let mut rest = sorted.iter();
        for p in &kept {
            prop_assert!(rest.any(|q| q == p && q.amount.scale() == p.amount.scale()));
        }
    }
}

// ---- CSV round trip -----------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn points_csv_reads_back_exactly(
        resources in prop::collection::vec(series(), 0..5),
        zone in offset(),
    ) {
        let response = response_of(resources, vec![]);
        let text = points_csv(&response, zone).expect("writes");
        prop_assert!(text.ends_with("\r\n"));

        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let headers = reader.headers().expect("a header row").clone();
        prop_assert_eq!(headers.iter().collect::<Vec<_>>(), ["resource", "unit", "timestamp", "amount"]);
        let records: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().expect("valid RFC 4180");

        let expected: Vec<(&ResourceSeries, &DataPoint)> = response
            .resources
            .iter()
            .flat_map(|s| s.points.iter().map(move |p| (s, p)))
            .collect();
        prop_assert_eq!(records.len(), expected.len());
        for (record, (series, point)) in records.iter().zip(expected) {
            prop_assert_eq!(record.len(), 4);
            prop_assert_eq!(&record[0], series.name.as_str());
            prop_assert_eq!(&record[1], series.unit.as_str());

            let written = &record[2];
            let parsed = DateTime::parse_from_str(written, "%Y-%m-%dT%H:%M:%S%.f%:z")
                .map_err(|e| TestCaseError::fail(format!("{written:?}: {e}")))?;
            prop_assert_eq!(parsed.timestamp_millis(), point.timestamp_ms, "{}", written);
            prop_assert_eq!(*parsed.offset(), zone);
            prop_assert_eq!(written.contains('.'), point.timestamp_ms.rem_euclid(1000) != 0);

            let amount_text = &record[3];
            prop_assert_eq!(amount_text, point.amount.to_string());
            let amount = Decimal::from_str_exact(amount_text)
                .map_err(|e| TestCaseError::fail(format!("{amount_text:?}: {e}")))?;
            prop_assert_eq!(amount, point.amount);
            prop_assert_eq!(amount.scale(), point.amount.scale());
            prop_assert!(!amount_text.contains(['e', 'E']));
        }
    }
}

// ---- daily averages, merge, reconciliation ------------------------------------------

/// Points of January 2024 (UTC), amounts with up to 6 places.
fn january_point() -> impl Strategy<Value = DataPoint> {
    (
        1_704_067_200_000i64..1_706_745_600_000,
        -1_000_000_000i64..1_000_000_000,
        0u32..=6,
    )
        .prop_map(|(timestamp_ms, mantissa, scale)| DataPoint {
            timestamp_ms,
            amount: Decimal::new(mantissa, scale),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn daily_cells_account_for_every_point(
        mut points in prop::collection::vec(january_point(), 0..300),
        zone in offset(),
        uniform in any::<bool>(),
    ) {
        // One scale for all (the fast path) or many (the general one).
        if uniform {
            let scale = points.first().map_or(0, |p| p.amount.scale());
            for p in &mut points {
                p.amount = Decimal::from_i128_with_scale(p.amount.mantissa(), scale);
            }
        }
        let series = ResourceSeries { name: "CPU".into(), count: 0, unit: "核".into(), points };
        let response = response_of(vec![series.clone()], vec![]);
        let table = daily_averages(&response, zone).expect("no overflow");
        let total: usize = (0..table.dates().len())
            .filter_map(|d| table.cell(d, 0))
            .map(|c| c.points)
            .sum();
        prop_assert_eq!(total, series.points.len());
        for (d, date) in table.dates().iter().enumerate() {
            let day_points: Vec<Decimal> = series
                .points
                .iter()
                .filter(|p| {
                    DateTime::from_timestamp_millis(p.timestamp_ms)
                        .expect("in range")
                        .with_timezone(&zone)
                        .date_naive()
                        == *date
                })
                .map(|p| p.amount)
                .collect();
            let cell = table.cell(d, 0).expect("a day in the table has points");
            prop_assert_eq!(cell.points, day_points.len());
            let sum: Decimal = day_points.iter().sum();
            let mean = sum.checked_div(Decimal::from(day_points.len() as u64)).expect("divides");
            prop_assert_eq!(cell.average, mean);
            prop_assert_eq!(cell.average.to_string(), mean.normalize().to_string());
            // An average below 1e9 keeps at least 18 places of its 28 significant digits, so
            // times at most 300 points it is the sum to within 300 × 1e-18.
            let back = cell.average * Decimal::from(cell.points as u64);
            prop_assert!((back - sum).abs() <= Decimal::new(1, 15), "{} vs {}", back, sum);
        }
    }

    #[test]
    fn merging_resplit_chunks_restores_the_sorted_series(
        points in prop::collection::vec(january_point(), 0..200),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        // Cut the list at arbitrary places into chunks of one response each.
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c.index(points.len() + 1)).collect();
        bounds.push(0);
        bounds.push(points.len());
        bounds.sort_unstable();
        let chunks: Vec<UsageResponse> = bounds
            .windows(2)
            .map(|w| {
                let part = points[w[0]..w[1]].to_vec();
                let series = ResourceSeries {
                    name: "CPU".into(),
                    count: part.len() as u64,
                    unit: "核".into(),
                    points: part,
                };
                response_of(vec![series], vec![])
            })
            .collect();
        let merged = merge_responses(&chunks).expect("same account");

        let mut expected = points.clone();
        expected.sort_by_key(|p| p.timestamp_ms);
        expected.dedup_by_key(|p| p.timestamp_ms);
        prop_assert_eq!(&merged.resources[0].points, &expected);
        prop_assert_eq!(merged.resources[0].count, points.len() as u64);
    }

    #[test]
    fn correctly_rounded_summary_always_matches(
        points in prop::collection::vec(january_point(), 1..100),
        places in 0u32..=10,
        half_even in any::<bool>(),
    ) {
        let series = ResourceSeries { name: "CPU".into(), count: 0, unit: "核".into(), points };
        let response = response_of(vec![series], vec![]);
        let options = ReconcileOptions::default();
        let table = daily_averages(&response, options.offset).expect("no overflow");
        let strategy = if half_even {
            RoundingStrategy::MidpointNearestEven
        } else {
            RoundingStrategy::MidpointAwayFromZero
        };
        let summary: Vec<SummaryDay> = table
            .dates()
            .iter()
            .enumerate()
            .filter_map(|(d, date)| {
                let cell = table.cell(d, 0)?;
                let mut rounded = cell.average.round_dp_with_strategy(places, strategy);
                // Show exactly `places` places, as a service writing `setScale(places)` would.
                rounded.rescale(places);
                Some(SummaryDay {
                    date: *date,
                    values: vec![SummaryValue { resource: "CPU".into(), average: rounded }],
                })
            })
            .collect();
        let with_summary = UsageResponse { summary, ..response };
        let result = reconcile(&with_summary, &options).expect("reconciles");
        prop_assert_eq!(result.rows.len(), table.dates().len());
        for row in &result.rows {
            prop_assert_eq!(row.status, ReconcileStatus::Match, "{:?}", row);
        }
    }
}

// ---- statistics ---------------------------------------------------------------------

/// Amounts small enough that 200 of them cannot overflow, with one scale or many, and
/// mantissas either all tiny (ties everywhere) or spread over 80 bits.
fn amounts((uniform, tiny): (bool, bool)) -> impl Strategy<Value = Vec<DataPoint>> {
    let limit = if tiny { 3 } else { 1i128 << 80 };
    let point = (-1_000i64..1_000, -limit..limit, 0u32..=28);
    prop::collection::vec(point, 1..200).prop_map(move |raw| {
        let scale = raw.first().map_or(0, |p| p.2);
        raw.into_iter()
            .map(|(timestamp_ms, mantissa, own_scale)| DataPoint {
                timestamp_ms,
                amount: Decimal::from_i128_with_scale(
                    mantissa,
                    if uniform { scale } else { own_scale },
                ),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn stats_agree_with_a_naive_computation(points in any::<(bool, bool)>().prop_flat_map(amounts)) {
        let stats = bec_usage::analysis::point_stats(&points)
            .expect("no overflow")
            .expect("not empty");
        let first_with = |amount: Decimal| points.iter().find(|p| p.amount == amount).copied();
        let min = points.iter().map(|p| p.amount).min().expect("not empty");
        let max = points.iter().map(|p| p.amount).max().expect("not empty");
        let sum = points
            .iter()
            .try_fold(Decimal::ZERO, |acc, p| acc.checked_add(p.amount))
            .expect("no overflow");
        let latest = points.iter().map(|p| p.timestamp_ms).max().expect("not empty");
        let last = points.iter().rev().find(|p| p.timestamp_ms == latest).copied();

        prop_assert_eq!(Some(stats.min), first_with(min));
        prop_assert_eq!(stats.min.amount.scale(), first_with(min).expect("found").amount.scale());
        prop_assert_eq!(Some(stats.max), first_with(max));
        prop_assert_eq!(Some(stats.last), last);
        prop_assert_eq!(stats.sum, sum);
        prop_assert_eq!(stats.sum.scale(), sum.scale());
        prop_assert_eq!(stats.points, points.len());
        let mean = sum / Decimal::from(points.len() as u64);
        prop_assert_eq!(stats.mean, mean);
    }
}
