//! What a stored day is, as pure functions: cutting a response into days
//! ([`split_days`]), which days of a range are still missing ([`missing_runs`]), and
//! putting days (and fetched parts) back together ([`assemble`], the core's merge).
//!
//! # A day
//!
//! BEC's days are Beijing dates (UTC+08:00): a point belongs to the date of its timestamp
//! in Beijing time, and `summary` is keyed by those dates. A stored day is the
//! [`UsageResponse`] the service would give for that one date: `timeSpan` that date,
//! every resource the answer listed (in its order, with the unit), each with the points of
//! that date and `count` their number, and that date's `summary` entry if the answer had
//! one.
//!
//! A resource listed in an answer is kept on every day of that answer, with no points on
//! the days it had none: an answer for any range of those days then lists it, as the
//! answer it came from did (the stand-in lists every resource of the account on every
//! range; a resource the service lists only on some ranges is never dropped).
//!
//! Merging days with the core's [`merge_parts`] gives the answer for the range of the
//! days: resources in order of first appearance, points concatenated, counts summed,
//! `summary` days by date, `timeSpan` from the first to the last day. For a service whose
//! answers for consecutive ranges concatenate (as the stand-in's do, and BEC's for
//! settled days), that is byte for byte its answer for the whole range once written with
//! [`bec_usage::json::write_usage`].

use std::collections::HashSet;

use bec_usage::fetch_plan::merge_parts;
use bec_usage::query::{date_of_epoch_day, epoch_day, format_date, BEIJING_OFFSET_MS, DAY_MS};
use bec_usage::{ResourceSeries, SummaryDay, TimeSpan, UsageResponse};
use chrono::NaiveDate;

use crate::error::{Error, ErrorKind, Result};

/// The Beijing date of a timestamp (epoch milliseconds), if it is a date of the calendar.
pub fn beijing_date(timestamp_ms: i64) -> Option<NaiveDate> {
    let day = timestamp_ms
        .checked_add(BEIJING_OFFSET_MS)?
        .div_euclid(DAY_MS);
    date_of_epoch_day(day)
}

/// The first millisecond of Beijing date `date`, in epoch milliseconds.
pub fn beijing_midnight_ms(date: NaiveDate) -> i64 {
    epoch_day(date) * DAY_MS - BEIJING_OFFSET_MS
}

fn not_storable(message: String) -> Error {
    Error::new(ErrorKind::NotStorable, message)
}

