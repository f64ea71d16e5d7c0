//! Forecasts: where each resource's daily unit-hours are heading, to the end of the month
//! or for the next N days, with an interval.
//!
//! # Method: seasonal level with weekday factors
//!
//! Each resource is forecast on its own, from its daily unit-hours ([`UsageHours`]):
//!
//! 1. **History.** A day is *complete* when its points cover at least
//!    [`MIN_COMPLETE_COVERAGE_MS`] (20 hours): maintenance windows remove up to about 75
//!    minutes, and such a day still says how busy that weekday is. A complete day's
//!    unit-hours are scaled up to 24 hours of coverage (`hours × 24 h / covered`), so a
//!    maintenance gap does not read as a quiet day. Days with less coverage are left out
//!    of the history (their unit-hours still count in `so_far`). Only the last
//!    [`MAX_HISTORY_DAYS`] (56) days before the forecast are used: older days say little
//!    about the level, and the work stays small.
//! 2. **Weekday factors.** For every history day, its value divided by the mean of the
//!    7-day window around it (shifted to stay inside the history); per weekday the median
//!    of these ratios, normalised so the seven factors average 1. With fewer than 14 days
//!    of history there are too few ratios per weekday, so there are two factors instead
//!    (Saturday and Sunday, the other five days); with fewer than 7 days, no factors (all 1).
//! 3. **Level.** The mean of the last 7 (or fewer) history days, each divided by its
//!    weekday's factor.
//! 4. **Forecast.** Each day ahead: `level × factor of its weekday`.
//! 5. **Interval (80 %).** Empirical: every history day with at least 7 history days before
//!    it is forecast from those days alone by the same method, and the ratios
//!    `actual / forecast` collected; their 10th and 90th percentiles (never narrower than
//!    the forecast itself: the low ratio is at most 1, the high at least 1) bound a
//!    one-day-ahead error. The day `h` days ahead gets that spread times `√h` up to `√7`
//!    ([`MAX_WIDENING_DAYS`]): the level drifts, and errors of the level add up, but usage
//!    does not wander off for ever. With fewer than [`MIN_INTERVAL_RATIOS`] ratios (under
//!    10 days of history) the interval is a fixed ±20 % a day, not widened. The backtest
//!    (`examples/analysis_scores.rs`, figures in the README) reports how often the true
//!    month-end total fell inside: 67 % from day 10 and 78 % from day 20 on the
//!    generator, 68 % on held-back generated data.
//!
//! # The horizon and the totals
//!
//! [`Forecast::last_day`] is the last day on which any resource has covered time, complete
//! or not. The forecast starts the day after it: a partial last day (data still coming in)
//! is not forecast; its unit-hours count as they are in `so_far`. For
//! [`Horizon::MonthEnd`] the days run to the end of `last_day`'s month (none when
//! `last_day` is the month's last day) and `so_far` is the resource's unit-hours on the
//! days of that month up to `last_day`; for [`Horizon::Days`] `so_far` is zero. The total
//! is `so_far` plus the sum of the days' expected, low and high values. A resource without
//! history gets no days, and its total is `so_far`.
//!
//! All values are exact [`Decimal`]s; divisions are rounded to 28 significant digits.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::hours::{ResourceHours, UsageHours};
use crate::error::{Error, ErrorKind, Result};
use crate::query::DAY_MS;

/// How far ahead to forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Horizon {
    /// From the day after the last day with data to the end of that day's month.
    #[default]
    MonthEnd,
    /// The next N days after the last day with data.
    Days(u32),
}

/// What [`forecast`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ForecastOptions {
    /// How far ahead.
    pub horizon: Horizon,
}

/// One forecast day of one resource, in unit-hours (a day's average amount is `/ 24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForecastDay {
    /// The day.
    pub date: NaiveDate,
    /// The expected unit-hours.
    pub expected: Decimal,
    /// The low end of the interval.
    pub low: Decimal,
    /// The high end of the interval.
    pub high: Decimal,
}

/// A total at the end of the horizon: what has been used plus what is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForecastTotal {
    /// The expected total.
    pub expected: Decimal,
    /// The low end of the interval.
    pub low: Decimal,
    /// The high end of the interval.
    pub high: Decimal,
}

