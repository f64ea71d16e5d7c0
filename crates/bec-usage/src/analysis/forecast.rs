//! Forecasts: where each resource's daily unit-hours are heading, to the end of the month
//! or for the next N days, with an 80 % interval.
//!
//! # Method: a combination of exponential-smoothing forecasts, its interval from a backtest
//!
//! Each resource is forecast on its own, from its daily unit-hours ([`UsageHours`]).
//!
//! 1. **History.** A day is *complete* when its points cover at least
//!    [`MIN_COMPLETE_COVERAGE_MS`] (20 hours): maintenance windows remove up to about 75
//!    minutes, and such a day still says how busy that weekday is. A complete day's
//!    unit-hours are scaled up to 24 hours of coverage (`hours × 24 h / covered`), so a
//!    maintenance gap does not read as a quiet day. Other days are *missing* from the
//!    history (their unit-hours still count in `so_far`): the models below skip them
//!    (predict, but do not update). The history is the last [`MAX_HISTORY_DAYS`] (364,
//!    52 weeks) calendar days up to the last day with data.
//! 2. **The forecast** is the mean of up to six forecasts, each a textbook method with a
//!    weekly season (period m = 7):
//!    - **Holt–Winters, additive season** (ETS(A,N,A)): level `ℓₜ = α(yₜ − sₜ₋ₘ) +
//!      (1 − α)ℓₜ₋₁`, season `sₜ = γ(yₜ − ℓₜ₋₁) + (1 − γ)sₜ₋ₘ`, forecast `ℓₙ + sₙ₊ₕ₋ₘ`;
//!    - **Holt–Winters, multiplicative season** (ETS(M,N,M)'s point forecast): `ℓₜ =
//!      α(yₜ / sₜ₋ₘ) + (1 − α)ℓₜ₋₁`, `sₜ = γ(yₜ / ℓₜ₋₁) + (1 − γ)sₜ₋ₘ`, forecast
//!      `ℓₙ · sₙ₊ₕ₋ₘ`; only when every history day is positive;
//!    - **Holt–Winters on the logarithms** (additive season on `ln yₜ`, forecast `exp` of
//!      it: a season that scales with the level, errors that are relative); only when every
//!      history day is positive;
//!
//!    all three with (α, γ) chosen on the grid [`ALPHAS`] × [`GAMMAS`] (γ ≤ 1 − α) by the
//!    least sum of squared one-day-ahead errors, started from the first week (ℓ₀ its mean, s
//!    its deviations or ratios from it), and **updated robustly** (Gelper, Fried & Croux
//!    2010, *Robust forecasting with exponential and Holt–Winters smoothing*): from the
//!    second week on, each weekday keeps a scale of its one-day-ahead errors (their
//!    exponentially weighted mean absolute value, weight [`SCALE_WEIGHT`], times √(π/2)),
//!    and an error beyond [`ROBUST_K`] (2) scales is cut to that size before it updates the
//!    level and the season (and before it enters the fit's sum of squares), so a holiday, a
//!    spike or a maintenance day moves the model no more than a normal day; from the
//!    [`SHIFT_DAYS`]-th (3rd) consecutive error beyond its limit on the same side the
//!    errors are taken whole: the series has a new level (a resize) and the model follows;
//!    - **a level with weekday factors**: per weekday the median of the last
//!      [`PROFILE_WEEKS`] (8) weeks divided by the mean of the seven medians, and as level
//!      the exponentially weighted mean (α = [`PROFILE_ALPHA`]) of the days divided by their
//!      factors; forecast `level × factor`;
//!    - **Holt–Winters fitted at the horizon** (robust as above): the additive or
//!      multiplicative model whose (kind, α, γ) give the least mean absolute percentage
//!      error of the *sum* of the next `H` days (the forecast's own horizon) from every day
//!      of the history with at least [`MIN_HORIZON_FIT_DAYS`] (28) days before it; the
//!      one-day-ahead fit is not what a month-end total needs;
//!    - **the same-weekday median**: each day ahead is the median of the same weekday in
//!      the last [`RECENT_WEEKS`] (5) weeks with data (seasonal naive made robust).
//!
//!    With fewer than [`MIN_SEASONAL_DAYS`] (14) days of history only the level with weekday
//!    factors is used (with fewer than 7 days, without factors: the weighted mean); the
//!    horizon fit needs 28 days plus the horizon. Forecasts below zero are zero.
//!
//!    *Why this:* on real daily series with a weekly rhythm (electricity demand, flight
//!    departures, pizza sales, births, page views, a call centre; `examples/real_scores`,
//!    figures in `docs/core.md`) each part alone is about as good as Holt–Winters or seasonal
//!    naive, and no part wins on every series, while their mean is better than every part:
//!    the errors of the parts are not the same errors (a level that follows the last week, a
//!    level that forgets slowly, a season that moves), and averaging them cancels some.
//!    Choosing one method per series by backtest was noisier with one year of history or
//!    less, as the forecasting competitions (M3, M4) found for combinations versus
//!    selection. Real series have holidays and spikes that plain exponential smoothing
//!    carries into the next weeks; the robust updating and the medians keep them out. On
//!    the dev series the month-end MAPE went from 0.906 to 0.879 of the better baseline
//!    with the robust updating, the median factors, the log-scale model and the
//!    same-weekday median (each helped on most of the series). Tried and left out, as
//!    they helped on fewer than half the series or not overall: combining with the median
//!    or a trimmed mean, weights by inverse backtest error, a bias correction from the
//!    backtests (it helps page views, hurts births and departures: the backtests' bias is
//!    the year's season, which does not last), damped trends, the theta method, fitting
//!    every member on the horizon sum, a pool of the best horizon fits.
//! 3. **Interval (80 %), from a backtest at the same horizon.** The whole method (fits
//!    included) is rerun from up to [`MAX_BACKTESTS`] (26) earlier days, each a whole
//!    number of weeks before the last day (so each backtest's days ahead have the same
//!    weekdays as the forecast's) with at least [`MIN_SEASONAL_DAYS`] days before it and
//!    the horizon's days after it, and each compared with what followed: the relative
//!    error `actual / forecast − 1` of each day ahead and of the sum of the days. Their
//!    root mean square `r` gives the interval `forecast × (1 ± z·r)` with `z` = 1.2816
//!    (the normal distribution's 90th percentile, [`Z_80`]); the low end is at least 0.
//!    With fewer than [`MIN_BACKTESTS`] backtests (about three weeks of history plus the
//!    horizon) the interval is a fixed ±[`FALLBACK_SPREAD`] (20 %).
//!
//! # The horizon and the totals
//!
//! [`Forecast::last_day`] is the last day on which any resource has covered time, complete
//! or not. The forecast starts the day after it: a partial last day (data still coming in)
//! is not forecast; its unit-hours count as they are in `so_far`. For
//! [`Horizon::MonthEnd`] the days run to the end of `last_day`'s month (none when
//! `last_day` is the month's last day) and `so_far` is the resource's unit-hours on the
//! days of that month up to `last_day`; for [`Horizon::Days`] `so_far` is zero. The total's
//! expected value is `so_far` plus the days' expected values; its interval is `so_far` plus
//! the interval of the days' sum (from the backtest of sums, not the sum of the days' ends:
//! errors of neighbouring days partly cancel). A resource without history gets no days,
//! and its total is `so_far`.
//!
//! # Numbers
//!
//! The forecast is a statistical estimate: it is computed in `f64` and its values are
//! `f64` (round them to a few significant digits for display). `so_far`, the measured
//! unit-hours, stays an exact [`Decimal`].

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::hours::{ResourceHours, UsageHours};
use crate::error::{Error, ErrorKind, Result};
use crate::query::DAY_MS;

