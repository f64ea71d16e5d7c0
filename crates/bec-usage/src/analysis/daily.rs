//! Daily averages recomputed from `dataList`.
//!
//! A point belongs to the calendar day its timestamp falls on in a fixed UTC offset
//! (Beijing time, +08:00, unless the caller chooses another): day number
//! `(timestamp_ms + offset_ms).div_euclid(86_400_000)` counted from 1970-01-01. A day's
//! average is the exact arithmetic mean of that day's points, whatever their spacing.
//!
//! One pass per series: a series' points mostly come in time order, so the current day's
//! bounds are cached and a point of the same day costs two comparisons and one addition;
//! only a change of day looks the day up. The addition is of 128-bit integer mantissas when
//! all amounts of the series have one scale (about 2.5 ns a point for a month of minute
//! data); a series with mixed scales is summed again in `Decimal` arithmetic.

use chrono::{FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use super::{date_of_epoch_day, offset_ms};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{DataPoint, ResourceSeries, UsageResponse};
use crate::query::DAY_MS;
use crate::text::{Day, Quoted};

/// One cell of a [`DailyTable`]: a resource's average on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DailyCell {
    /// The exact mean of the day's amounts (rounded to 28–29 significant digits only when
    /// the quotient does not terminate), trailing zeros removed.
    pub average: Decimal,
    /// How many points the average is made of.
    pub points: usize,
}

/// Daily averages, one row per day and one column per resource.
///
/// Days are sorted ascending and are exactly the days on which some resource has a point;
/// resources are in the response's order and include resources without points (whose
/// column is empty). A cell is `None` when the resource has no point on that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyTable {
    offset: FixedOffset,
    dates: Vec<NaiveDate>,
    resources: Vec<String>,
    units: Vec<String>,
    /// Row-major: the cell of date `d` and resource `r` is at `d * resources.len() + r`.
    cells: Vec<Option<DailyCell>>,
}

impl DailyTable {
    /// The UTC offset whose calendar days are the rows.
    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// The days, sorted ascending.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// The resource names, in the response's order.
    pub fn resources(&self) -> &[String] {
        &self.resources
    }

    /// The units, one per resource, in the same order as [`DailyTable::resources`].
    pub fn units(&self) -> &[String] {
        &self.units
    }

    /// `true` when there is no day (no resource has a point).
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The cells of the day at `date_index`, one per resource; `None` when out of range.
    pub fn row(&self, date_index: usize) -> Option<&[Option<DailyCell>]> {
        let width = self.resources.len();
        let start = date_index.checked_mul(width)?;
        self.cells.get(start..start.checked_add(width)?)
    }

    /// The cell at (`date_index`, `resource_index`); `None` when out of range or empty.
    pub fn cell(&self, date_index: usize, resource_index: usize) -> Option<&DailyCell> {
        self.row(date_index)?.get(resource_index)?.as_ref()
    }

    /// The average of `resource` on `date`; `None` when there is none.
    pub fn get(&self, date: NaiveDate, resource: &str) -> Option<&DailyCell> {
        let date_index = self.dates.binary_search(&date).ok()?;
        let resource_index = self.resources.iter().position(|r| r == resource)?;
        self.cell(date_index, resource_index)
    }

    /// The index of `resource` among [`DailyTable::resources`].
    pub fn resource_index(&self, resource: &str) -> Option<usize> {
        self.resources.iter().position(|r| r == resource)
    }
}

/// The sum of one (series, day).
struct DayAccumulator {
    day: i64,
    sum: Decimal,
    points: usize,
}

/// A running sum of amounts.
trait RunningSum: Copy {
    /// Adds `amount`; `false` when this kind of sum cannot take it.
    fn add(&mut self, amount: Decimal) -> bool;
    /// The sum as a decimal; `None` when it does not fit one.
    fn total(self) -> Option<Decimal>;
}

