//! Writes the inputs and the core's results of a resource-hours and cost case, for the
//! independent check in Python (`tests/python/check_hours.py`, pandas and numpy), which
//! reads the same inputs, counts by the rules of `analysis::hours` and `analysis::cost` on
//! its own and compares.
//!
//! ```sh
//! # one case
//! cargo run -p bec-usage --example hours_oracle -- --out target/hours/a --seed 7 \
//!     --begin 2024-03-01 --end 2024-03-07 --step 300 --offset-minutes 0 --shuffle --duplicate
//! # the standard cases, one folder each
//! cargo run -p bec-usage --example hours_oracle -- --out target/hours --standard
//! python3 crates/bec-usage/tests/python/check_hours.py target/hours
//! ```
//!
//! A case folder holds:
//!
//! - `response.json`: the generated response (`generate_json`, or, when the points were
//!   shuffled, duplicated or cut down, `write_usage` of the changed response);
//! - `prices.json`: the price sheet ([`PRICE_SHEET`]: flat prices, one tiered resource and
//!   `BANDWIDTH` left unpriced);
//! - `case.json`: the case's parameters, among them the UTC offset the days are counted in;
//! - `core.json`: the core's results, exact decimal text: per resource the usual step, the
//!   unit-hours, covered and gap milliseconds and cost of the range, and per local day the
//!   unit-hours, covered milliseconds and cost.
//!
//! The integration test `tests/integration/hours_python.rs` includes this file as a module and writes
//! [`standard_cases`] with [`write_case`].

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bec_usage::analysis::{estimate_cost, usage_hours};
use bec_usage::json::{parse_price_sheet, write_usage};
use bec_usage::synthetic::{generate, generate_json, SyntheticOptions};
use bec_usage::DataPoint;
use chrono::{FixedOffset, NaiveDate};
use rust_decimal::Decimal;

/// The price sheet of every case: numbers and numeric strings, flat prices for most
/// resources, graduated tiers for `TRAFFIC` (about 150 GB-hours a day, so a day crosses the
/// first tier and a month the second), and `BANDWIDTH` left unpriced.
pub const PRICE_SHEET: &str = r#"{
  "currency": "CNY",
  "minorUnits": 2,
  "prices": {
    "CPU": "0.045",
    "Memory": 0.012,
    "EIP": "0.02",
    "TRAFFIC": [{ "upTo": 100, "price": "0.8" }, { "upTo": "2500.5", "price": 0.6 }, { "price": "0.45" }],
    "SSD": "0.0007",
    "BOS_Standard": 0.000139,
    "VM_Instance": "0.35"
  }
}
"#;

/// One case: what to generate, how to disturb it and in which offset to count.
#[derive(Debug, Clone)]
pub struct Case {
    /// The folder name.
    pub name: String,
    /// The generator's seed.
    pub seed: u64,
    /// The first day.
    pub begin: NaiveDate,
    /// The last day.
    pub end: NaiveDate,
    /// Seconds between points.
    pub step_seconds: u32,
    /// The generator's UTC offset in minutes (its local days and grid).
    pub offset_minutes: i32,
    /// The offset the hours are counted in; it may differ from the generator's, so that
    /// steps straddle local midnight and the last point is cut at the end of the range.
    pub analysis_offset_minutes: i32,
    /// Shuffle every `dataList` (deterministically, from the seed).
    pub shuffle: bool,
    /// Repeat some points: exact copies, and copies of a timestamp with another amount.
    pub duplicate: bool,
    /// Cut the last resource down to one point, so that it borrows the others' step.
    pub single_point: bool,
}

impl Case {
    /// A plain case: Beijing time, nothing disturbed.
    pub fn new(name: &str, seed: u64, begin: &str, end: &str, step_seconds: u32) -> Self {
        Case {
            name: name.to_owned(),
            seed,
            begin: date(begin),
            end: date(end),
            step_seconds,
            offset_minutes: 480,
            analysis_offset_minutes: 480,
            shuffle: false,
            duplicate: false,
            single_point: false,
        }
    }

