//! The forecast on real series, next to two baselines.
//!
//! For every series and every calendar month its data wholly covers, the data is cut at the
//! end of day 10 and of day 20 (the history is everything up to the cut: the points before
//! the next midnight, UTC offset 0), and each method forecasts the month-end total of
//! unit-hours ([`Horizon::MonthEnd`]: the measured `so_far` plus the forecast of the
//! remaining days), compared with the true total (the unit-hours of the whole month).
//!
//! - **ours**: [`bec_usage::forecast`] on the cut data, as a user would get it.
//! - **seasonal naive**: each remaining day is the same weekday of the last week with data;
//!   its 80 % interval is the seasonal random walk's (`yₜ = yₜ₋₇ + εₜ`, σ² the mean square
//!   of the history's weekly differences, the sum's variance `σ² Σᵤ cᵤ²` with `cᵤ` the
//!   number of remaining days that inherit day `u`'s error), `± 1.2816 σ`.
//! - **ETS**: Holt-Winters with an additive weekly season from statsmodels
//!   (`scripts/ets-baseline.py`, run by setup into `target/real-series-ets/ets.csv`): not our
//!   code, so not a truth we wrote. Missing when that file is; the truths of both are
//!   compared, so a file of other series or other days is refused.
//!
//! Figures per series and overall: cuts, MAPE (mean |forecast − truth| / truth), bias (mean
//! signed error / truth), coverage (how often the 80 % interval held the truth) and width
//! (mean interval width / truth), and ours / min(seasonal naive, ETS) of the MAPE.

use std::collections::BTreeMap;
use std::path::Path;

use bec_usage::analysis::{forecast, usage_hours, ForecastOptions, Horizon, Z_80};
use bec_usage::{TimeSpan, UsageResponse};
use chrono::{Datelike, Duration, FixedOffset, NaiveDate};
use rust_decimal::prelude::ToPrimitive;

use super::data::{AnyResult, RealSeries};

/// Where `scripts/ets-baseline.py` writes the ETS baseline for `target/real-series`.
pub const ETS_FILE: &str = "target/real-series-ets/ets.csv";

/// One month-end forecast with its interval (unit-hours).
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub expected: f64,
    pub low: f64,
    pub high: f64,
}

/// One cut of one series.
#[derive(Debug, Clone)]
pub struct Cut {
    pub series: String,
    pub date: NaiveDate,
    pub truth: f64,
    pub ours: Estimate,
    pub naive: Estimate,
    pub ets: Option<Estimate>,
}

/// The figures of one method over some cuts (percentages).
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub cuts: usize,
    pub mape: f64,
    pub bias: f64,
    pub coverage: f64,
    pub width: f64,
}

impl Figures {
    pub fn of<'a>(truth_and_estimates: impl Iterator<Item = (f64, &'a Estimate)>) -> Figures {
        let mut f = Figures::default();
        for (truth, e) in truth_and_estimates {
            let error = (e.expected - truth) / truth;
            f.cuts += 1;
            f.mape += error.abs();
            f.bias += error;
            f.coverage += f64::from(u8::from(e.low <= truth && truth <= e.high));
            f.width += (e.high - e.low) / truth;
        }
        let n = f.cuts.max(1) as f64;
        Figures {
            cuts: f.cuts,
            mape: 100.0 * f.mape / n,
            bias: 100.0 * f.bias / n,
            coverage: 100.0 * f.coverage / n,
            width: 100.0 * f.width / n,
        }
    }
}

/// The three methods' figures over some cuts.
#[derive(Debug, Clone, Copy)]
pub struct Scores {
    pub ours: Figures,
    pub naive: Figures,
    /// Over the cuts that have an ETS baseline (all of them, or none).
    pub ets: Option<Figures>,
}