/// Cuts a complete, parsed answer into its days (see the module documentation), in date
/// order, one for every date of its `timeSpan`.
///
/// Only an answer that the days give back exactly is cut; anything else is
/// [`ErrorKind::NotStorable`], with the reason (answer it, but do not store it):
/// a resource named twice, or a `summary` date or resource given twice; a `count` that
/// differs from the number of points (a claim that cannot be shared out over days); points
/// whose timestamps do not strictly increase; a point or a `summary` date outside
/// `timeSpan`.
pub fn split_days(usage: &UsageResponse) -> Result<Vec<UsageResponse>> {
    let TimeSpan {
        begin_date: begin,
        end_date: end,
    } = usage.time_span;
    if begin > end {
        return Err(not_storable(format!(
            "its timeSpan runs backwards ({} .. {})",
            format_date(begin),
            format_date(end)
        )));
    }
    let first_day = epoch_day(begin);
    let day_count = usize::try_from(epoch_day(end) - first_day + 1)
        .map_err(|_| not_storable("its timeSpan is too long".to_owned()))?;
    let mut names = HashSet::new();
    for series in &usage.resources {
        if !names.insert(series.name.as_str()) {
            return Err(not_storable(format!(
                "the resource {:?} is listed twice",
                series.name
            )));
        }
    }
    let dates: Vec<NaiveDate> = (0..day_count as i64)
        .map(|offset| {
            date_of_epoch_day(first_day + offset)
                .ok_or_else(|| not_storable("its timeSpan leaves the calendar".to_owned()))
        })
        .collect::<Result<_>>()?;
    let mut days: Vec<UsageResponse> = dates
        .iter()
        .map(|&date| UsageResponse {
            account_id: usage.account_id.clone(),
            time_span: TimeSpan {
                begin_date: date,
                end_date: date,
            },
            resources: Vec::with_capacity(usage.resources.len()),
            summary: Vec::new(),
        })
        .collect();
    for series in &usage.resources {
        if series.count != series.points.len() as u64 {
            return Err(not_storable(format!(
                "the resource {:?} claims count {} but has {} points",
                series.name,
                series.count,
                series.points.len()
            )));
        }
        if let Some(pair) = series
            .points
            .windows(2)
            .find(|pair| pair[0].timestamp_ms >= pair[1].timestamp_ms)
        {
            return Err(not_storable(format!(
                "the points of {:?} do not strictly increase in time (at {})",
                series.name, pair[1].timestamp_ms
            )));
        }
        let mut rest = series.points.as_slice();
        for (date, day) in dates.iter().zip(days.iter_mut()) {
            let next_midnight = beijing_midnight_ms(*date) + DAY_MS;
            let split = rest.partition_point(|p| p.timestamp_ms < next_midnight);
            let (today, later) = rest.split_at(split);
            if let Some(early) = today.first() {
                if early.timestamp_ms < beijing_midnight_ms(*date) {
                    return Err(not_storable(format!(
                        "a point of {:?} at {} lies before its timeSpan",
                        series.name, early.timestamp_ms
                    )));
                }
            }
            day.resources.push(ResourceSeries {
                name: series.name.clone(),
                count: today.len() as u64,
                unit: series.unit.clone(),
                points: today.to_vec(),
            });
            rest = later;
        }
        if let Some(late) = rest.first() {
            return Err(not_storable(format!(
                "a point of {:?} at {} lies after its timeSpan",
                series.name, late.timestamp_ms
            )));
        }
    }
    let mut seen_dates = HashSet::new();
    for summary in &usage.summary {
        if !seen_dates.insert(summary.date) {
            return Err(not_storable(format!(
                "the summary gives {} twice",
                format_date(summary.date)
            )));
        }
        let mut seen = HashSet::new();
        if let Some(value) = summary
            .values
            .iter()
            .find(|value| !seen.insert(value.resource.as_str()))
        {
            return Err(not_storable(format!(
                "the summary of {} gives {:?} twice",
                format_date(summary.date),
                value.resource
            )));
        }
        let index = usize::try_from(epoch_day(summary.date) - first_day)
            .ok()
            .filter(|&index| index < day_count)
            .ok_or_else(|| {
                not_storable(format!(
                    "the summary date {} lies outside its timeSpan",
                    format_date(summary.date)
                ))
            })?;
        if let Some(day) = days.get_mut(index) {
            day.summary.push(SummaryDay {
                date: summary.date,
                values: summary.values.clone(),
            });
        }
    }
    Ok(days)
}