/// How far ahead to forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Horizon {
    /// From the day after the last day with data to the end of that day's month.
    #[default]
    MonthEnd,
    /// The next N days after the last day with data.
    Days(u32),
}

/// What [`forecast`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ForecastOptions {
    /// How far ahead.
    pub horizon: Horizon,
}

/// One forecast day of one resource, in unit-hours (a day's average amount is `/ 24`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ForecastDay {
    /// The day.
    pub date: NaiveDate,
    /// The expected unit-hours.
    pub expected: f64,
    /// The low end of the 80 % interval.
    pub low: f64,
    /// The high end of the 80 % interval.
    pub high: f64,
}

/// A total at the end of the horizon: what has been used plus what is expected.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ForecastTotal {
    /// The expected total.
    pub expected: f64,
    /// The low end of the 80 % interval.
    pub low: f64,
    /// The high end of the 80 % interval.
    pub high: f64,
}

/// The forecast of one resource.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ResourceForecast {
    /// The resource name.
    pub resource: String,
    /// The resource's unit.
    pub unit: String,
    /// How many complete days of history the forecast used.
    pub history_days: usize,
    /// The unit-hours already used in the period the total covers (the month, for
    /// [`Horizon::MonthEnd`]; nothing for [`Horizon::Days`]), exact.
    pub so_far: Decimal,
    /// The forecast days, ascending; empty when there is nothing to forecast.
    pub days: Vec<ForecastDay>,
    /// `so_far` plus the forecast days.
    pub total: ForecastTotal,
}

/// A forecast of every resource.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Forecast {
    /// The last day of history (the forecast starts the day after).
    pub last_day: Option<NaiveDate>,
    /// One entry per resource, in the data's order.
    pub resources: Vec<ResourceForecast>,
}

/// The least coverage, in milliseconds, for a day to count as history (20 hours).
pub const MIN_COMPLETE_COVERAGE_MS: i64 = 20 * 3_600_000;

/// The most calendar days of history a forecast uses (the latest ones): 52 weeks.
pub const MAX_HISTORY_DAYS: usize = 364;

/// The season's length in days: a week.
pub const PERIOD: usize = 7;

