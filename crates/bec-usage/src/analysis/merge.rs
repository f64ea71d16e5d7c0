//! Joining the responses of a split range into one response.
//!
//! A range longer than one query allows is fetched in chunks
//! ([`crate::query::split_range`]); [`merge_responses`] puts the answers back together so
//! that everything downstream (statistics, daily table, charts, CSV) sees one response.

use crate::error::{Error, ErrorKind, Result};
use crate::model::{ResourceSeries, SummaryDay, TimeSpan, UsageResponse};
use crate::text::Quoted;

/// Merges the responses of the chunks of one range, in chunk order.
///
/// - `accountId` must be the same in all responses.
/// - `timeSpan` runs from the earliest `beginDate` to the latest `endDate`.
/// - Resources come in order of first appearance (the first chunk's order, then resources
///   new in later chunks).
/// - A resource's points are the chunks' points concatenated, then sorted by timestamp
///   (stable, so equal timestamps keep chunk order), then of each run of equal timestamps
///   only the first is kept: chunks that overlap at a boundary do not count a point twice.
/// - `count` is the sum of the chunks' counts, not the merged number of points: it is the
///   service's claim, kept as the service made it so that [`crate::quality`] can still
///   report where the claim and the points disagree.
/// - The unit is the first non-empty unit of the resource.
/// - `summary` has every day of every chunk, sorted by date. For a day given by more than
///   one chunk, a resource keeps the first chunk's value, and resources only a later chunk
///   gives are added after.
///
/// Errors: [`ErrorKind::InvalidArgument`] when `responses` is empty;
/// [`ErrorKind::AccountMismatch`] when two responses have different `accountId`s;
/// [`ErrorKind::Overflow`] when the counts add up beyond `u64`.
pub fn merge_responses(responses: &[UsageResponse]) -> Result<UsageResponse> {
    let borrowed: Vec<&UsageResponse> = responses.iter().collect();
    merge_response_refs(&borrowed)
}

/// [`merge_responses`] of responses held elsewhere (each behind an `Rc`, say, as the
/// JavaScript bindings hold them), without copying them first.
pub fn merge_response_refs(responses: &[&UsageResponse]) -> Result<UsageResponse> {
    let Some(first) = responses.first() else {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "there are no responses to merge; give the response of at least one chunk",
        ));
    };
    if let Some((index, other)) = responses
        .iter()
        .enumerate()
        .find(|(_, r)| r.account_id != first.account_id)
    {
        return Err(Error::new(
            ErrorKind::AccountMismatch,
            format!(
                "cannot merge responses of different accounts: response 0 is for accountId \
                 {} but response {index} is for accountId {}; merge only the chunks of \
                 one account's query",
                Quoted(&first.account_id),
                Quoted(&other.account_id)
            ),
        ));
    }

    let time_span = TimeSpan {
        begin_date: responses
            .iter()
            .map(|r| r.time_span.begin_date)
            .min()
            .unwrap_or(first.time_span.begin_date),
        end_date: responses
            .iter()
            .map(|r| r.time_span.end_date)
            .max()
            .unwrap_or(first.time_span.end_date),
    };

    Ok(UsageResponse {
        account_id: first.account_id.clone(),
        time_span,
        resources: merge_resources(responses)?,
        summary: merge_summaries(responses),
    })
}