/// The general sum: `Decimal` arithmetic, any mix of scales.
impl RunningSum for Decimal {
    fn add(&mut self, amount: Decimal) -> bool {
        match super::checked_add(*self, amount) {
            Some(sum) => {
                *self = sum;
                true
            }
            None => false,
        }
    }

    fn total(self) -> Option<Decimal> {
        Some(self)
    }
}

/// The fast sum of amounts that all have one scale: their 128-bit integer mantissas,
/// added without the scale alignment `Decimal` arithmetic does on every operation.
#[derive(Clone, Copy)]
struct MantissaSum {
    mantissa: i128,
    scale: u32,
}

impl RunningSum for MantissaSum {
    fn add(&mut self, amount: Decimal) -> bool {
        if amount.scale() != self.scale {
            return false;
        }
        // |mantissa| < 2^96, so 2^31 of them cannot overflow; checked all the same.
        match self.mantissa.checked_add(amount.mantissa()) {
            Some(sum) => {
                self.mantissa = sum;
                true
            }
            None => false,
        }
    }

    fn total(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.mantissa, self.scale).ok()
    }
}

/// Why a pass over a series stopped.
enum Stop {
    /// The point at `index` has a timestamp too far out to shift into local time.
    Timestamp { index: usize, timestamp_ms: i64 },
    /// The sum of day `day` could not take a point or does not fit a decimal.
    Sum { day: i64 },
}