/// The fewest days of history for the Holt–Winters forecasts (two weeks: one to start the
/// season from, one to fit on); with fewer, only the level with weekday factors.
pub const MIN_SEASONAL_DAYS: usize = 14;

/// The fewest days before a backtest origin of the Holt–Winters model fitted at the
/// horizon.
pub const MIN_HORIZON_FIT_DAYS: usize = 28;

/// The smoothing weights of the level tried by the fits.
pub const ALPHAS: [f64; 7] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];

/// The smoothing weights of the season tried by the fits (each with the α's where
/// `γ ≤ 1 − α`).
pub const GAMMAS: [f64; 6] = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5];

/// The weeks of history the weekday factors of the level-with-factors forecast average.
pub const PROFILE_WEEKS: usize = 8;

/// The smoothing weight of the level of the level-with-factors forecast.
pub const PROFILE_ALPHA: f64 = 0.3;

/// Robust updating of the Holt–Winters models: a one-day-ahead error beyond `ROBUST_K`
/// times its weekday's scale is cut to that size before it updates the model.
pub const ROBUST_K: f64 = 2.0;

/// The robust updating cuts an error only while fewer than `SHIFT_DAYS` consecutive errors
/// (this one included) lie beyond their limits on the same side: from the third such day on,
/// the series has moved (a resize, a new level) and the model follows it.
pub const SHIFT_DAYS: usize = 3;

/// The smoothing weight of each weekday's error scale in the robust updating.
pub const SCALE_WEIGHT: f64 = 0.3;

/// A normal distribution's standard deviation over its mean absolute deviation, √(π/2).
const MEAN_ABS_TO_SD: f64 = 1.253_314_137_315_500_3;

/// The weeks the same-weekday median looks back.
pub const RECENT_WEEKS: usize = 5;

/// The most backtests behind an interval (half a year of weekly origins).
pub const MAX_BACKTESTS: usize = 26;

/// The fewest backtests for an interval from backtest errors; with fewer it is
/// ±[`FALLBACK_SPREAD`].
pub const MIN_BACKTESTS: usize = 3;

/// The interval's relative half-width when there are too few backtests: ±20 %.
pub const FALLBACK_SPREAD: f64 = 0.2;

/// The normal distribution's 90th percentile: an 80 % interval is `± Z_80` standard errors.
pub const Z_80: f64 = 1.281_551_565_544_600_5;

/// Forecasts every resource of `hours`. The method is in the module docs.
///
/// # Errors
/// [`crate::ErrorKind::Overflow`] when the unit-hours so far leave the range of a decimal.
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

/// The unit-hours of `resource` on the days of `last`'s month up to `last`.
fn month_so_far(resource: &ResourceHours, last: NaiveDate) -> Result<Decimal> {
    let mut so_far = Decimal::ZERO;
    for day in &resource.days {
        if day.date <= last && day.date.year() == last.year() && day.date.month() == last.month() {
            so_far = super::checked_add(so_far, day.hours).ok_or_else(|| {
                Error::new(
                    ErrorKind::Overflow,
                    format!(
                        "the unit-hours of {} exceed the range of a decimal",
                        resource.resource
                    ),
                )
            })?;
        }
    }
    Ok(so_far)
}

/// The daily history of `resource` ending on `last` (see the module docs): one entry per
/// calendar day, `None` for a day that is not complete, from the first complete day on.
fn daily_history(resource: &ResourceHours, last: NaiveDate) -> Vec<Option<f64>> {
    let Some(first) = last.checked_sub_days(chrono::Days::new(MAX_HISTORY_DAYS as u64 - 1)) else {
        return Vec::new();
    };
    let mut history = vec![None; MAX_HISTORY_DAYS];
    for day in &resource.days {
        if day.covered_ms < MIN_COMPLETE_COVERAGE_MS || day.date < first || day.date > last {
            continue;
        }
        let Ok(index) = usize::try_from((day.date - first).num_days()) else {
            continue;
        };
        let hours = super::approximate(day.hours);
        if let Some(slot) = history.get_mut(index) {
            *slot = Some(hours * DAY_MS as f64 / day.covered_ms as f64);
        }
    }
    let start = history
        .iter()
        .position(Option::is_some)
        .unwrap_or(history.len());
    history.split_off(start)
}