/// The forecast of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceForecast {
    /// The resource name.
    pub resource: String,
    /// The resource's unit.
    pub unit: String,
    /// How many complete days of history the forecast used.
    pub history_days: usize,
    /// The unit-hours already used in the period the total covers (the month, for
    /// [`Horizon::MonthEnd`]; nothing for [`Horizon::Days`]).
    pub so_far: Decimal,
    /// The forecast days, ascending; empty when there is nothing to forecast.
    pub days: Vec<ForecastDay>,
    /// `so_far` plus the forecast days.
    pub total: ForecastTotal,
}

/// A forecast of every resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    /// The last day of history (the forecast starts the day after).
    pub last_day: Option<NaiveDate>,
    /// One entry per resource, in the data's order.
    pub resources: Vec<ResourceForecast>,
}

/// The least coverage, in milliseconds, for a day to count as history (20 hours).
pub const MIN_COMPLETE_COVERAGE_MS: i64 = 20 * 3_600_000;

/// The most days of history a forecast uses (the latest ones).
pub const MAX_HISTORY_DAYS: usize = 56;

/// The horizon beyond which the interval stops widening: `√7`, a week's growth. Usage
/// drifts but does not wander off like a random walk for ever (a count of EIPs that moves
/// between 12 and 13 does not become 7 to 16 within a month), so the growth is capped.
pub const MAX_WIDENING_DAYS: u32 = 7;

/// The fewest backtest ratios for an empirical interval; with fewer it is ±20 %.
pub const MIN_INTERVAL_RATIOS: usize = 3;

/// Forecasts every resource of `hours`. The method is in the module docs.
///
/// # Errors
/// [`crate::ErrorKind::Overflow`] when a sum leaves the range of a decimal.
pub fn forecast(hours: &UsageHours, options: &ForecastOptions) -> Result<Forecast> {
    let last_day = hours
        .resources
        .iter()
        .flat_map(|r| r.days.iter().map(|day| day.date))
        .max();
    let resources = hours
        .resources
        .iter()
        .map(|r| resource_forecast(r, last_day, options.horizon))
        .collect::<Result<_>>()?;
    Ok(Forecast {
        last_day,
        resources,
    })
}

fn overflow(resource: &str) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!("the forecast of {resource} exceeds the range of a decimal"),
    )
}

/// One complete day of history: its unit-hours scaled to 24 hours of coverage.
#[derive(Debug, Clone, Copy)]
struct HistoryDay {
    date: NaiveDate,
    value: Decimal,
}

/// The days a horizon covers after `last_day`.
fn horizon_days(last_day: NaiveDate, horizon: Horizon) -> Vec<NaiveDate> {
    let days = last_day.iter_days().skip(1);
    match horizon {
        Horizon::MonthEnd => days
            .take_while(|d| d.month() == last_day.month() && d.year() == last_day.year())
            .collect(),
        Horizon::Days(n) => days.take(n as usize).collect(),
    }
}

fn resource_forecast(
    resource: &ResourceHours,
    last_day: Option<NaiveDate>,
    horizon: Horizon,
) -> Result<ResourceForecast> {
    let fail = || overflow(&resource.resource);
    let add = |a: Decimal, b: Decimal| super::checked_add(a, b).ok_or_else(fail);

    let mut so_far = Decimal::ZERO;
    if let (Horizon::MonthEnd, Some(last)) = (horizon, last_day) {
        for day in &resource.days {
            if day.date <= last
                && day.date.year() == last.year()
                && day.date.month() == last.month()
            {
                so_far = add(so_far, day.hours)?;
            }
        }
    }

    let mut history = Vec::new();
    for day in &resource.days {
        if day.covered_ms >= MIN_COMPLETE_COVERAGE_MS && Some(day.date) <= last_day {
            let value = day
                .hours
                .checked_mul(Decimal::from(DAY_MS))
                .and_then(|v| v.checked_div(Decimal::from(day.covered_ms)))
                .ok_or_else(fail)?;
            history.push(HistoryDay {
                date: day.date,
                value,
            });
        }
    }
    // `days` are ascending when they come from `usage_hours`; a hand-built value may not be.
    crate::sort::sort_by_key(&mut history, |day| day.date);
    let history = &history[history.len().saturating_sub(MAX_HISTORY_DAYS)..];

    let mut days = Vec::new();
    let mut total = ForecastTotal {
        expected: so_far,
        low: so_far,
        high: so_far,
    };
    if let (Some(last), Some(model)) = (last_day, Model::fit(history).ok_or_else(fail)?) {
        let (low_ratio, high_ratio, widens) = interval_ratios(history).ok_or_else(fail)?;
        let mut widen = Decimal::ONE;
        for (ahead, date) in (1u32..).zip(horizon_days(last, horizon)) {
            let expected = model.at(date).ok_or_else(fail)?;
            // The widening stops growing at the cap: past it, the last one is kept rather
            // than the same square root worked out again for every later day.
            if widens && ahead <= MAX_WIDENING_DAYS {
                widen = widening(ahead).ok_or_else(fail)?;
            }
            let low_ratio = (Decimal::ONE - (Decimal::ONE - low_ratio) * widen).max(Decimal::ZERO);
            let high_ratio = Decimal::ONE + (high_ratio - Decimal::ONE) * widen;
            let low = expected.checked_mul(low_ratio).ok_or_else(fail)?;
            let high = expected.checked_mul(high_ratio).ok_or_else(fail)?;
            total = ForecastTotal {
                expected: add(total.expected, expected)?,
                low: add(total.low, low)?,
                high: add(total.high, high)?,
            };
            days.push(ForecastDay {
                date,
                expected: expected.normalize(),
                low: low.normalize(),
                high: high.normalize(),
            });
        }
    }
    Ok(ResourceForecast {
        resource: resource.resource.clone(),
        unit: resource.unit.clone(),
        history_days: history.len(),
        so_far,
        days,
        total: ForecastTotal {
            expected: total.expected.normalize(),
            low: total.low.normalize(),
            high: total.high.normalize(),
        },
    })
}

