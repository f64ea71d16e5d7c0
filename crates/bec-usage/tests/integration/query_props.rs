//! Property tests of the range splitter (native only: proptest does not run on wasm here).
#![cfg(not(target_arch = "wasm32"))]

use bec_usage::query::{split_range, split_range_by, UsageQuery, MAX_DAYS};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

fn date() -> impl Strategy<Value = NaiveDate> {
    // 1990-01-01 plus up to ~60 years.
    (0i64..22_000)
        .prop_map(|days| NaiveDate::from_ymd_opt(1990, 1, 1).expect("epoch") + Duration::days(days))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn chunks_cover_the_range_in_order_without_gap_or_overlap(begin in date(), length in 0i64..1200, max in 1u32..=MAX_DAYS) {
        let end = begin + Duration::days(length);
        let chunks = split_range_by(begin, end, max).expect("valid range");
        prop_assert_eq!(chunks.first().map(|c| c.begin_date()), Some(begin));
        prop_assert_eq!(chunks.last().map(|c| c.end_date()), Some(end));
        for chunk in &chunks {
            prop_assert!(chunk.begin_date() <= chunk.end_date());
            prop_assert!(chunk.days() >= 1 && chunk.days() <= max);
            // Every chunk is itself a valid query.
            prop_assert_eq!(UsageQuery::from_dates(chunk.begin_date(), chunk.end_date()), Ok(*chunk));
        }
        for pair in chunks.windows(2) {
            prop_assert_eq!(pair[0].end_date() + Duration::days(1), pair[1].begin_date());
        }
        let covered: i64 = chunks.iter().map(|c| i64::from(c.days())).sum();
        prop_assert_eq!(covered, length + 1);
        // As few chunks as possible: all but the last are full.
        for chunk in &chunks[..chunks.len() - 1] {
            prop_assert_eq!(chunk.days(), max);
        }
    }

    #[test]
    fn a_range_that_fits_is_one_chunk(begin in date(), length in 0i64..i64::from(MAX_DAYS)) {
        let end = begin + Duration::days(length);
        let chunks = split_range(begin, end).expect("valid range");
        prop_assert_eq!(chunks.len(), 1);
        prop_assert_eq!(chunks[0], UsageQuery::from_dates(begin, end).expect("fits"));
    }

    #[test]
    fn reversed_ranges_are_refused(begin in date(), back in 1i64..400) {
        let end = begin - Duration::days(back);
        prop_assert!(split_range(begin, end).is_err());
    }

    #[test]
    fn any_string_is_validated_without_panicking(begin in "\\PC{0,14}", end in "[0-9-]{0,12}") {
        let _ = UsageQuery::new(&begin, &end);
    }
}