fn resource_forecast(
    resource: &ResourceHours,
    last_day: Option<NaiveDate>,
    horizon: Horizon,
) -> Result<ResourceForecast> {
    let mut result = ResourceForecast {
        resource: resource.resource.clone(),
        unit: resource.unit.clone(),
        history_days: 0,
        so_far: Decimal::ZERO,
        days: Vec::new(),
        total: ForecastTotal {
            expected: 0.0,
            low: 0.0,
            high: 0.0,
        },
    };
    let Some(last) = last_day else {
        return Ok(result);
    };
    if horizon == Horizon::MonthEnd {
        result.so_far = month_so_far(resource, last)?;
    }
    let so_far = super::approximate(result.so_far);
    result.total = ForecastTotal {
        expected: so_far,
        low: so_far,
        high: so_far,
    };
    let history = daily_history(resource, last);
    result.history_days = history.iter().flatten().count();
    let dates = horizon_days(last, horizon);
    let Some(expected) = combined_forecast(&history, dates.len()) else {
        return Ok(result);
    };
    let spread = backtest_spread(&history, dates.len());
    let sum: f64 = expected.iter().sum();
    result.total = ForecastTotal {
        expected: so_far + sum,
        low: so_far + sum * (1.0 - spread.sum).max(0.0),
        high: so_far + sum * (1.0 + spread.sum),
    };
    result.days = dates
        .into_iter()
        .zip(expected)
        .zip(&spread.days)
        .map(|((date, expected), spread)| ForecastDay {
            date,
            expected,
            low: expected * (1.0 - spread).max(0.0),
            high: expected * (1.0 + spread),
        })
        .collect();
    Ok(result)
}

/// The mean of a slice's observed values; `None` when it has none.
fn observed_mean(values: &[Option<f64>]) -> Option<f64> {
    let (sum, count) = values
        .iter()
        .flatten()
        .fold((0.0, 0usize), |(sum, count), v| (sum + v, count + 1));
    (count > 0).then(|| sum / count as f64)
}

/// The median of a slice's observed values; `None` when it has none.
fn observed_median(values: &[Option<f64>]) -> Option<f64> {
    let mut observed: Vec<f64> = values.iter().flatten().copied().collect();
    (!observed.is_empty()).then(|| super::median(&mut observed))
}

/// The forecast of the `h` days after `history` (see the module docs): the mean of the
/// parts' forecasts, none below zero. `None` when the history has no observed day.
fn combined_forecast(history: &[Option<f64>], h: usize) -> Option<Vec<f64>> {
    let mut parts = vec![level_with_weekday_factors(history, h)?];
    if history.len() >= MIN_SEASONAL_DAYS {
        let positive = history.iter().flatten().all(|&v| v > 0.0);
        parts.push(HoltWinters::fit_one_step(history, Season::Additive).forecast(history, h));
        if positive {
            parts.push(
                HoltWinters::fit_one_step(history, Season::Multiplicative).forecast(history, h),
            );
            let logs: Vec<Option<f64>> = history.iter().map(|v| v.map(f64::ln)).collect();
            let on_logs = HoltWinters::fit_one_step(&logs, Season::Additive).forecast(&logs, h);
            parts.push(on_logs.into_iter().map(f64::exp).collect());
        }
        if let Some(model) = HoltWinters::fit_at_horizon(history, h, positive) {
            parts.push(model.forecast(history, h));
        }
        parts.push(same_weekday_median(history, h, &parts[0]));
    }
    let count = parts.len() as f64;
    Some(
        (0..h)
            .map(|i| (parts.iter().map(|p| p[i]).sum::<f64>() / count).max(0.0))
            .collect(),
    )
}

/// The same-weekday median (see the module docs): each day ahead is the median of the same
/// weekday in the last [`RECENT_WEEKS`] weeks with data, or `fallback`'s day when there is
/// none.
fn same_weekday_median(history: &[Option<f64>], h: usize, fallback: &[f64]) -> Vec<f64> {
    let n = history.len();
    (n..n + h)
        .zip(fallback)
        .map(|(t, &fallback)| {
            // The same weekday in the history: t − 7, t − 14, … (before n).
            let first = n - 1 - (n - 1 + PERIOD - t % PERIOD) % PERIOD;
            let same: Vec<Option<f64>> = history[..=first]
                .iter()
                .rev()
                .step_by(PERIOD)
                .filter(|v| v.is_some())
                .take(RECENT_WEEKS)
                .copied()
                .collect();
            observed_median(&same).unwrap_or(fallback)
        })
        .collect()
}

/// The level with weekday factors (see the module docs); `None` without an observed day.
fn level_with_weekday_factors(history: &[Option<f64>], h: usize) -> Option<Vec<f64>> {
    let n = history.len();
    // Whole weeks ending on the last day, so every weekday has as many days.
    let weeks = (n / PERIOD).min(PROFILE_WEEKS);
    let start = if weeks == 0 { 0 } else { n - weeks * PERIOD };
    let window = &history[start..];
    let mut factors = [1.0; PERIOD];
    if weeks > 0 {
        let means: Vec<Option<f64>> = (0..PERIOD)
            .map(|phase| {
                let days: Vec<Option<f64>> =
                    window.iter().skip(phase).step_by(PERIOD).copied().collect();
                observed_median(&days)
            })
            .collect();
        let overall = observed_mean(&means)?;
        if overall > 0.0 {
            for (factor, mean) in factors.iter_mut().zip(&means) {
                *factor = mean.map_or(1.0, |m| m / overall);
            }
        }
    }
    // `factors[k]` is the factor of the window's day k, k + 7, ...
    let factor_of = |t: usize| factors[(t - start) % PERIOD];
    let mut level = None;
    for (t, value) in history.iter().enumerate().skip(start) {
        let factor = factor_of(t);
        if let (Some(value), true) = (value, factor > 0.0) {
            let deseasonalised = value / factor;
            level = Some(level.map_or(deseasonalised, |l: f64| {
                PROFILE_ALPHA * deseasonalised + (1.0 - PROFILE_ALPHA) * l
            }));
        }
    }
    let level = match level {
        Some(level) => level,
        // Every observed day fell on a weekday with factor 0: the mean is 0.
        None => observed_mean(window)?,
    };
    Some((n..n + h).map(|t| level * factor_of(t)).collect())
}