    /// Generator and analysis in the offset `minutes`.
    pub fn offset(mut self, minutes: i32) -> Self {
        self.offset_minutes = minutes;
        self.analysis_offset_minutes = minutes;
        self
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {text}"))
}

/// The cases the integration test checks: seeds 1 to 7; steps of 60, 300 and 3600 s;
/// ranges of 1 to 31 days; Beijing and UTC; the generator's gaps (maintenance windows and
/// collector hiccups); shuffled and duplicated points; a series of one point; and counting
/// in another offset than the data's, which splits steps at midnight and cuts the last
/// point at the end of the range.
pub fn standard_cases() -> Vec<Case> {
    vec![
        Case::new("s1-1d-60s-beijing", 1, "2024-03-01", "2024-03-01", 60),
        Case::new("s2-29d-300s-utc", 2, "2024-02-01", "2024-02-29", 300).offset(0),
        Case::new("s3-31d-3600s-beijing", 3, "2024-01-01", "2024-01-31", 3600),
        Case::new("s4-14d-60s-utc", 4, "2024-06-03", "2024-06-16", 60).offset(0),
        Case {
            shuffle: true,
            duplicate: true,
            ..Case::new(
                "s5-7d-60s-beijing-shuffled",
                5,
                "2024-05-10",
                "2024-05-16",
                60,
            )
        },
        Case {
            shuffle: true,
            duplicate: true,
            single_point: true,
            ..Case::new(
                "s6-4d-300s-utc-shuffled-single",
                6,
                "2024-12-30",
                "2025-01-02",
                300,
            )
            .offset(0)
        },
        Case {
            analysis_offset_minutes: 510,
            duplicate: true,
            ..Case::new(
                "s7-10d-3600s-beijing-counted-0830",
                7,
                "2024-04-01",
                "2024-04-10",
                3600,
            )
        },
    ]
}

/// A fixed offset of `minutes` east of UTC.
fn fixed_offset(minutes: i32) -> Result<FixedOffset, Box<dyn Error>> {
    FixedOffset::east_opt(minutes * 60).ok_or_else(|| format!("bad offset {minutes} min").into())
}

/// SplitMix64: the deterministic stream of the shuffle and the duplicates.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Writes the case's files into `dir` (created); returns a one-line description.
pub fn write_case(case: &Case, dir: &Path) -> Result<String, Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    let options = SyntheticOptions::new(case.begin, case.end)
        .with_seed(case.seed)
        .with_step_seconds(case.step_seconds)
        .with_offset(fixed_offset(case.offset_minutes)?);
    let disturbed = case.shuffle || case.duplicate || case.single_point;
    let json = if disturbed {
        let mut usage = generate(&options)?;
        let mut rng = SplitMix(case.seed ^ 0x5eed_f00d_d00d_5eed);
        let last = usage.resources.len().saturating_sub(1);
        for (index, series) in usage.resources.iter_mut().enumerate() {
            let points = &mut series.points;
            if case.single_point && index == last && !points.is_empty() {
                let middle = points[points.len() / 2];
                *points = vec![middle];
            }
            if case.duplicate && points.len() > 1 {
                for _ in 0..3 {
                    // An exact copy right after the original.
                    let at = rng.below(points.len());
                    points.insert(at + 1, points[at]);
                    // A copy of a timestamp with another amount (one more in its last
                    // place, same scale), sent after the original: it stands for the
                    // interval, the original counts for nothing.
                    let at = rng.below(points.len());
                    let original = points[at];
                    let amount = original.amount;
                    let changed = Decimal::from_i128_with_scale(
                        amount.mantissa() + 1 + rng.below(1000) as i128,
                        amount.scale(),
                    );
                    let to = at + 1 + rng.below(points.len() - at);
                    points.insert(
                        to,
                        DataPoint {
                            timestamp_ms: original.timestamp_ms,
                            amount: changed,
                        },
                    );
                }
            }
            if case.shuffle {
                for i in (1..points.len()).rev() {
                    let j = rng.below(i + 1);
                    points.swap(i, j);
                }
            }
            series.count = points.len() as u64;
        }
        write_usage(&usage)
    } else {
        generate_json(&options)?
    };
    std::fs::write(dir.join("response.json"), &json)?;
    std::fs::write(dir.join("prices.json"), PRICE_SHEET)?;
    std::fs::write(
        dir.join("case.json"),
        format!(
            "{{\"name\":{},\"seed\":{},\"beginDate\":\"{}\",\"endDate\":\"{}\",\"stepSeconds\":{},\
             \"offsetMinutes\":{},\"analysisOffsetMinutes\":{},\"shuffle\":{},\"duplicate\":{},\
             \"singlePoint\":{}}}\n",
            quote(&case.name),
            case.seed,
            case.begin,
            case.end,
            case.step_seconds,
            case.offset_minutes,
            case.analysis_offset_minutes,
            case.shuffle,
            case.duplicate,
            case.single_point
        ),
    )?;