/// The runs of consecutive days of `begin ..= end` that are not in `stored` (sorted or
/// not), in order, as `(first, last)` pairs.
pub fn missing_runs(
    begin: NaiveDate,
    end: NaiveDate,
    stored: &[NaiveDate],
) -> Vec<(NaiveDate, NaiveDate)> {
    let stored: HashSet<NaiveDate> = stored.iter().copied().collect();
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut day = begin;
    while day <= end {
        if !stored.contains(&day) {
            match runs.last_mut() {
                Some((_, last)) if last.succ_opt() == Some(day) => *last = day,
                _ => runs.push((day, day)),
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    runs
}

/// Puts parts (stored days, fetched answers) together into one answer, with the core's
/// [`merge_parts`]: give them in date order. Errors as `merge_parts` does (no part;
/// parts of different `accountId`s).
pub fn assemble(parts: Vec<UsageResponse>) -> Result<UsageResponse> {
    merge_parts(parts).map_err(|error| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("the parts do not merge: {}", error.message()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bec_usage::json::write_usage;
    use bec_usage::synthetic::{generate, SyntheticOptions};
    use bec_usage::{DataPoint, SummaryValue};
    use rust_decimal::Decimal;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn month(begin: &str, end: &str) -> UsageResponse {
        generate(
            &SyntheticOptions::new(d(begin), d(end))
                .with_seed(7)
                .with_step_seconds(3600),
        )
        .expect("generated")
    }

    #[test]
    fn the_days_of_an_answer_merge_back_to_it_and_to_any_sub_range() {
        let whole = month("2024-02-20", "2024-03-05");
        let days = split_days(&whole).expect("storable");
        assert_eq!(days.len(), 15);
        assert_eq!(days[0].time_span.begin_date, d("2024-02-20"));
        let merged = assemble(days.clone()).expect("merges");
        assert_eq!(write_usage(&merged), write_usage(&whole));
        // Any sub-range of the days is the generator's own answer for it.
        let middle = assemble(days[3..9].to_vec()).expect("merges");
        assert_eq!(
            write_usage(&middle),
            write_usage(&month("2024-02-23", "2024-02-28"))
        );
        // One day alone too (one part is the answer as it is).
        let one = assemble(vec![days[9].clone()]).expect("one");
        assert_eq!(
            write_usage(&one),
            write_usage(&month("2024-02-29", "2024-02-29"))
        );
    }

    #[test]
    fn a_resource_of_some_days_is_listed_on_every_day_of_its_answer() {
        let mut usage = month("2024-01-01", "2024-01-03");
        usage.resources.truncate(1);
        usage.resources.push(ResourceSeries {
            name: "GPU".into(),
            count: 1,
            unit: "卡".into(),
            points: vec![DataPoint {
                timestamp_ms: beijing_midnight_ms(d("2024-01-02")) + 60_000,
                amount: Decimal::new(-0, 0),
            }],
        });
        let days = split_days(&usage).expect("storable");
        for (index, day) in days.iter().enumerate() {
            let gpu = day.resource("GPU").expect("listed every day");
            assert_eq!(gpu.count, u64::from(index == 1), "{index}");
            assert_eq!(gpu.unit, "卡");
        }
    }

    #[test]
    fn what_cannot_be_given_back_exactly_is_not_storable() {
        let base = month("2024-01-01", "2024-01-02");
        let mut claim = base.clone();
        claim.resources[0].count += 1;
        let mut unsorted = base.clone();
        unsorted.resources[0].points.swap(0, 1);
        let mut outside = base.clone();
        outside.resources[0].points.push(DataPoint {
            timestamp_ms: beijing_midnight_ms(d("2024-01-03")),
            amount: Decimal::ONE,
        });
        outside.resources[0].count += 1;
        let mut early = base.clone();
        early.resources[0].points.insert(
            0,
            DataPoint {
                timestamp_ms: beijing_midnight_ms(d("2024-01-01")) - 1,
                amount: Decimal::ONE,
            },
        );
        early.resources[0].count += 1;
        let mut twice = base.clone();
        twice.resources.push(twice.resources[0].clone());
        let mut summary_outside = base.clone();
        summary_outside.summary.push(SummaryDay {
            date: d("2023-12-31"),
            values: vec![SummaryValue {
                resource: "CPU".into(),
                average: Decimal::ONE,
            }],
        });
        for (what, usage) in [
            ("count", claim),
            ("increase", unsorted),
            ("after", outside),
            ("before", early),
            ("twice", twice),
            ("outside", summary_outside),
        ] {
            let error = split_days(&usage).expect_err(what);
            assert_eq!(error.kind(), ErrorKind::NotStorable);
            assert!(error.message().contains(what), "{}", error.message());
        }
    }

    #[test]
    fn missing_runs_are_the_gaps_between_stored_days() {
        let stored = [d("2024-01-03"), d("2024-01-04"), d("2024-01-07")];
        assert_eq!(
            missing_runs(d("2024-01-01"), d("2024-01-08"), &stored),
            [
                (d("2024-01-01"), d("2024-01-02")),
                (d("2024-01-05"), d("2024-01-06")),
                (d("2024-01-08"), d("2024-01-08")),
            ]
        );
        assert!(missing_runs(d("2024-01-03"), d("2024-01-04"), &stored).is_empty());
    }

    #[test]
    fn beijing_dates_turn_at_16_utc() {
        let midnight = beijing_midnight_ms(d("2024-01-02"));
        assert_eq!(beijing_date(midnight), Some(d("2024-01-02")));
        assert_eq!(beijing_date(midnight - 1), Some(d("2024-01-01")));
    }
}