/// Recomputes the daily averages of every resource from its points, bucketing by the
/// calendar day in `offset` (usually [`crate::query::beijing_offset`]).
///
/// Errors: [`ErrorKind::Overflow`] when a day's sum leaves the range of a 96-bit decimal;
/// [`ErrorKind::InvalidTimestamp`] when a timestamp is so far from today that its day has
/// no calendar date (beyond ±262,000 years; a parsed response never has one).
pub fn daily_averages(response: &UsageResponse, offset: FixedOffset) -> Result<DailyTable> {
    let shift = offset_ms(offset);
    let per_series = response
        .resources
        .iter()
        .map(|series| accumulate_days(series, shift))
        .collect::<Result<Vec<_>>>()?;

    let mut days: Vec<i64> = per_series
        .iter()
        .flat_map(|accumulators| accumulators.iter().map(|a| a.day))
        .collect();
    crate::sort::sort_by_key(&mut days, |day| *day);
    days.dedup();
    let dates = days
        .iter()
        .map(|&day| {
            date_of_epoch_day(day).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidTimestamp,
                    format!(
                        "a point falls on day {day} from 1970-01-01, which has no calendar \
                         date; check the timestamps for absurd values"
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let width = response.resources.len();
    let mut cells = vec![None; days.len() * width];
    for (resource_index, (series, accumulators)) in
        response.resources.iter().zip(&per_series).enumerate()
    {
        for accumulator in accumulators {
            let Ok(date_index) = days.binary_search(&accumulator.day) else {
                continue; // every day was collected above; unreachable
            };
            // `points >= 1` for every accumulator, so the division cannot fail; checked anyway.
            let average = accumulator
                .sum
                .checked_div(Decimal::from(accumulator.points as u64))
                .ok_or_else(|| day_overflow(series, dates[date_index]))?
                .normalize();
            cells[date_index * width + resource_index] = Some(DailyCell {
                average,
                points: accumulator.points,
            });
        }
    }

    Ok(DailyTable {
        offset,
        dates,
        resources: response.resources.iter().map(|s| s.name.clone()).collect(),
        units: response.resources.iter().map(|s| s.unit.clone()).collect(),
        cells,
    })
}

/// The per-day sums of one series, in order of first appearance of each day.
///
/// First tried with [`MantissaSum`], three to four times faster, which works when every
/// amount of the series has one scale (the usual case: the service writes a resource's
/// amounts with a fixed number of places); otherwise the general `Decimal` pass. Both give
/// the same sums, except that when a partial sum leaves the 96-bit range and the day's
/// total comes back into it, the fast total is exact where the general one is rounded.
fn accumulate_days(series: &ResourceSeries, shift: i64) -> Result<Vec<DayAccumulator>> {
    if let Some(first) = series.points.first() {
        let zero = MantissaSum {
            mantissa: 0,
            scale: first.amount.scale(),
        };
        if let Ok(accumulators) = accumulate(&series.points, shift, zero) {
            return Ok(accumulators);
        }
    }
    accumulate(&series.points, shift, Decimal::ZERO).map_err(|stop| match stop {
        Stop::Timestamp {
            index,
            timestamp_ms,
        } => timestamp_overflow(series, index, timestamp_ms),
        Stop::Sum { day } => match date_of_epoch_day(day) {
            Some(date) => day_overflow(series, date),
            None => Error::new(
                ErrorKind::InvalidTimestamp,
                format!(
                    "a point of resource {} falls on day {day} from 1970-01-01, which has \
                     no calendar date; check the timestamps for absurd values",
                    Quoted(&series.name)
                ),
            ),
        },
    })
}

/// One pass over `points` with sums of type `S`.
fn accumulate<S: RunningSum>(
    points: &[DataPoint],
    shift: i64,
    zero: S,
) -> Result<Vec<DayAccumulator>, Stop> {
    struct Running<S> {
        day: i64,
        sum: S,
        points: usize,
    }
    let mut running: Vec<Running<S>> = Vec::new();
    // The latest day so far: when the day changes to a later one (points in time order),
    // it is new; only a return to an earlier day searches `running`, which holds a few
    // dozen days (a map would cost more code in the WebAssembly module than that search).
    let mut latest_day: Option<i64> = None;
    // The current day as a half-open range of local milliseconds, and its accumulator.
    // The initial range is empty, so the first point always looks its day up.
    let (mut day_start, mut day_end, mut current) = (0i64, 0i64, 0usize);

    for (index, point) in points.iter().enumerate() {
        let local = point
            .timestamp_ms
            .checked_add(shift)
            .ok_or(Stop::Timestamp {
                index,
                timestamp_ms: point.timestamp_ms,
            })?;
        if local < day_start || local >= day_end {
            let day = local.div_euclid(DAY_MS);
            let known = if latest_day.is_some_and(|latest| day <= latest) {
                running.iter().position(|r| r.day == day)
            } else {
                latest_day = Some(day);
                None
            };
            current = known.unwrap_or_else(|| {
                running.push(Running {
                    day,
                    sum: zero,
                    points: 0,
                });
                running.len() - 1
            });
            // At the very ends of i64 the day's bounds may not be representable; saturating
            // keeps `day_start <= local < day_end`, and such a day has no calendar date
            // anyway (an error later).
            day_start = day.saturating_mul(DAY_MS);
            day_end = day_start.saturating_add(DAY_MS);
        }
        let Some(accumulator) = running.get_mut(current) else {
            continue; // `current` always indexes a pushed accumulator; unreachable
        };
        if !accumulator.sum.add(point.amount) {
            return Err(Stop::Sum {
                day: accumulator.day,
            });
        }
        accumulator.points += 1;
    }
    running
        .into_iter()
        .map(|r| {
            Ok(DayAccumulator {
                day: r.day,
                sum: r.sum.total().ok_or(Stop::Sum { day: r.day })?,
                points: r.points,
            })
        })
        .collect()
}

fn day_overflow(series: &ResourceSeries, date: NaiveDate) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!(
            "the sum of the amounts of resource {} on {date} leaves the range of a 96-bit \
             decimal (about ±7.9e28); check the amounts for absurd values",
            Quoted(&series.name),
            date = Day(date)
        ),
    )
}

fn timestamp_overflow(series: &ResourceSeries, index: usize, timestamp_ms: i64) -> Error {
    Error::new(
        ErrorKind::InvalidTimestamp,
        format!(
            "the timestamp {timestamp_ms} of point {index} of resource {} is too far from \
             1970 to place on a calendar day",
            Quoted(&series.name)
        ),
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::analysis::test_support::{date, dec, point, response, series, utc_ms};
    use crate::query::beijing_offset;

    #[test]
    fn beijing_midnight_splits_days_at_16_00_utc() {
        let r = response(
            "2024-01-01",
            "2024-01-02",
            vec![series(
                "CPU",
                "核",
                vec![
                    point(utc_ms("2024-01-01T15:59:00"), "1"), // 23:59 on the 1st in Beijing
                    point(utc_ms("2024-01-01T15:59:59"), "2"),
                    point(utc_ms("2024-01-01T16:00:00"), "10"), // 00:00 on the 2nd
                    point(utc_ms("2024-01-01T23:00:00"), "20"),
                ],
            )],
            vec![],
        );
        let table = daily_averages(&r, beijing_offset()).expect("no overflow");
        assert_eq!(table.dates(), [date("2024-01-01"), date("2024-01-02")]);
        assert_eq!(
            table.get(date("2024-01-01"), "CPU"),
            Some(&DailyCell {
                average: dec("1.5"),
                points: 2
            })
        );
        assert_eq!(
            table.get(date("2024-01-02"), "CPU"),
            Some(&DailyCell {
                average: dec("15"),
                points: 2
            })
        );
    }

    #[test]
    fn mixed_scales_average_exactly() {
        // Scales 1, 0 and 3 in one series: the general `Decimal` pass.
        let t = utc_ms("2024-01-01T00:00:00");
        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![series(
                "CPU",
                "核",
                vec![point(t, "1.5"), point(t + 1, "2"), point(t + 2, "0.250")],
            )],
            vec![],
        );
        let table = daily_averages(&r, beijing_offset()).expect("no overflow");
        assert_eq!(
            table.cell(0, 0),
            Some(&DailyCell {
                average: dec("1.25"),
                points: 3
            })
        );
        assert_eq!(
            table.cell(0, 0).map(|c| c.average.to_string()),
            Some("1.25".into())
        );
    }

    #[test]
    fn utc_offset_puts_the_same_points_on_one_day() {
        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![series(
                "CPU",
                "核",
                vec![
                    point(utc_ms("2024-01-01T15:59:00"), "1"),
                    point(utc_ms("2024-01-01T16:00:00"), "10"),
                ],
            )],
            vec![],
        );
        let utc = FixedOffset::east_opt(0).expect("valid offset");
        let table = daily_averages(&r, utc).expect("no overflow");
        assert_eq!(table.dates(), [date("2024-01-01")]);
        assert_eq!(table.cell(0, 0).map(|c| c.average), Some(dec("5.5")));
        assert_eq!(table.offset(), utc);
    }

    #[test]
    fn negative_offset_and_pre_1970_times_use_floor_days() {
        // 1969-12-31T23:30Z is 1969-12-31 in UTC and 1970-01-01T01:30 at +02:00.
        let r = response(
            "1969-12-31",
            "1970-01-01",
            vec![series("CPU", "核", vec![point(-30 * 60 * 1000, "3")])],
            vec![],
        );
        let utc = FixedOffset::east_opt(0).expect("valid offset");
        let plus_two = FixedOffset::east_opt(2 * 3600).expect("valid offset");
        assert_eq!(
            daily_averages(&r, utc).expect("ok").dates(),
            [date("1969-12-31")]
        );
        assert_eq!(
            daily_averages(&r, plus_two).expect("ok").dates(),
            [date("1970-01-01")]
        );
    }

    #[test]
    fn unsorted_points_return_to_earlier_days() {
        let day1 = utc_ms("2024-03-01T00:00:00");
        let day2 = utc_ms("2024-03-02T00:00:00");
        let r = response(
            "2024-03-01",
            "2024-03-02",
            vec![series(
                "Memory",
                "GB",
                vec![
                    point(day2, "4"),
                    point(day1, "1"),
                    point(day2 + 1, "6"),
                    point(day1 + 1, "2"),
                ],
            )],
            vec![],
        );
        let utc = FixedOffset::east_opt(0).expect("valid offset");
        let table = daily_averages(&r, utc).expect("no overflow");
        assert_eq!(table.dates(), [date("2024-03-01"), date("2024-03-02")]);
        assert_eq!(
            table.row(0),
            Some(
                &[Some(DailyCell {
                    average: dec("1.5"),
                    points: 2
                })][..]
            )
        );
        assert_eq!(table.cell(1, 0).map(|c| c.average), Some(dec("5")));
    }

    #[test]
    fn table_has_union_of_days_and_empty_cells() {
        let day1 = utc_ms("2024-01-01T00:00:00");
        let day3 = utc_ms("2024-01-03T00:00:00");
        let r = response(
            "2024-01-01",
            "2024-01-03",
            vec![
                series(
                    "CPU",
                    "核",
                    vec![point(day1, "1.10"), point(day1 + 60_000, "1.30")],
                ),
                series("EIP", "个", vec![]),
                series("Memory", "GB", vec![point(day3, "8")]),
            ],
            vec![],
        );
        let utc = FixedOffset::east_opt(0).expect("valid offset");
        let table = daily_averages(&r, utc).expect("no overflow");
        assert_eq!(table.dates(), [date("2024-01-01"), date("2024-01-03")]);
        assert_eq!(table.resources(), ["CPU", "EIP", "Memory"]);
        assert_eq!(table.units(), ["核", "个", "GB"]);
        assert_eq!(
            table.cell(0, 0).map(|c| c.average.to_string()),
            Some("1.2".into())
        );
        assert_eq!(table.cell(0, 1), None);
        assert_eq!(table.cell(0, 2), None);
        assert_eq!(table.cell(1, 0), None);
        assert_eq!(table.cell(1, 2).map(|c| c.points), Some(1));
        assert_eq!(table.cell(2, 0), None, "out of range");
        assert_eq!(table.cell(0, 3), None, "out of range");
        assert_eq!(table.get(date("2024-01-02"), "CPU"), None);
        assert_eq!(table.resource_index("Memory"), Some(2));
    }

    #[test]
    fn response_without_points_gives_an_empty_table() {
        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![series("CPU", "核", vec![])],
            vec![],
        );
        let table = daily_averages(&r, beijing_offset()).expect("no overflow");
        assert!(table.is_empty());
        assert_eq!(table.resources(), ["CPU"]);
        assert_eq!(table.row(0), None);
    }

    #[test]
    fn overflowing_day_sum_names_resource_and_date() {
        let t = utc_ms("2024-01-01T00:00:00");
        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![series(
                "CPU",
                "核",
                vec![
                    DataPoint {
                        timestamp_ms: t,
                        amount: Decimal::MAX,
                    },
                    DataPoint {
                        timestamp_ms: t,
                        amount: Decimal::MAX,
                    },
                ],
            )],
            vec![],
        );
        let error = daily_averages(&r, beijing_offset()).expect_err("overflow");
        assert_eq!(error.kind(), ErrorKind::Overflow);
        assert!(
            error.message().contains("\"CPU\" on 2024-01-01"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn absurd_timestamps_are_errors_not_panics() {
        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![series("CPU", "核", vec![point(i64::MAX, "1")])],
            vec![],
        );
        let error = daily_averages(&r, beijing_offset()).expect_err("out of range");
        assert_eq!(error.kind(), ErrorKind::InvalidTimestamp);

        let r = response(
            "2024-01-01",
            "2024-01-01",
            vec![series("CPU", "核", vec![point(i64::MIN, "1")])],
            vec![],
        );
        let error = daily_averages(&r, beijing_offset()).expect_err("out of range");
        assert_eq!(error.kind(), ErrorKind::InvalidTimestamp);
    }
}