/// A fitted forecast: the deseasonalised level and the weekday factors (Monday first).
#[derive(Debug, Clone, Copy)]
struct Model {
    level: Decimal,
    factors: [Decimal; 7],
}

impl Model {
    /// The model of `history`; `Some(None)` when there is no history, `None` on overflow.
    fn fit(history: &[HistoryDay]) -> Option<Option<Model>> {
        if history.is_empty() {
            return Some(None);
        }
        let factors = weekday_factors(history)?;
        let recent = &history[history.len().saturating_sub(7)..];
        let mut sum = Decimal::ZERO;
        let mut count = 0u32;
        for day in recent {
            let factor = factors[weekday_index(day.date)];
            if !factor.is_zero() {
                sum = super::checked_add(sum, day.value.checked_div(factor)?)?;
                count += 1;
            }
        }
        let level = if count == 0 {
            Decimal::ZERO
        } else {
            sum.checked_div(Decimal::from(count))?
        };
        Some(Some(Model { level, factors }))
    }

    fn at(&self, date: NaiveDate) -> Option<Decimal> {
        self.level.checked_mul(self.factors[weekday_index(date)])
    }
}

fn weekday_index(date: NaiveDate) -> usize {
    date.weekday().num_days_from_monday() as usize
}

/// The weekday factors of `history` (see the module docs); `None` on overflow.
fn weekday_factors(history: &[HistoryDay]) -> Option<[Decimal; 7]> {
    let ones = [Decimal::ONE; 7];
    if history.len() < 7 {
        return Some(ones);
    }
    let (first, last) = (history[0].date, history[history.len() - 1].date);
    let mut ratios: [Vec<Decimal>; 7] = Default::default();
    for day in history {
        // The 7 calendar days around the day, shifted to stay inside the history.
        let mut start = day.date - chrono::Duration::days(3);
        if start + chrono::Duration::days(6) > last {
            start = last - chrono::Duration::days(6);
        }
        start = start.max(first);
        let end = start + chrono::Duration::days(6);
        let mut sum = Decimal::ZERO;
        let mut count = 0u32;
        // History is in date order: the window's days are one slice of it.
        let from = history.partition_point(|d| d.date < start);
        let to = history.partition_point(|d| d.date <= end);
        for other in &history[from..to] {
            sum = super::checked_add(sum, other.value)?;
            count += 1;
        }
        // Too many missing days, and the window is no longer a week's mean.
        if count < 5 || sum.is_zero() {
            continue;
        }
        let mean = sum.checked_div(Decimal::from(count))?;
        ratios[weekday_index(day.date)].push(day.value.checked_div(mean)?);
    }
    let mut factors = ones;
    if history.len() >= 14 {
        for (factor, list) in factors.iter_mut().zip(ratios.iter_mut()) {
            if let Some(median) = median(list)? {
                *factor = median;
            }
        }
    } else {
        let (mut weekend, mut weekday) = (Vec::new(), Vec::new());
        for (i, list) in ratios.iter().enumerate() {
            // Monday is 0: Saturday and Sunday are 5 and 6.
            if i >= 5 {
                weekend.extend_from_slice(list);
            } else {
                weekday.extend_from_slice(list);
            }
        }
        let (Some(weekend), Some(weekday)) = (median(&mut weekend)?, median(&mut weekday)?) else {
            return Some(ones);
        };
        for (i, factor) in factors.iter_mut().enumerate() {
            *factor = if i >= 5 { weekend } else { weekday };
        }
    }
    let mut sum = Decimal::ZERO;
    for factor in &factors {
        sum = super::checked_add(sum, *factor)?;
    }
    if sum.is_zero() {
        return Some(ones);
    }
    let mean = sum.checked_div(Decimal::from(7))?;
    for factor in &mut factors {
        *factor = factor.checked_div(mean)?;
    }
    Some(factors)
}