/// How the season enters a Holt–Winters model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Season {
    /// `yₜ = ℓₜ₋₁ + sₜ₋ₘ + error`.
    Additive,
    /// `yₜ = ℓₜ₋₁ · sₜ₋ₘ + error`.
    Multiplicative,
}

/// Holt–Winters' seasonal exponential smoothing without trend, period [`PERIOD`].
#[derive(Debug, Clone, Copy)]
struct HoltWinters {
    season: Season,
    alpha: f64,
    gamma: f64,
}

/// The state of a [`HoltWinters`] model after a day: the level and the season of the next
/// seven days (`season[t % 7]` is the season of day `t`).
#[derive(Debug, Clone, Copy)]
struct State {
    level: f64,
    season: [f64; PERIOD],
}

impl State {
    /// The forecast of day `t`, for any day after the state's.
    fn at(&self, kind: Season, t: usize) -> f64 {
        match kind {
            Season::Additive => self.level + self.season[t % PERIOD],
            Season::Multiplicative => self.level * self.season[t % PERIOD],
        }
    }

    /// The sum of the forecasts of the `h` days after day `t`.
    fn sum_after(&self, kind: Season, t: usize, h: usize) -> f64 {
        let whole: f64 = self.season.iter().sum();
        let weeks = (h / PERIOD) as f64;
        let rest: f64 = (1..=h % PERIOD)
            .map(|k| self.season[(t + k) % PERIOD])
            .sum();
        match kind {
            Season::Additive => h as f64 * self.level + weeks * whole + rest,
            Season::Multiplicative => self.level * (weeks * whole + rest),
        }
    }
}

impl HoltWinters {
    /// Every grid model of `season` (γ ≤ 1 − α).
    fn grid(season: Season) -> impl Iterator<Item = HoltWinters> {
        ALPHAS.into_iter().flat_map(move |alpha| {
            GAMMAS
                .into_iter()
                .filter(move |gamma| *gamma <= 1.0 - alpha + 1e-12)
                .map(move |gamma| HoltWinters {
                    season,
                    alpha,
                    gamma,
                })
        })
    }

    /// Runs the model over `history` (at least one observed day in the first week),
    /// calling `visit(t, state after t)` for every day; returns the sum of squared
    /// one-day-ahead errors, each cut to [`ROBUST_K`] scales (see the module docs).
    fn run(&self, history: &[Option<f64>], mut visit: impl FnMut(usize, &State)) -> f64 {
        let first_week = &history[..history.len().min(PERIOD)];
        let level = observed_mean(first_week).unwrap_or(0.0);
        let mut season = [match self.season {
            Season::Additive => 0.0,
            Season::Multiplicative => 1.0,
        }; PERIOD];
        for (slot, value) in season.iter_mut().zip(first_week) {
            if let Some(value) = value {
                *slot = match self.season {
                    Season::Additive => value - level,
                    Season::Multiplicative if level > 0.0 => value / level,
                    Season::Multiplicative => 1.0,
                };
            }
        }
        let mut state = State { level, season };
        // Each weekday's scale of the one-day-ahead errors, from the second week on.
        let mut scales: [Option<f64>; PERIOD] = [None; PERIOD];
        // The side and the number of the last consecutive errors beyond their limit.
        let mut beyond = (false, 0usize);
        let mut sse = 0.0;
        for (t, value) in history.iter().enumerate() {
            if let Some(observed) = *value {
                let expected = state.at(self.season, t);
                let mut error = observed - expected;
                if t >= PERIOD {
                    let scale = &mut scales[t % PERIOD];
                    *scale = Some(match *scale {
                        None => error.abs(),
                        Some(scale) => {
                            let limit = ROBUST_K * scale;
                            let side = error > 0.0;
                            beyond = match beyond {
                                _ if error.abs() <= limit => (side, 0),
                                (previous, days) if previous == side => (side, days + 1),
                                _ => (side, 1),
                            };
                            // An isolated outlier is cut; a run of them is a new level.
                            if beyond.1 < SHIFT_DAYS {
                                // Not `clamp`: its check of its bounds would bring
                                // float formatting into the WebAssembly module.
                                error = error.max(-limit).min(limit);
                            }
                            (1.0 - SCALE_WEIGHT) * scale
                                + SCALE_WEIGHT * MEAN_ABS_TO_SD * error.abs()
                        }
                    });
                }
                // The observation as the model takes it: the forecast plus the cut error.
                let y = expected + error;
                sse += error * error;
                let (previous, s) = (state.level, state.season[t % PERIOD]);
                let (level, season) = match self.season {
                    Season::Additive => (
                        self.alpha * (y - s) + (1.0 - self.alpha) * previous,
                        self.gamma * (y - previous) + (1.0 - self.gamma) * s,
                    ),
                    Season::Multiplicative => (
                        self.alpha * (y / s) + (1.0 - self.alpha) * previous,
                        self.gamma * (y / previous) + (1.0 - self.gamma) * s,
                    ),
                };
                state.level = level;
                state.season[t % PERIOD] = season;
            }
            visit(t, &state);
        }
        sse
    }