    // The core reads back what the Python side reads: the JSON text, not the generator's
    // values, so both start from the same input.
    let usage = bec_usage::json::parse_usage(&json)?;
    let sheet = parse_price_sheet(PRICE_SHEET)?;
    let hours = usage_hours(&usage, fixed_offset(case.analysis_offset_minutes)?)?;
    let cost = estimate_cost(&hours, &sheet)?;
    let mut out = String::from("{\"resources\":[");
    let mut day_count = 0;
    for (i, resource) in hours.resources.iter().enumerate() {
        let priced = cost.resource(&resource.resource);
        if i > 0 {
            out.push(',');
        }
        write!(
            out,
            "\n{{\"name\":{},\"unit\":{},\"stepMs\":{},\"totalHours\":\"{}\",\"cost\":{},\
             \"coveredMs\":{},\"gapMs\":{},\"gaps\":{},\"days\":[",
            quote(&resource.resource),
            quote(&resource.unit),
            resource
                .step_ms
                .map_or_else(|| "null".to_owned(), |s| s.to_string()),
            resource.total,
            priced.map_or_else(|| "null".to_owned(), |p| format!("\"{}\"", p.cost)),
            resource.covered_ms,
            resource.gap_ms,
            resource.gaps.len(),
        )?;
        for (j, day) in resource.days.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let day_cost = priced.and_then(|_| cost.cost_on(&resource.resource, day.date));
            write!(
                out,
                "\n {{\"date\":\"{}\",\"hours\":\"{}\",\"coveredMs\":{},\"cost\":{}}}",
                day.date,
                day.hours,
                day.covered_ms,
                day_cost.map_or_else(|| "null".to_owned(), |c| format!("\"{c}\"")),
            )?;
            day_count += 1;
        }
        out.push_str("]}");
    }
    let unpriced: Vec<String> = cost.unpriced.iter().map(|name| quote(name)).collect();
    write!(
        out,
        "],\n\"unpriced\":[{}],\"totalCost\":\"{}\"}}\n",
        unpriced.join(","),
        cost.total
    )?;
    std::fs::write(dir.join("core.json"), out)?;
    Ok(format!(
        "{}: {} resources, {} resource-days, total cost {} {}",
        case.name,
        hours.resources.len(),
        day_count,
        cost.total,
        cost.currency
    ))
}

/// `text` as a JSON string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const USAGE: &str = "usage: hours_oracle --out DIR [--standard] [--name NAME] [--seed N] \
[--begin YYYY-MM-DD] [--end YYYY-MM-DD] [--step SECONDS] [--offset-minutes M] \
[--analysis-offset-minutes M] [--shuffle] [--duplicate] [--single-point]";

fn run(args: Vec<String>) -> Result<(), Box<dyn Error>> {
    let mut out: Option<PathBuf> = None;
    let mut standard = false;
    let mut case = Case::new("case", 1, "2024-03-01", "2024-03-07", 300);
    let mut analysis_offset = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--standard" => standard = true,
            "--name" => case.name = value()?,
            "--seed" => case.seed = value()?.parse()?,
            "--begin" => case.begin = NaiveDate::parse_from_str(&value()?, "%Y-%m-%d")?,
            "--end" => case.end = NaiveDate::parse_from_str(&value()?, "%Y-%m-%d")?,
            "--step" => case.step_seconds = value()?.parse()?,
            "--offset-minutes" => case.offset_minutes = value()?.parse()?,
            "--analysis-offset-minutes" => analysis_offset = Some(value()?.parse()?),
            "--shuffle" => case.shuffle = true,
            "--duplicate" => case.duplicate = true,
            "--single-point" => case.single_point = true,
            _ => return Err(format!("unknown argument {arg}\n{USAGE}").into()),
        }
    }
    case.analysis_offset_minutes = analysis_offset.unwrap_or(case.offset_minutes);
    let out = out.ok_or(USAGE)?;
    if standard {
        for case in standard_cases() {
            println!("{}", write_case(&case, &out.join(&case.name))?);
        }
    } else {
        println!("{}", write_case(&case, &out)?);
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hours_oracle: {error}");
            ExitCode::FAILURE
        }
    }
}