impl Scores {
    pub fn of(cuts: &[&Cut]) -> Scores {
        let with_ets: Vec<(f64, &Estimate)> = cuts
            .iter()
            .filter_map(|c| c.ets.as_ref().map(|e| (c.truth, e)))
            .collect();
        Scores {
            ours: Figures::of(cuts.iter().map(|c| (c.truth, &c.ours))),
            naive: Figures::of(cuts.iter().map(|c| (c.truth, &c.naive))),
            ets: (!with_ets.is_empty()).then(|| Figures::of(with_ets.into_iter())),
        }
    }

    /// Ours' MAPE over the better of the baselines'.
    pub fn ratio(&self) -> f64 {
        let best = self
            .ets
            .map_or(self.naive.mape, |e| e.mape.min(self.naive.mape));
        self.ours.mape / best
    }
}

fn day_ms(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

fn date_of(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
}

fn month_end(date: NaiveDate) -> NaiveDate {
    let next = if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).unwrap_or(date)
}

/// The response of `series` up to the end of `last` (all of it when `None`).
fn response(series: &RealSeries, first: NaiveDate, last: NaiveDate) -> UsageResponse {
    let mut resource = series.series.clone();
    let end = day_ms(last) + 86_400_000;
    resource.points.retain(|p| p.timestamp_ms < end);
    resource.count = resource.points.len() as u64;
    UsageResponse {
        account_id: "real".into(),
        time_span: TimeSpan {
            begin_date: first,
            end_date: last,
        },
        resources: vec![resource],
        summary: vec![],
    }
}

/// The ETS baseline of `scripts/ets-baseline.py`: (series, cut) → (truth, estimate).
pub type EtsBaseline = BTreeMap<(String, NaiveDate), (f64, Estimate)>;

/// Reads the ETS baseline file; `None` when it does not exist.
pub fn read_ets(path: &Path) -> AnyResult<Option<EtsBaseline>> {
    if !path.exists() {
        return Ok(None);
    }
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let number = |i: usize| -> AnyResult<f64> {
            field(i)
                .parse::<f64>()
                .map_err(|e| format!("{}: {e}: {:?}", path.display(), field(i)).into())
        };
        let date = NaiveDate::parse_from_str(field(1), "%Y-%m-%d")?;
        let estimate = Estimate {
            expected: number(3)?,
            low: number(4)?,
            high: number(5)?,
        };
        out.insert((field(0).to_owned(), date), (number(2)?, estimate));
    }
    Ok(Some(out))
}

/// Every cut of every series (see the module docs).
pub fn evaluate(series: &[RealSeries], ets: Option<&EtsBaseline>) -> AnyResult<Vec<Cut>> {
    let utc = FixedOffset::east_opt(0).ok_or("offset")?;
    let mut cuts = Vec::new();
    for s in series {
        let points = &s.series.points;
        let (Some(first), Some(last)) = (
            points.first().and_then(|p| date_of(p.timestamp_ms)),
            points.last().and_then(|p| date_of(p.timestamp_ms)),
        ) else {
            continue;
        };
        let full = usage_hours(&response(s, first, last), utc)?;
        let daily: BTreeMap<NaiveDate, f64> = full.resources[0]
            .days
            .iter()
            .map(|d| (d.date, d.hours.to_f64().unwrap_or(0.0)))
            .collect();
        let mut month = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).ok_or("date")?;
        while month <= last {
            let end = month_end(month);
            if month >= first && end <= last {
                let truth: f64 = daily.range(month..=end).map(|(_, v)| v).sum();
                for day in [10, 20] {
                    let cut = month.with_day(day).ok_or("date")?;
                    let hours = usage_hours(&response(s, first, cut), utc)?;
                    let result = forecast(
                        &hours,
                        &ForecastOptions {
                            horizon: Horizon::MonthEnd,
                        },
                    )?;
                    let r = &result.resources[0];
                    let ours = Estimate {
                        expected: r.total.expected,
                        low: r.total.low,
                        high: r.total.high,
                    };
                    let so_far = r.so_far.to_f64().unwrap_or(0.0);
                    let naive = seasonal_naive(&daily, first, cut, end, so_far);
                    let ets = match ets {
                        None => None,
                        Some(file) => {
                            let (ets_truth, estimate) = file.get(&(s.name.clone(), cut)).ok_or_else(|| {
                                format!("{ETS_FILE} has no cut {cut} of {}: rerun scripts/ets-baseline.py", s.name)
                            })?;
                            if (ets_truth - truth).abs() > 1e-6 * truth.abs().max(1.0) {
                                return Err(format!(
                                    "{}, {cut}: the ETS file's true total {ets_truth} is not ours {truth}",
                                    s.name
                                )
                                .into());
                            }
                            Some(*estimate)
                        }
                    };
                    cuts.push(Cut {
                        series: s.name.clone(),
                        date: cut,
                        truth,
                        ours,
                        naive,
                        ets,
                    });
                }
            }
            month = end + Duration::days(1);
        }
    }
    Ok(cuts)
}