    /// The forecast of the `h` days after `history`.
    fn forecast(&self, history: &[Option<f64>], h: usize) -> Vec<f64> {
        let mut last = None;
        self.run(history, |_, state| last = Some(*state));
        let n = history.len();
        match last {
            Some(state) => (n..n + h).map(|t| state.at(self.season, t)).collect(),
            None => Vec::new(),
        }
    }

    /// The grid model of `season` with the least sum of squared one-day-ahead errors.
    fn fit_one_step(history: &[Option<f64>], season: Season) -> HoltWinters {
        let mut best = (f64::INFINITY, HoltWinters::grid(season).next());
        for model in HoltWinters::grid(season) {
            let sse = model.run(history, |_, _| ());
            if sse < best.0 {
                best = (sse, Some(model));
            }
        }
        best.1.unwrap_or(HoltWinters {
            season,
            alpha: ALPHAS[0],
            gamma: GAMMAS[0],
        })
    }

    /// The grid model (additive, or multiplicative too when `positive`) whose sums of the
    /// `h` days after every day with [`MIN_HORIZON_FIT_DAYS`] days before it are nearest
    /// the actual sums (least mean absolute percentage error, days ahead all observed).
    /// `None` when no day qualifies.
    fn fit_at_horizon(history: &[Option<f64>], h: usize, positive: bool) -> Option<HoltWinters> {
        let n = history.len();
        if h == 0 || n < MIN_HORIZON_FIT_DAYS + h {
            return None;
        }
        // Prefix sums of the values and of the observed days: the actual sum of any run of
        // days in O(1).
        let mut sums = vec![(0.0, 0usize); n + 1];
        for (t, value) in history.iter().enumerate() {
            let (sum, count) = sums[t];
            sums[t + 1] = match value {
                Some(v) => (sum + v, count + 1),
                None => (sum, count),
            };
        }
        let seasons: &[Season] = if positive {
            &[Season::Additive, Season::Multiplicative]
        } else {
            &[Season::Additive]
        };
        let mut best: Option<(f64, HoltWinters)> = None;
        for &season in seasons {
            for model in HoltWinters::grid(season) {
                let (mut total, mut count) = (0.0, 0usize);
                model.run(history, |t, state| {
                    if t + 1 < MIN_HORIZON_FIT_DAYS || t + h >= n {
                        return;
                    }
                    let (actual, observed) = (
                        sums[t + 1 + h].0 - sums[t + 1].0,
                        sums[t + 1 + h].1 - sums[t + 1].1,
                    );
                    let expected = state.sum_after(season, t, h);
                    if observed == h && expected > 0.0 {
                        total += ((actual - expected) / expected).abs();
                        count += 1;
                    }
                });
                if count > 0 {
                    let score = total / count as f64;
                    if best.is_none_or(|(b, _)| score < b) {
                        best = Some((score, model));
                    }
                }
            }
        }
        best.map(|(_, model)| model)
    }
}

/// The relative half-widths of the interval: of each day ahead and of the sum
/// ([`Z_80`] times the relative root-mean-square error of the backtests).
#[derive(Debug, Clone, PartialEq)]
struct Spread {
    days: Vec<f64>,
    sum: f64,
}

