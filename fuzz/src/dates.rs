//! Date and range validation on any text: no panic; an accepted range is 1 to 31 days,
//! in order, and its dates are written back exactly as given.

use bec_usage::query::{format_date, split_range_str, UsageQuery};

/// Checks one input, as the fuzz target receives it.
fn check(input: (&str, &str)) {
    let (begin, end) = input;
    if let Ok(query) = UsageQuery::new(begin, end) {
        assert!(query.begin_date() <= query.end_date());
        assert!((1..=31).contains(&query.days()));
        assert_eq!(format_date(query.begin_date()), begin);
        assert_eq!(format_date(query.end_date()), end);
    }
    if let Ok(chunks) = split_range_str(begin, end) {
        // The chunks tile the range: consecutive, each at most 31 days.
        for pair in chunks.windows(2) {
            assert_eq!(pair[0].end_date().succ_opt(), Some(pair[1].begin_date()));
        }
        assert!(chunks.iter().all(|chunk| chunk.days() <= 31));
    }
}

/// Checks the input the fuzzer's bytes make (the `arbitrary` crate, as `fuzz_target!` does).
pub fn run(bytes: &[u8]) {
    if let Some(input) = crate::take(bytes) {
        check(input);
    }
}