/// Seasonal naive from the days up to `cut` (see the module docs).
fn seasonal_naive(
    daily: &BTreeMap<NaiveDate, f64>,
    first: NaiveDate,
    cut: NaiveDate,
    end: NaiveDate,
    so_far: f64,
) -> Estimate {
    let value = |d: NaiveDate| daily.get(&d).copied().unwrap_or(0.0);
    let h = (end - cut).num_days();
    let mut expected = so_far;
    for ahead in 1..=h {
        let weeks = (ahead + 6) / 7;
        let from = cut + Duration::days(ahead - 7 * weeks);
        expected += if from >= first {
            value(from)
        } else {
            value(cut)
        };
    }
    let history_start = first.max(cut - Duration::days(363));
    let mut squares = (0.0, 0usize);
    let mut day = history_start + Duration::days(7);
    while day <= cut {
        let difference = value(day) - value(day - Duration::days(7));
        squares = (squares.0 + difference * difference, squares.1 + 1);
        day += Duration::days(1);
    }
    let sigma2 = if squares.1 == 0 {
        0.0
    } else {
        squares.0 / squares.1 as f64
    };
    let inherits: f64 = (1..=h).map(|u| (((h - u) / 7 + 1) as f64).powi(2)).sum();
    let half = Z_80 * (sigma2 * inherits).sqrt();
    Estimate {
        expected,
        low: (expected - half).max(so_far),
        high: expected + half,
    }
}

fn row(label: &str, f: &Figures) {
    println!(
        "    {label:<15} {:>4} cuts  MAPE {:6.3} %  bias {:+6.2} %  80 % coverage {:5.1} %  width {:6.2} %",
        f.cuts, f.mape, f.bias, f.coverage, f.width
    );
}

fn print_scores(title: &str, scores: &Scores) {
    println!("  {title}");
    row("ours", &scores.ours);
    row("seasonal naive", &scores.naive);
    match &scores.ets {
        Some(ets) => row("ETS", ets),
        None => println!("    ETS             (no {ETS_FILE}: run scripts/ets-baseline.py)"),
    }
    println!(
        "    ours / min(seasonal naive, ETS) MAPE: {:.3}",
        scores.ratio()
    );
}

pub fn print_report(series: &[RealSeries]) -> AnyResult<()> {
    let ets = read_ets(Path::new(ETS_FILE))?;
    let cuts = evaluate(series, ets.as_ref())?;
    println!("\nforecast of the month-end total, cut at day 10 and day 20 of every whole month");
    let mut names: Vec<&str> = cuts.iter().map(|c| c.series.as_str()).collect();
    names.dedup();
    for name in names {
        let of: Vec<&Cut> = cuts.iter().filter(|c| c.series == name).collect();
        print_scores(name, &Scores::of(&of));
    }
    let all: Vec<&Cut> = cuts.iter().collect();
    print_scores("all series", &Scores::of(&all));
    for day in [10, 20] {
        let of: Vec<&Cut> = cuts.iter().filter(|c| c.date.day() == day).collect();
        print_scores(&format!("cuts at day {day}"), &Scores::of(&of));
    }
    Ok(())
}