/// The backtest of the forecast of the `h` days after `history` (see the module docs).
fn backtest_spread(history: &[Option<f64>], h: usize) -> Spread {
    if h == 0 {
        return Spread {
            days: Vec::new(),
            sum: 0.0,
        };
    }
    let n = history.len();
    let mut day_errors = vec![(0.0, 0usize); h];
    let (mut sum_squares, mut backtests) = (0.0, 0usize);
    // Origins: the last day of each backtest's history, whole weeks before the last day.
    let mut origin = n.checked_sub(1 + PERIOD * h.div_ceil(PERIOD).max(1));
    while let Some(t) = origin {
        if t + 1 < MIN_SEASONAL_DAYS || backtests == MAX_BACKTESTS {
            break;
        }
        let past = &history[..=t];
        let ahead = &history[t + 1..t + 1 + h];
        if let Some(expected) = combined_forecast(past, h) {
            for ((errors, actual), expected) in day_errors.iter_mut().zip(ahead).zip(&expected) {
                if let (Some(actual), true) = (actual, *expected > 0.0) {
                    let error = actual / expected - 1.0;
                    *errors = (errors.0 + error * error, errors.1 + 1);
                }
            }
            let expected_sum: f64 = expected.iter().sum();
            let actual_sum: Option<f64> = ahead.iter().copied().sum();
            if let (Some(actual_sum), true) = (actual_sum, expected_sum > 0.0) {
                let error = actual_sum / expected_sum - 1.0;
                sum_squares += error * error;
                backtests += 1;
            }
        }
        origin = t.checked_sub(PERIOD);
    }
    if backtests < MIN_BACKTESTS {
        return Spread {
            days: vec![FALLBACK_SPREAD; h],
            sum: FALLBACK_SPREAD,
        };
    }
    Spread {
        days: day_errors
            .iter()
            .map(|&(squares, count)| {
                if count < MIN_BACKTESTS {
                    FALLBACK_SPREAD
                } else {
                    Z_80 * (squares / count as f64).sqrt()
                }
            })
            .collect(),
        sum: Z_80 * (sum_squares / backtests as f64).sqrt(),
    }
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

    fn days_ahead(hours: &UsageHours, n: u32) -> Forecast {
        forecast(
            hours,
            &ForecastOptions {
                horizon: Horizon::Days(n),
            },
        )
        .expect("forecast")
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn a_constant_series_forecasts_its_constant_with_no_width() {
        let hours = hours_of("2024-03-01", &[dec("1536.5"); 42]);
        let result = days_ahead(&hours, 7);
        assert_eq!(result.last_day, Some(date("2024-04-11")));
        let cpu = &result.resources[0];
        assert_eq!(cpu.history_days, 42);
        assert_eq!(cpu.days.len(), 7);
        for day in &cpu.days {
            assert!(close(day.expected, 1536.5), "{day:?}");
            // Every backtest was exact: no width.
            assert!(close(day.low, 1536.5) && close(day.high, 1536.5), "{day:?}");
        }
        assert_eq!(cpu.so_far, Decimal::ZERO);
        assert!(close(cpu.total.expected, 7.0 * 1536.5));
        assert!(close(cpu.total.low, cpu.total.high));

        // Three weeks of history, 11 days ahead: too few backtests, the fixed ±20 %.
        let short = month_end(&hours_of("2024-03-01", &[dec("1536.5"); 20]));
        let cpu = &short.resources[0];
        assert_eq!(cpu.so_far, dec("30730"));
        assert_eq!(cpu.days.len(), 11);
        assert!(close(cpu.total.expected, 30730.0 + 11.0 * 1536.5));
        assert!(close(
            cpu.total.high - cpu.total.expected,
            0.2 * 11.0 * 1536.5
        ));
        assert!(close(cpu.days[0].low, 0.8 * 1536.5));
    }

    #[test]
    fn a_pure_weekly_pattern_is_reproduced_by_every_part() {
        // Monday 2024-01-01; weekends twice as busy.
        let week = [100.0, 100.0, 110.0, 100.0, 90.0, 200.0, 200.0];
        let values: Vec<Decimal> = week
            .iter()
            .cycle()
            .take(70)
            .map(|&v| Decimal::try_from(v).expect("decimal"))
            .collect();
        for n in [10, 24, 70] {
            let result = days_ahead(&hours_of("2024-01-01", &values[..n]), 14);
            for day in &result.resources[0].days {
                let truth = week[day.date.weekday().num_days_from_monday() as usize];
                assert!(close(day.expected, truth), "{n}: {day:?}");
            }
        }
        // Ten weeks: the backtests were exact too.
        let long = days_ahead(&hours_of("2024-01-01", &values), 14);
        let day = long.resources[0].days[3];
        assert!(close(day.low, day.high), "{day:?}");
    }

    #[test]
    fn under_a_week_the_forecast_is_the_weighted_mean_without_factors() {
        let five = [100, 100, 100, 100, 200].map(Decimal::from);
        let cpu = &month_end(&hours_of("2024-01-01", &five)).resources[0];
        // 0.3 · 200 + 0.7 · 100.
        assert!(cpu.days.iter().all(|d| close(d.expected, 130.0)));
        assert!(close(cpu.days[0].low, 104.0) && close(cpu.days[0].high, 156.0));
        // The fixed interval does not widen with the horizon.
        let last = cpu.days.last().expect("days");
        assert!(close(last.low, 104.0) && close(last.high, 156.0));
    }

    #[test]
    fn the_interval_comes_from_the_backtest_and_the_total_is_narrower_than_its_days() {
        // A weekly rhythm with noise that does not repeat: the backtests miss.
        let values: Vec<Decimal> = (0..70u32)
            .map(|i| {
                let base = [100, 100, 110, 100, 90, 60, 50][(i % 7) as usize];
                Decimal::from(base + (i * 37 % 23) as i32 - 11)
            })
            .collect();
        let cpu = &days_ahead(&hours_of("2024-01-01", &values), 21).resources[0];
        for day in &cpu.days {
            assert!(day.low < day.expected && day.expected < day.high, "{day:?}");
        }
        let relative = |low: f64, high: f64, expected: f64| (high - low) / expected;
        let days_width: f64 = cpu
            .days
            .iter()
            .map(|d| relative(d.low, d.high, d.expected))
            .sum::<f64>()
            / cpu.days.len() as f64;
        let total = cpu.total;
        let total_width = relative(total.low, total.high, total.expected);
        assert!(total_width < days_width, "{total_width} {days_width}");
        // The spread of a backtest of a constant day-to-day noise: a few percent, not ±20 %.
        assert!(total_width > 0.0 && total_width < 0.2, "{total_width}");
    }

    #[test]
    fn holt_winters_sums_agree_with_its_days_and_the_grid_keeps_gamma_below_one_minus_alpha() {
        for season in [Season::Additive, Season::Multiplicative] {
            let models: Vec<HoltWinters> = HoltWinters::grid(season).collect();
            assert_eq!(models.len(), 38);
            assert!(models.iter().all(|m| m.gamma <= 1.0 - m.alpha + 1e-12));
        }
        let state = State {
            level: 10.0,
            season: [1.0, 2.0, 0.5, 1.5, 1.0, 0.25, 0.75],
        };
        for kind in [Season::Additive, Season::Multiplicative] {
            for (t, h) in [(0, 1), (3, 7), (5, 16), (9, 31)] {
                let days: f64 = (t + 1..=t + h).map(|u| state.at(kind, u)).sum();
                assert!(close(state.sum_after(kind, t, h), days), "{kind:?} {t} {h}");
            }
        }
    }

    #[test]
    fn an_isolated_outlier_is_cut_but_a_new_level_is_followed() {
        let weekly = |i: usize| [100.0, 100.0, 110.0, 100.0, 90.0, 60.0, 50.0][i % PERIOD];
        // Eight weeks with one day ten times as busy in the sixth.
        let mut history: Vec<Option<f64>> = (0..56).map(|i| Some(weekly(i))).collect();
        history[38] = Some(1000.0);
        for season in [Season::Additive, Season::Multiplicative] {
            let model = HoltWinters {
                season,
                alpha: 0.5,
                gamma: 0.1,
            };
            for (i, day) in model.forecast(&history, 7).into_iter().enumerate() {
                let truth = weekly(56 + i);
                assert!((day - truth).abs() < 0.05 * truth, "{season:?} {i}: {day}");
            }
        }
        // A constant series that doubles for its last week: followed, not cut forever.
        let mut doubled = vec![Some(40.0); 35];
        doubled.extend([Some(80.0); 7]);
        let model = HoltWinters::fit_one_step(&doubled, Season::Additive);
        let ahead = model.forecast(&doubled, 1)[0];
        assert!(ahead > 75.0, "{ahead}");
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
        assert_eq!(november.total.expected, 60.0);

        let cpu = &days_ahead(&december, 40).resources[0];
        assert_eq!(cpu.days.len(), 40);
        assert_eq!(cpu.days.last().map(|d| d.date), Some(date("2024-01-24")));
        assert_eq!(cpu.so_far, Decimal::ZERO);
        assert!(close(cpu.total.expected, 40.0));
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
        assert!(close(cpu.days[0].expected, 24.0), "{:?}", cpu.days[0]);
    }

    #[test]
    fn missing_days_are_skipped_not_read_as_zero() {
        let mut hours = hours_of("2024-01-01", &[dec("50"); 35]);
        // A week without data in the middle, a day with an hour of data at its end.
        hours.resources[0]
            .days
            .retain(|d| d.date.day() < 10 || d.date.day() > 16);
        hours.resources[0].days[3].covered_ms = 3_600_000;
        let cpu = &days_ahead(&hours, 7).resources[0];
        assert_eq!(cpu.history_days, 27);
        assert!(
            cpu.days.iter().all(|d| close(d.expected, 50.0)),
            "{:?}",
            cpu.days
        );
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
        assert_eq!(gpu.so_far, dec("0.5"));
        assert_eq!(
            gpu.total,
            ForecastTotal {
                expected: 0.5,
                low: 0.5,
                high: 0.5
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
    fn zero_usage_forecasts_zero() {
        let cpu = &days_ahead(&hours_of("2024-01-01", &[Decimal::ZERO; 40]), 10).resources[0];
        assert_eq!(cpu.days.len(), 10);
        assert!(cpu
            .days
            .iter()
            .all(|d| d.expected == 0.0 && d.low == 0.0 && d.high == 0.0));
        assert_eq!(cpu.total.high, 0.0);
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
                    let mut total = crate::analysis::approximate(r.so_far);
                    for day in &r.days {
                        assert!(
                            day.low <= day.expected && day.expected <= day.high,
                            "{day:?}"
                        );
                        assert!(day.expected > 0.0 && day.expected.is_finite());
                        total += day.expected;
                    }
                    assert!(close(total, r.total.expected));
                    assert!(r.total.low <= r.total.expected && r.total.expected <= r.total.high);
                }
            }
        }
    }
}