fn merge_resources(responses: &[&UsageResponse]) -> Result<Vec<ResourceSeries>> {
    // First pass: the resources in order of first appearance, their counts and units, and
    // how many points each will hold, so every point vector is allocated once.
    let mut merged: Vec<ResourceSeries> = Vec::new();
    let mut lengths: Vec<usize> = Vec::new();
    for (position, series) in responses
        .iter()
        .flat_map(|r| r.resources.iter().enumerate())
    {
        let index = match find_resource(&merged, &series.name, position) {
            Some(index) => index,
            None => {
                merged.push(ResourceSeries {
                    name: series.name.clone(),
                    count: 0,
                    unit: String::new(),
                    points: Vec::new(),
                });
                lengths.push(0);
                merged.len() - 1
            }
        };
        let (Some(target), Some(length)) = (merged.get_mut(index), lengths.get_mut(index)) else {
            continue; // `index` was handed out for a pushed entry; unreachable
        };
        target.count = target.count.checked_add(series.count).ok_or_else(|| {
            Error::new(
                ErrorKind::Overflow,
                format!(
                    "the counts of resource {} add up to more than {}; a count is absurd",
                    Quoted(&series.name),
                    u64::MAX
                ),
            )
        })?;
        if target.unit.is_empty() {
            target.unit.clone_from(&series.unit);
        }
        *length = length.saturating_add(series.points.len());
    }
    for (target, length) in merged.iter_mut().zip(&lengths) {
        target.points.reserve_exact(*length);
    }

    // Second pass: the points.
    for (position, series) in responses
        .iter()
        .flat_map(|r| r.resources.iter().enumerate())
    {
        if let Some(target) =
            find_resource(&merged, &series.name, position).and_then(|i| merged.get_mut(i))
        {
            target.points.extend_from_slice(&series.points);
        }
    }
    for target in &mut merged {
        if !target
            .points
            .windows(2)
            .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms)
        {
            crate::sort::sort_by_key(&mut target.points, |p| p.timestamp_ms); // stable
        }
        target.points.dedup_by_key(|p| p.timestamp_ms); // keeps the first of each run
    }
    Ok(merged)
}

/// The index of the resource `name` in `merged`. Chunks list their resources in the same
/// order, so the series' `position` in its chunk is tried first, then every resource: a
/// response has a few dozen resources, and a map would cost more code in the WebAssembly
/// module than the search costs time.
fn find_resource(merged: &[ResourceSeries], name: &str, position: usize) -> Option<usize> {
    if merged
        .get(position)
        .is_some_and(|series| series.name == name)
    {
        return Some(position);
    }
    merged.iter().position(|series| series.name == name)
}