/// The median of `values` (sorted in place): the middle one, or the mean of the middle
/// two. `Some(None)` when empty, `None` on overflow.
fn median(values: &mut [Decimal]) -> Option<Option<Decimal>> {
    if values.is_empty() {
        return Some(None);
    }
    crate::sort::sort_by_key(values, |value| *value);
    let n = values.len();
    if n % 2 == 1 {
        return Some(Some(values[n / 2]));
    }
    let sum = super::checked_add(values[n / 2 - 1], values[n / 2])?;
    Some(Some(sum.checked_div(Decimal::TWO)?))
}

/// How much wider than a one-day-ahead interval the interval of the day `ahead` days out
/// is: `√ahead` (the growth of an error that wanders like a random walk: the level drifts),
/// capped at [`MAX_WIDENING_DAYS`].
/// Newton's method in `Decimal`, to 28 digits; `None` on overflow.
fn widening(ahead: u32) -> Option<Decimal> {
    let target = Decimal::from(ahead.clamp(1, MAX_WIDENING_DAYS));
    let mut root = target;
    for _ in 0..40 {
        let next = (root + target.checked_div(root)?) / Decimal::TWO;
        if next == root {
            break;
        }
        root = next;
    }
    Some(root)
}

/// The low and high multipliers of the 80 % interval (see the module docs); `None` on
/// overflow.
/// The third value says whether they are empirical (and widen with the horizon) rather
/// than the fixed fallback.
fn interval_ratios(history: &[HistoryDay]) -> Option<(Decimal, Decimal, bool)> {
    let mut ratios = Vec::new();
    for i in 7..history.len() {
        let Some(model) = Model::fit(&history[..i])? else {
            continue;
        };
        let expected = model.at(history[i].date)?;
        if expected > Decimal::ZERO {
            ratios.push(history[i].value.checked_div(expected)?);
        }
    }
    if ratios.len() < MIN_INTERVAL_RATIOS {
        return Some((Decimal::new(8, 1), Decimal::new(12, 1), false));
    }
    crate::sort::sort_by_key(&mut ratios, |ratio| *ratio);
    // Nearest ranks, rounded outwards: the 10th percentile down, the 90th up.
    let last = ratios.len() - 1;
    let low = ratios[last / 10];
    let high = ratios[(last * 9).div_ceil(10)];
    Some((low.min(Decimal::ONE), high.max(Decimal::ONE), true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::hours::{usage_hours, DayHours};
    use crate::analysis::test_support::{date, dec};
    use crate::query::beijing_offset;
    use crate::synthetic::{generate, SyntheticOptions};

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// One resource whose consecutive days from `first` have `values` unit-hours, fully
    /// covered.
    fn hours_of(first: &str, values: &[Decimal]) -> UsageHours {
        let days: Vec<DayHours> = date(first)
            .iter_days()
            .zip(values)
            .map(|(date, &hours)| DayHours {
                date,
                hours,
                covered_ms: DAY_MS,
            })
            .collect();
        UsageHours {
            offset: beijing_offset(),
            resources: vec![ResourceHours {
                resource: "CPU".into(),
                unit: "核".into(),
                step_ms: Some(60_000),
                total: values.iter().sum(),
                covered_ms: DAY_MS * days.len() as i64,
                days,
                gaps: vec![],
                gap_ms: 0,
            }],
        }
    }

    fn month_end(hours: &UsageHours) -> Forecast {
        forecast(hours, &ForecastOptions::default()).expect("forecast")
    }

    #[test]
    fn a_constant_series_forecasts_its_constant_with_no_width() {
        let hours = hours_of("2024-03-01", &[dec("1536.5"); 20]);
        let result = month_end(&hours);
        assert_eq!(result.last_day, Some(date("2024-03-20")));
        let cpu = &result.resources[0];
        assert_eq!(cpu.history_days, 20);
        assert_eq!(cpu.days.len(), 11);
        for day in &cpu.days {
            assert_eq!(
                (day.low, day.expected, day.high),
                (dec("1536.5"), dec("1536.5"), dec("1536.5"))
            );
        }
        assert_eq!(cpu.so_far, dec("30730"));
        assert_eq!(cpu.total.expected, dec("47631.5"));
        assert_eq!(cpu.total.low, cpu.total.high);
    }

    #[test]
    fn a_pure_weekly_pattern_is_reproduced() {
        // Monday 2024-01-01; weekends twice as busy.
        let week = ["100", "100", "110", "100", "90", "200", "200"].map(dec);
        let values: Vec<Decimal> = week.iter().cycle().take(24).copied().collect();
        let result = month_end(&hours_of("2024-01-01", &values));
        let cpu = &result.resources[0];
        assert_eq!(cpu.days.len(), 31 - 24);
        for day in &cpu.days {
            let truth = week[weekday_index(day.date)];
            assert!((day.expected - truth).abs() < dec("1e-20"), "{day:?}");
            assert!((day.high - day.low).abs() < dec("1e-20"), "{day:?}");
        }
    }

    #[test]
    fn two_factors_with_one_to_two_weeks_and_none_with_less() {
        let week = ["100", "100", "100", "100", "100", "150", "150"].map(dec);
        let ten: Vec<Decimal> = week.iter().cycle().take(10).copied().collect();
        let cpu = &month_end(&hours_of("2024-01-01", &ten)).resources[0];
        let saturday = cpu
            .days
            .iter()
            .find(|d| d.date == date("2024-01-13"))
            .expect("day");
        let monday = cpu
            .days
            .iter()
            .find(|d| d.date == date("2024-01-15"))
            .expect("day");
        assert!(
            saturday.expected > monday.expected * dec("1.3"),
            "{saturday:?} {monday:?}"
        );

        let five = &month_end(&hours_of("2024-01-01", &ten[..5])).resources[0];
        assert!(five.days.iter().all(|d| d.expected == dec("100")));
        // Too few backtest ratios: the fixed ±20 %.
        assert_eq!(
            (five.days[0].low, five.days[0].high),
            (dec("80"), dec("120"))
        );
        // The fixed interval does not widen with the horizon.
        let last = five.days.last().expect("days");
        assert_eq!((last.low, last.high), (dec("80"), dec("120")));
    }

    #[test]
    fn an_empirical_interval_widens_with_the_square_root_of_the_horizon() {
        // A noisy level: the one-day-ahead ratios are not all 1.
        let noisy: Vec<Decimal> = (0..14)
            .map(|i| {
                dec(["100", "90", "110", "95", "105", "100", "102"][i % 7]) + Decimal::from(i % 3)
            })
            .collect();
        let cpu = &month_end(&hours_of("2024-01-01", &noisy)).resources[0];
        let width = |d: &ForecastDay| (d.high - d.low) / d.expected;
        let first = width(&cpu.days[0]);
        let fourth = width(&cpu.days[3]);
        assert!(first > Decimal::ZERO, "{:?}", cpu.days[0]);
        // √4 = 2, unless the low end was clamped at zero (it is not, here).
        assert!(
            (fourth - first * Decimal::TWO).abs() < dec("1e-20"),
            "{first} {fourth}"
        );
        assert_eq!(widening(4), Some(dec("2")));
        // Capped at a week.
        assert_eq!(widening(30), widening(MAX_WIDENING_DAYS));
        assert!(widening(30) < widening(9).map(|w| w + Decimal::ONE));
        assert_eq!(widening(2).map(|r| r.round_dp(6)), Some(dec("1.414214")));
    }

    #[test]
    fn horizons_end_at_the_month_end_or_after_n_days() {
        let leap = hours_of("2024-02-01", &[dec("1"); 10]);
        let feb = &month_end(&leap).resources[0];
        assert_eq!(feb.days.first().map(|d| d.date), Some(date("2024-02-11")));
        assert_eq!(feb.days.last().map(|d| d.date), Some(date("2024-02-29")));
        assert_eq!(feb.days.len(), 19);

        let december = hours_of("2023-12-01", &[dec("1"); 15]);
        let dec_days = &month_end(&december).resources[0].days;
        assert_eq!(dec_days.last().map(|d| d.date), Some(date("2023-12-31")));
        assert_eq!(dec_days.len(), 16);

        let whole = hours_of("2023-11-01", &[dec("2"); 30]);
        let november = &month_end(&whole).resources[0];
        assert!(november.days.is_empty());
        assert_eq!(november.total.expected, dec("60"));

        let ahead = forecast(
            &december,
            &ForecastOptions {
                horizon: Horizon::Days(40),
            },
        )
        .expect("forecast");
        let cpu = &ahead.resources[0];
        assert_eq!(cpu.days.len(), 40);
        assert_eq!(cpu.days.last().map(|d| d.date), Some(date("2024-01-24")));
        assert_eq!(cpu.so_far, Decimal::ZERO);
        assert_eq!(cpu.total.expected, dec("40"));
    }

    #[test]
    fn a_partial_last_day_counts_in_so_far_not_in_history() {
        let mut hours = hours_of("2024-04-01", &[dec("24"); 8]);
        let days = &mut hours.resources[0].days;
        days.push(DayHours {
            date: date("2024-04-09"),
            hours: dec("3"),
            covered_ms: 3 * 3_600_000,
        });
        // A nearly complete day (a 75-minute gap) is scaled to 24 hours.
        days[7].hours = dec("22.75");
        days[7].covered_ms = DAY_MS - 75 * 60_000;
        let cpu = &month_end(&hours).resources[0];
        assert_eq!(cpu.history_days, 8);
        assert_eq!(cpu.so_far, dec("192") - dec("1.25") + dec("3"));
        assert_eq!(cpu.days[0].date, date("2024-04-10"));
        assert_eq!(cpu.days[0].expected, dec("24"));
    }

    #[test]
    fn a_resource_without_history_gets_no_days() {
        let mut hours = hours_of("2024-04-01", &[dec("24"); 8]);
        let mut idle = hours.resources[0].clone();
        idle.resource = "GPU".into();
        idle.days = vec![DayHours {
            date: date("2024-04-08"),
            hours: dec("0.5"),
            covered_ms: 3_600_000,
        }];
        hours.resources.push(idle);
        let result = month_end(&hours);
        let gpu = &result.resources[1];
        assert!(gpu.days.is_empty());
        assert_eq!(gpu.history_days, 0);
        assert_eq!(
            gpu.total,
            ForecastTotal {
                expected: dec("0.5"),
                low: dec("0.5"),
                high: dec("0.5")
            }
        );
        assert_eq!(result.resources[0].days.len(), 30 - 8);

        let empty = UsageHours {
            offset: beijing_offset(),
            resources: vec![],
        };
        assert_eq!(month_end(&empty).last_day, None);
    }

    #[test]
    fn generated_data_keeps_the_interval_ordered_and_the_total_summed() {
        for seed in 0..3 {
            let options = SyntheticOptions::new(date("2024-05-01"), date("2024-05-19"))
                .with_step_seconds(900)
                .with_seed(seed);
            let usage = generate(&options).expect("generate");
            let hours = usage_hours(&usage, beijing_offset()).expect("hours");
            for horizon in [Horizon::MonthEnd, Horizon::Days(9)] {
                let result = forecast(&hours, &ForecastOptions { horizon }).expect("forecast");
                for r in &result.resources {
                    assert!(r.history_days >= 18, "{}", r.resource);
                    assert_eq!(
                        r.days.len(),
                        if horizon == Horizon::MonthEnd { 12 } else { 9 }
                    );
                    let mut total = r.so_far;
                    for day in &r.days {
                        assert!(
                            day.low <= day.expected && day.expected <= day.high,
                            "{day:?}"
                        );
                        assert!(day.expected > Decimal::ZERO);
                        total += day.expected;
                    }
                    assert_eq!(total.normalize(), r.total.expected);
                    assert!(r.total.low <= r.total.expected && r.total.expected <= r.total.high);
                }
            }
        }
    }
}