fn merge_summaries(responses: &[&UsageResponse]) -> Vec<SummaryDay> {
    // Every day of every chunk, by date; the stable sort keeps chunk order within a date.
    let mut days: Vec<&SummaryDay> = responses.iter().flat_map(|r| &r.summary).collect();
    crate::sort::sort_by_key(&mut days, |day| day.date);
    let mut merged: Vec<SummaryDay> = Vec::new();
    for day in days {
        if merged.last().map(|last| last.date) != Some(day.date) {
            merged.push(SummaryDay {
                date: day.date,
                values: Vec::with_capacity(day.values.len()),
            });
        }
        let Some(target) = merged.last_mut() else {
            continue; // a day was just pushed; unreachable
        };
        for value in &day.values {
            if !target.values.iter().any(|v| v.resource == value.resource) {
                target.values.push(value.clone());
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::analysis::test_support::{date, dec, point, response, series, summary_day};
    use chrono::NaiveDate;

    #[test]
    fn empty_input_is_invalid() {
        let error = merge_responses(&[]).expect_err("nothing to merge");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn single_response_is_kept_apart_from_sorting_and_dedup() {
        let one = response(
            "2024-01-01",
            "2024-01-31",
            vec![series(
                "CPU",
                "核",
                vec![point(2, "2"), point(1, "1"), point(2, "9")],
            )],
            vec![summary_day("2024-01-01", &[("CPU", "1.5")])],
        );
        let merged = merge_responses(std::slice::from_ref(&one)).expect("merges");
        assert_eq!(merged.resources[0].points, [point(1, "1"), point(2, "2")]);
        assert_eq!(merged.resources[0].count, 3, "count is the service's claim");
        assert_eq!(merged.summary, one.summary);
        assert_eq!(merged.time_span, one.time_span);
        assert_eq!(merged.account_id, "a");
    }

    #[test]
    fn different_accounts_are_refused_naming_both() {
        let a = response("2024-01-01", "2024-01-31", vec![], vec![]);
        let mut b = a.clone();
        b.account_id = "other-account".into();
        let error = merge_responses(&[a.clone(), a, b]).expect_err("mismatch");
        assert_eq!(error.kind(), ErrorKind::AccountMismatch);
        assert!(error.message().contains("\"a\""), "{}", error.message());
        assert!(
            error.message().contains("\"other-account\""),
            "{}",
            error.message()
        );
        assert!(
            error.message().contains("response 2"),
            "{}",
            error.message()
        );
    }

    fn chunks() -> Vec<UsageResponse> {
        vec![
            response(
                "2024-01-01",
                "2024-01-31",
                vec![
                    series(
                        "CPU",
                        "核",
                        vec![point(10, "1"), point(20, "2"), point(30, "3")],
                    ),
                    series("Memory", "", vec![point(10, "8")]),
                ],
                vec![
                    summary_day("2024-01-31", &[("CPU", "2"), ("Memory", "8")]),
                    summary_day("2024-01-01", &[("CPU", "1")]),
                ],
            ),
            response(
                "2024-02-01",
                "2024-02-10",
                vec![
                    series("EIP", "个", vec![point(40, "1")]),
                    // Overlaps the first chunk at 30: the first chunk's 3 is kept.
                    series("CPU", "cores", vec![point(30, "300"), point(40, "4")]),
                    series("Memory", "GB", vec![point(5, "7")]),
                ],
                vec![
                    summary_day("2024-02-01", &[("CPU", "4")]),
                    summary_day("2024-01-31", &[("CPU", "999"), ("EIP", "1")]),
                ],
            ),
        ]
    }

    #[test]
    fn series_are_concatenated_sorted_and_deduplicated() {
        let merged = merge_responses(&chunks()).expect("merges");
        let names: Vec<&str> = merged.resource_names().collect();
        assert_eq!(names, ["CPU", "Memory", "EIP"]);
        let cpu = &merged.resources[0];
        assert_eq!(
            cpu.points,
            [
                point(10, "1"),
                point(20, "2"),
                point(30, "3"),
                point(40, "4")
            ]
        );
        assert_eq!(
            cpu.count, 5,
            "3 + 2 as the chunks claimed, though 4 points remain"
        );
        assert_eq!(cpu.unit, "核", "the first non-empty unit");
        let memory = &merged.resources[1];
        assert_eq!(memory.points, [point(5, "7"), point(10, "8")], "sorted");
        assert_eq!(memory.unit, "GB", "the first chunk's unit was empty");
    }

    #[test]
    fn time_span_covers_all_chunks() {
        let mut input = chunks();
        input.swap(0, 1);
        let merged = merge_responses(&input).expect("merges");
        assert_eq!(merged.time_span.begin_date, date("2024-01-01"));
        assert_eq!(merged.time_span.end_date, date("2024-02-10"));
    }

    #[test]
    fn summaries_are_united_by_date_first_chunk_wins() {
        let merged = merge_responses(&chunks()).expect("merges");
        let dates: Vec<NaiveDate> = merged.summary.iter().map(|d| d.date).collect();
        assert_eq!(
            dates,
            [date("2024-01-01"), date("2024-01-31"), date("2024-02-01")]
        );
        let jan31 = &merged.summary[1];
        let values: Vec<(&str, String)> = jan31
            .values
            .iter()
            .map(|v| (v.resource.as_str(), v.average.to_string()))
            .collect();
        assert_eq!(
            values,
            [
                ("CPU", "2".to_string()),
                ("Memory", "8".to_string()),
                ("EIP", "1".to_string())
            ]
        );
        assert_eq!(
            merged.summary_average(date("2024-02-01"), "CPU"),
            Some(dec("4"))
        );
    }

    #[test]
    fn overflowing_counts_are_an_error() {
        let mut a = response(
            "2024-01-01",
            "2024-01-01",
            vec![series("CPU", "核", vec![])],
            vec![],
        );
        a.resources[0].count = u64::MAX;
        let error = merge_responses(&[a.clone(), a]).expect_err("overflow");
        assert_eq!(error.kind(), ErrorKind::Overflow);
        assert!(error.message().contains("\"CPU\""));
    }
}
