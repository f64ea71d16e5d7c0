//! A seeded, deterministic generator of realistic usage responses, for the demo backend,
//! the in-browser demo and the benchmarks.
//!
//! ```
//! use bec_usage::synthetic::{generate, SyntheticOptions};
//! use chrono::NaiveDate;
//!
//! let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).expect("a date");
//! let options = SyntheticOptions::new(day(1), day(7)).with_seed(42).with_step_seconds(3600);
//! let usage = generate(&options)?;
//! assert_eq!(usage.resource_names().count(), 8);
//! assert_eq!(usage, generate(&options)?); // same seed, same data
//! # Ok::<(), bec_usage::Error>(())
//! ```
//!
//! # What the data looks like
//!
//! Each resource ([`ResourceSpec`]) has a name, a unit, a number of decimal places, a base
//! level and a [`Profile`] that says how it moves. On top of the base level:
//!
//! - a daily rhythm in local time: quiet early mornings (lowest around 05:00), a plateau
//!   through the day, busy evenings (highest around 21:00);
//! - a weekly rhythm: weekends differ (edge workloads such as video and games are busier),
//!   blending in over the last hours of Friday and out over the last hours of Sunday;
//! - a slow trend: smooth random drift with knots 30 and 7 days apart;
//! - noise: smooth wander (knots 2 hours and 15 minutes apart) and per-point noise;
//! - bursts: on some days a resource runs elevated (1.3× to 3.5×, by profile) for 5 to 60
//!   minutes, ramping up and down;
//! - gaps: a maintenance window of 15 to 75 minutes, starting between 01:00 and 04:30, on
//!   one day of every 14-day period, missing for every resource; and rare short collector
//!   hiccups (3 to 20 minutes) missing for one resource.
//!
//! Amounts are never negative. Cores have 3 decimal places, gigabytes 6 or 9, counts of
//! items none (see [`standard_resources`]).
//!
//! # Time grid
//!
//! Points are at every multiple of the step in local time (counted from 1970-01-01 00:00
//! local) from local midnight of the begin date up to, not including, local midnight after
//! the end date, minus the gaps. For every step that divides a day (60, 300, 3600, 86400, ...)
//! that is every step from local midnight of the begin date. Timestamps are UTC epoch
//! milliseconds, strictly increasing, and `count` is the number of points emitted.
//!
//! # Determinism
//!
//! A value is a pure function of (seed, resource spec, local time): per-point randomness is
//! a hash of (seed, resource name, time), and bursts and gaps come from a hash of (seed,
//! resource name, day), never from a stream that runs along the requested range. So a day
//! generated alone equals that day cut out of a month, and the chunks of a split range
//! concatenate into exactly the longer range's data (the grid being anchored at 1970, not at
//! the begin date, this holds for every step).
//!
//! The randomness is a hand-written SplitMix64 (its mixing function as the hash, its
//! stream for the few draws of one day): unlike the `rand` crate, which does not promise
//! the same numbers across its versions, this gives the same data forever, and it adds
//! nothing to the wasm size. The shape is computed in `f64` with only `+ − × ÷` and
//! rounding, operations IEEE 754 defines exactly (no `sin`, `exp` or `ln`, whose last bit
//! depends on the platform's math library), so the native build and the wasm build produce
//! identical data.
//!
//! # Amounts and `summary`
//!
//! Each value is turned into a [`Decimal`] by exact integer math:
//! `round(value × 10^decimals)` as an integer mantissa with scale `decimals`.
//!
//! `summary` holds, for every local day and resource, the arithmetic mean of that day's
//! points: their exact sum divided by their number, rounded to [`SUMMARY_DECIMALS`] (9)
//! decimal places with ties away from zero (`ROUND_HALF_UP`, as Java's `BigDecimal` does on
//! the service's side), trailing zeros removed (`17.223`, `12`). The result is the exactly
//! rounded mean: the division is carried to 28 significant digits, and a mean of at most
//! [`MAX_POINTS`] points cannot have the long run of 9s after the 9th decimal place that
//! could make those digits round differently. A resource with no point on a day (all gap)
//! has no entry that day; a day with no entry at all is left out.

use std::collections::BTreeMap;

use chrono::{FixedOffset, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, ErrorKind, Result};
use crate::json::write_usage;
use crate::model::{DataPoint, ResourceSeries, SummaryDay, SummaryValue, TimeSpan, UsageResponse};
use crate::query::{beijing_offset, date_of_epoch_day, epoch_day, format_date};
use crate::text::Quoted;

/// The most points (summed over all resources) one call generates; more is refused with
/// [`ErrorKind::InvalidArgument`]. Enough for 31 days at a 1-second step for 7 resources.
pub const MAX_POINTS: u64 = 20_000_000;

/// The most decimal places a resource's amounts may have.
pub const MAX_DECIMALS: u32 = 9;

/// The decimal places of the daily means in `summary`.
pub const SUMMARY_DECIMALS: u32 = 9;

/// The number of resources in [`default_resources`].
pub const DEFAULT_RESOURCE_COUNT: usize = 8;

/// The account id of generated responses unless another is given (made up).
pub const DEFAULT_ACCOUNT_ID: &str = "8d3e5a1c7b9f4e2d9a6c0b1e2f3a4d5c";

/// The largest `base × 10^decimals` accepted. The largest product of a profile's factors is
/// below 6, so every scaled value stays below 2^53, where `f64` holds integers exactly.
const MAX_SCALED_BASE: f64 = 1e15;

const SECONDS_PER_DAY: i64 = 86_400;
const MINUTES_PER_DAY: u64 = 1_440;

/// How a resource moves over time. Each profile fixes the depth of the daily rhythm, the
/// weekend factor, the amplitudes of drift and noise, and how often and how high it bursts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// Compute in use (CPU cores): a strong daily rhythm, busier weekends, noise, and
    /// frequent bursts up to 3×.
    Compute,
    /// Memory in use: follows compute more smoothly; rare, mild bursts.
    Memory,
    /// Network bandwidth or traffic: the deepest daily rhythm, much busier weekends, the
    /// most and highest bursts.
    Network,
    /// Stored data (disks, object storage): a slow drift, almost no daily rhythm, no bursts.
    Storage,
    /// Items that rarely change (EIPs, load balancers): only the slow drift; use 0 decimals.
    Steady,
    /// Items that scale with load (instances, GPU cards): a daily rhythm and bursts, no
    /// per-point noise; use 0 decimals.
    Elastic,
}

/// The numbers behind a [`Profile`].
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Depth of the daily rhythm: the multiplier runs from `1 − depth` (05:00) to 1 (21:00).
    depth: f64,
    /// Multiplier on Saturdays and Sundays.
    weekend: f64,
    /// Amplitude of the slow drift (relative).
    drift: f64,
    /// Amplitude of the 2-hour wander (relative).
    wander: f64,
    /// Amplitude of the 15-minute wander (relative).
    jitter: f64,
    /// Amplitude of the per-point noise (relative).
    noise: f64,
    /// Probability that a day has a burst.
    burst_chance: f64,
    /// Lowest burst multiplier.
    burst_low: f64,
    /// Highest burst multiplier.
    burst_high: f64,
}

impl Profile {
    fn shape(self) -> Shape {
        let calm = Shape {
            depth: 0.0,
            weekend: 1.0,
            drift: 0.0,
            wander: 0.0,
            jitter: 0.0,
            noise: 0.0,
            burst_chance: 0.0,
            burst_low: 1.0,
            burst_high: 1.0,
        };
        // Every factor stays positive (depth ≤ 0.75, the relative amplitudes sum to < 0.3),
        // so amounts are never negative; the largest product is below 6 (see
        // MAX_SCALED_BASE).
        match self {
            Profile::Compute => Shape {
                depth: 0.5,
                weekend: 1.12,
                drift: 0.15,
                wander: 0.06,
                jitter: 0.03,
                noise: 0.015,
                burst_chance: 0.3,
                burst_low: 1.8,
                burst_high: 3.0,
            },
            Profile::Memory => Shape {
                depth: 0.25,
                weekend: 1.06,
                drift: 0.12,
                wander: 0.04,
                jitter: 0.01,
                noise: 0.004,
                burst_chance: 0.15,
                burst_low: 1.3,
                burst_high: 1.6,
            },
            Profile::Network => Shape {
                depth: 0.75,
                weekend: 1.2,
                drift: 0.15,
                wander: 0.08,
                jitter: 0.05,
                noise: 0.03,
                burst_chance: 0.4,
                burst_low: 1.8,
                burst_high: 3.5,
            },
            Profile::Storage => Shape {
                depth: 0.02,
                drift: 0.2,
                wander: 0.01,
                jitter: 0.002,
                noise: 0.0005,
                ..calm
            },
            Profile::Steady => Shape {
                drift: 0.15,
                ..calm
            },
            Profile::Elastic => Shape {
                depth: 0.45,
                weekend: 1.1,
                drift: 0.12,
                wander: 0.05,
                jitter: 0.02,
                burst_chance: 0.2,
                burst_low: 1.5,
                burst_high: 2.2,
                ..calm
            },
        }
    }
}

/// One resource to generate: its `graphData` name and unit, and how its amounts look.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSpec {
    /// The resource name, the key in `graphData` and `summary` (`CPU`). Its text also keys
    /// the randomness, so a resource's data does not depend on the other resources asked for.
    pub name: String,
    /// The unit (`核`, `个`, `GB`).
    pub unit: String,
    /// Decimal places of the amounts, 0 ..= [`MAX_DECIMALS`].
    pub decimals: u32,
    /// The typical level, around which the rhythms move; at least 0, and
    /// `base × 10^decimals` at most 10^15.
    pub base: f64,
    /// How the amounts move.
    pub profile: Profile,
}

impl ResourceSpec {
    /// A resource spec.
    pub fn new(
        name: impl Into<String>,
        unit: impl Into<String>,
        decimals: u32,
        base: f64,
        profile: Profile,
    ) -> Self {
        ResourceSpec {
            name: name.into(),
            unit: unit.into(),
            decimals,
            base,
            profile,
        }
    }
}

/// The standard resources in order: the first [`DEFAULT_RESOURCE_COUNT`] are the default set.
const CATALOG: [(&str, &str, u32, f64, Profile); 12] = [
    ("CPU", "核", 3, 64.0, Profile::Compute),
    ("Memory", "GB", 6, 256.0, Profile::Memory),
    ("EIP", "个", 0, 12.0, Profile::Steady),
    ("BANDWIDTH", "Mbps", 3, 850.0, Profile::Network),
    // Traffic per minute at the bandwidth above: 850 Mbit/s × 60 s ≈ 6.4 GB.
    ("TRAFFIC", "GB", 9, 6.4, Profile::Network),
    ("SSD", "GB", 6, 2048.0, Profile::Storage),
    ("BOS_Standard", "GB", 9, 30.2, Profile::Storage),
    ("VM_Instance", "个", 0, 40.0, Profile::Elastic),
    ("GPU", "卡", 0, 8.0, Profile::Elastic),
    ("HDD", "GB", 6, 8192.0, Profile::Storage),
    ("BOS_Infrequent", "GB", 9, 120.5, Profile::Storage),
    ("BLB", "个", 0, 3.0, Profile::Steady),
];

/// `count` standard resources: `CPU` (核, 3 decimals), `Memory` (GB, 6), `EIP` (个, 0),
/// `BANDWIDTH` (Mbps, 3), `TRAFFIC` (GB, 9), `SSD` (GB, 6), `BOS_Standard` (GB, 9),
/// `VM_Instance` (个, 0), `GPU` (卡, 0), `HDD` (GB, 6), `BOS_Infrequent` (GB, 9),
/// `BLB` (个, 0), in this order. Beyond 12 the list repeats with the suffixes `_2`, `_3`, ...
/// (`CPU_2`), each copy with data of its own.
pub fn standard_resources(count: usize) -> Vec<ResourceSpec> {
    (0..count)
        .map(|i| {
            let (name, unit, decimals, base, profile) = CATALOG[i % CATALOG.len()];
            let round = i / CATALOG.len();
            let name = if round == 0 {
                name.to_owned()
            } else {
                format!("{name}_{}", round + 1)
            };
            ResourceSpec::new(name, unit, decimals, base, profile)
        })
        .collect()
}

/// The default resources: the first [`DEFAULT_RESOURCE_COUNT`] (8) of
/// [`standard_resources`], a realistic BEC account.
pub fn default_resources() -> Vec<ResourceSpec> {
    standard_resources(DEFAULT_RESOURCE_COUNT)
}

/// What to generate. Build with [`SyntheticOptions::new`] or [`Default`] and the `with_`
/// methods; the fields are public too.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticOptions {
    /// The first day, inclusive (a local day).
    pub begin_date: NaiveDate,
    /// The last day, inclusive (a local day); any distance from the first.
    pub end_date: NaiveDate,
    /// Seconds between points, at least 1 (60 for 1-minute data, 3600 hourly, 86400 daily).
    pub step_seconds: u32,
    /// The seed: the same seed gives the same data.
    pub seed: u64,
    /// The UTC offset of local days and the daily rhythm.
    pub offset: FixedOffset,
    /// The `accountId` of the response.
    pub account_id: String,
    /// The resources, in `graphData` order; names must be distinct.
    pub resources: Vec<ResourceSpec>,
}

impl Default for SyntheticOptions {
    /// January 2024, 1-minute step, seed 0, Beijing time, [`DEFAULT_ACCOUNT_ID`],
    /// [`default_resources`].
    fn default() -> Self {
        let begin = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let end = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap_or_default();
        SyntheticOptions {
            begin_date: begin,
            end_date: end,
            step_seconds: 60,
            seed: 0,
            offset: beijing_offset(),
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            resources: default_resources(),
        }
    }
}

impl SyntheticOptions {
    /// The defaults (see [`Default`]) for the days `begin_date ..= end_date`.
    pub fn new(begin_date: NaiveDate, end_date: NaiveDate) -> Self {
        SyntheticOptions {
            begin_date,
            end_date,
            ..SyntheticOptions::default()
        }
    }

    /// Sets the days `begin_date ..= end_date`.
    pub fn with_dates(mut self, begin_date: NaiveDate, end_date: NaiveDate) -> Self {
        self.begin_date = begin_date;
        self.end_date = end_date;
        self
    }

    /// Sets the seconds between points.
    pub fn with_step_seconds(mut self, step_seconds: u32) -> Self {
        self.step_seconds = step_seconds;
        self
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the UTC offset of local days.
    pub fn with_offset(mut self, offset: FixedOffset) -> Self {
        self.offset = offset;
        self
    }

    /// Sets the account id.
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = account_id.into();
        self
    }

    /// Sets the resources.
    pub fn with_resources(mut self, resources: Vec<ResourceSpec>) -> Self {
        self.resources = resources;
        self
    }

    /// Uses `count` [`standard_resources`] (e.g. 12 for the benchmark).
    pub fn with_resource_count(mut self, count: usize) -> Self {
        self.resources = standard_resources(count);
        self
    }
}

/// Generates the response described by `options`.
///
/// Errors with [`ErrorKind::RangeReversed`] when the begin date is after the end date, and
/// [`ErrorKind::InvalidArgument`] for a step of 0, a resource with a repeated name, more
/// than [`MAX_DECIMALS`] decimals or an unusable base, or more than [`MAX_POINTS`] points.
pub fn generate(options: &SyntheticOptions) -> Result<UsageResponse> {
    let grid = Grid::new(options)?;
    check_resources(&options.resources, grid.points_per_resource)?;
    let seed_key = mix64(options.seed ^ SEED_DOMAIN);
    let maintenance = Maintenance {
        key: hash2(seed_key, TAG_MAINTENANCE),
    };
    let mut resources = Vec::with_capacity(options.resources.len());
    let mut summary: BTreeMap<i64, Vec<SummaryValue>> = BTreeMap::new();
    for spec in &options.resources {
        let (series, means) = generate_resource(seed_key, spec, &grid, &maintenance)?;
        for (day, average) in means {
            summary.entry(day).or_default().push(SummaryValue {
                resource: spec.name.clone(),
                average,
            });
        }
        resources.push(series);
    }
    let summary = summary
        .into_iter()
        .map(|(day, values)| {
            Ok(SummaryDay {
                date: date_of_day(day)?,
                values,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(UsageResponse {
        account_id: options.account_id.clone(),
        time_span: TimeSpan {
            begin_date: options.begin_date,
            end_date: options.end_date,
        },
        resources,
        summary,
    })
}

/// One burst that [`generate`] puts into the data: the known truth for scoring anomaly
/// detection.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstSpan {
    /// The resource name.
    pub resource: String,
    /// Where the burst starts (epoch ms); the first point at or after it is raised.
    pub start_ms: i64,
    /// Where it ends, exclusive (epoch ms).
    pub end_ms: i64,
    /// The highest multiplier, reached after the ramp up (1.3 to 3.5, by profile).
    pub multiplier: f64,
}

/// The bursts [`generate`] puts into the data of `options`, by resource in `options`' order
/// and then by time: drawn by the same code from the same hashes, so they are exactly the
/// generated ones. A burst is listed as planned, even when a gap removes some or all of its
/// points; a burst shorter than the step may fall between points.
///
/// Errors as [`generate`] does.
pub fn bursts(options: &SyntheticOptions) -> Result<Vec<BurstSpan>> {
    let grid = Grid::new(options)?;
    check_resources(&options.resources, grid.points_per_resource)?;
    let seed_key = mix64(options.seed ^ SEED_DOMAIN);
    let first_day = grid.first_local_s.div_euclid(SECONDS_PER_DAY);
    let end_day = grid.end_local_s.div_euclid(SECONDS_PER_DAY);
    let mut spans = Vec::new();
    for spec in &options.resources {
        let shape = spec.profile.shape();
        let keys = ResourceKeys::new(seed_key, &spec.name);
        for day in first_day..end_day {
            if let Some(burst) = Burst::on(&keys, &shape, day) {
                // In range: the grid's ends were checked in Grid::new.
                let at = |second_of_day: i64| {
                    (day * SECONDS_PER_DAY + second_of_day - grid.offset_s) * 1000
                };
                spans.push(BurstSpan {
                    resource: spec.name.clone(),
                    start_ms: at(burst.start),
                    end_ms: at(burst.end),
                    multiplier: burst.multiplier,
                });
            }
        }
    }
    Ok(spans)
}

/// Generates the response described by `options` and writes it as the service's JSON
/// ([`write_usage`]). Errors as [`generate`] does.
pub fn generate_json(options: &SyntheticOptions) -> Result<String> {
    generate(options).map(|usage| write_usage(&usage))
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

fn check_resources(resources: &[ResourceSpec], points_per_resource: u64) -> Result<()> {
    let total = points_per_resource.saturating_mul(resources.len() as u64);
    if total > MAX_POINTS {
        return Err(invalid(format!(
            "the request would generate {total} points ({points_per_resource} for each of {} \
             resources), more than the limit of {MAX_POINTS}; use a larger step, a shorter \
             range or fewer resources",
            resources.len()
        )));
    }
    for (i, spec) in resources.iter().enumerate() {
        if resources[..i].iter().any(|other| other.name == spec.name) {
            return Err(invalid(format!(
                "the resource name {} appears twice; resource names must be distinct",
                Quoted(&spec.name)
            )));
        }
        if spec.decimals > MAX_DECIMALS {
            return Err(invalid(format!(
                "resource {} asks for {} decimal places; at most {MAX_DECIMALS} are supported",
                Quoted(&spec.name),
                spec.decimals
            )));
        }
        let scaled = spec.base * power_of_ten(spec.decimals);
        if !(spec.base >= 0.0 && scaled <= MAX_SCALED_BASE) {
            // The base level itself is not printed: formatting an `f64` would add float
            // formatting code (about 9 KB gzipped) to every WebAssembly build that generates
            // demo data, for a message only a programmer passing a bad constant ever sees.
            return Err(invalid(format!(
                "resource {} has an unusable base level; it must be a finite number from 0 \
                 with base × 10^decimals at most 10^15",
                Quoted(&spec.name)
            )));
        }
    }
    Ok(())
}

/// 10^n, exact in `f64` for n ≤ 22.
fn power_of_ten(n: u32) -> f64 {
    (0..n).fold(1.0, |acc, _| acc * 10.0)
}

/// The points to generate, in local seconds since 1970-01-01 00:00 local.
#[derive(Debug, Clone, Copy)]
struct Grid {
    /// The first point: the first multiple of the step at or after local midnight of the
    /// begin date.
    first_local_s: i64,
    /// Local midnight after the end date (exclusive).
    end_local_s: i64,
    step_s: i64,
    offset_s: i64,
    points_per_resource: u64,
}

impl Grid {
    fn new(options: &SyntheticOptions) -> Result<Self> {
        let (begin, end) = (options.begin_date, options.end_date);
        if begin > end {
            return Err(Error::new(
                ErrorKind::RangeReversed,
                format!(
                    "the begin date {} is after the end date {}; swap them",
                    format_date(begin),
                    format_date(end)
                ),
            ));
        }
        if options.step_seconds == 0 {
            return Err(invalid(
                "the step must be at least 1 second; e.g. 60 for 1-minute data".to_owned(),
            ));
        }
        let step_s = i64::from(options.step_seconds);
        let offset_s = i64::from(options.offset.local_minus_utc());
        // NaiveDate spans about ±262,000 years, so these products stay far inside i64
        // (10^13 seconds, 10^16 milliseconds); the checks only make that visible.
        let overflow = || {
            Error::new(
                ErrorKind::Overflow,
                "the date range is too far from 1970 to express in epoch milliseconds",
            )
        };
        let begin_local_s = epoch_day(begin)
            .checked_mul(SECONDS_PER_DAY)
            .ok_or_else(overflow)?;
        let end_local_s = epoch_day(end)
            .checked_add(1)
            .and_then(|d| d.checked_mul(SECONDS_PER_DAY))
            .ok_or_else(overflow)?;
        for local_s in [begin_local_s, end_local_s] {
            local_s
                .checked_sub(offset_s)
                .and_then(|s| s.checked_mul(1000))
                .ok_or_else(overflow)?;
        }
        let remainder = begin_local_s.rem_euclid(step_s);
        let first_local_s = if remainder == 0 {
            begin_local_s
        } else {
            begin_local_s + (step_s - remainder)
        };
        let points_per_resource = if first_local_s < end_local_s {
            ((end_local_s - 1 - first_local_s) / step_s + 1) as u64
        } else {
            0
        };
        Ok(Grid {
            first_local_s,
            end_local_s,
            step_s,
            offset_s,
            points_per_resource,
        })
    }
}

fn date_of_day(day: i64) -> Result<NaiveDate> {
    date_of_epoch_day(day)
        .ok_or_else(|| Error::new(ErrorKind::Overflow, format!("day {day} is out of range")))
}

// ---- randomness ---------------------------------------------------------------------

// SplitMix64 (Steele, Lea, Flood 2014; the constants of Vigna's reference code).
// Hand-written so the numbers can never change under us: `rand` does not promise the same
// stream across its versions, and this costs nothing in the wasm build.
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a bijective mix of 64 bits, used as the hash.
#[inline(always)]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of a key and a value, for deriving keys (`hash2(resource, TAG_NOISE)`) and
/// per-time draws (`hash2(noise_key, second)`).
#[inline(always)]
fn hash2(key: u64, value: u64) -> u64 {
    mix64(key ^ mix64(value.wrapping_add(GOLDEN_GAMMA)))
}

/// FNV-1a of a name, so a resource's randomness depends on its name, not its position.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// Uniform in [0, 1) from the top 53 bits.
#[inline(always)]
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Uniform in [−1, 1).
fn signed_unit(h: u64) -> f64 {
    unit(h) * 2.0 - 1.0
}

/// Triangular in (−1, 1), peaked at 0: the sum of two uniforms from the two halves of `h`.
#[inline(always)]
fn triangular(h: u64) -> f64 {
    ((h & 0xFFFF_FFFF) as f64 + (h >> 32) as f64) * (1.0 / 4_294_967_296.0) - 1.0
}

/// SplitMix64's stream, for the few draws that plan one day of one resource.
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    fn next_unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// In `0 .. n` (n ≥ 1); the modulo bias, below 2^-50 here, does not matter.
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const SEED_DOMAIN: u64 = 0x6265_632D_7573_6167; // "bec-usag"
const TAG_DRIFT: u64 = 1;
const TAG_WEEKLY: u64 = 2;
const TAG_WANDER: u64 = 3;
const TAG_JITTER: u64 = 4;
const TAG_NOISE: u64 = 5;
const TAG_BURST: u64 = 6;
const TAG_HICCUP: u64 = 7;
const TAG_MAINTENANCE: u64 = 8;

/// Smooth random wander ("value noise"): a random value in [−1, 1] at every knot, `knot_s`
/// seconds apart, eased between knots. Caches the current pair of knots.
#[derive(Debug, Clone)]
struct ValueNoise {
    key: u64,
    knot_s: i64,
    knot: Option<i64>,
    left: f64,
    right: f64,
}

impl ValueNoise {
    fn new(key: u64, knot_s: i64) -> Self {
        ValueNoise {
            key,
            knot_s,
            knot: None,
            left: 0.0,
            right: 0.0,
        }
    }

    fn knot_value(&self, knot: i64) -> f64 {
        signed_unit(hash2(self.key, knot as u64))
    }

    #[inline(always)]
    fn at(&mut self, local_s: i64) -> f64 {
        let knot = local_s.div_euclid(self.knot_s);
        if self.knot != Some(knot) {
            self.left = if self.knot == Some(knot.wrapping_sub(1)) {
                self.right
            } else {
                self.knot_value(knot)
            };
            self.right = self.knot_value(knot.wrapping_add(1));
            self.knot = Some(knot);
        }
        // `local_s.rem_euclid(knot_s)` for a positive `knot_s`, without a second division.
        let t = (local_s - knot * self.knot_s) as f64 / self.knot_s as f64;
        let eased = t * t * (3.0 - 2.0 * t);
        self.left + (self.right - self.left) * eased
    }
}

// ---- the plan of a day ----------------------------------------------------------------

/// The daily rhythm: 0 at the quietest (05:00), 1 at the busiest (21:00), one value per
/// local hour, linear in between.
const DAILY_SHAPE: [f64; 24] = [
    0.62, 0.42, 0.26, 0.13, 0.04, 0.00, 0.05, 0.16, 0.30, 0.42, 0.50, 0.55, //
    0.58, 0.56, 0.55, 0.57, 0.61, 0.67, 0.76, 0.86, 0.95, 1.00, 0.96, 0.82,
];

#[inline(always)]
fn daily_shape(second_of_day: i64) -> f64 {
    // 0 ≤ second_of_day < 86,400: the hour is 0 ..= 23 and the remainder its seconds.
    let hour = (second_of_day / 3600) as usize % 24;
    let next = (hour + 1) % 24;
    let t = (second_of_day - (second_of_day / 3600) * 3600) as f64 / 3600.0;
    DAILY_SHAPE[hour] + (DAILY_SHAPE[next] - DAILY_SHAPE[hour]) * t
}

fn is_weekend(day: i64) -> bool {
    // 1970-01-01 was a Thursday; with Monday as 0, Saturday and Sunday are 5 and 6.
    (day + 3).rem_euclid(7) >= 5
}

/// The maintenance windows, shared by all resources: one in every 14-day period (so at
/// least one in any 27 consecutive days), on a day, at a time and of a length drawn from
/// the seed and the period.
#[derive(Debug, Clone, Copy)]
struct Maintenance {
    key: u64,
}

const MAINTENANCE_PERIOD_DAYS: i64 = 14;

impl Maintenance {
    /// The window on `day`, in seconds of the day, if there is one.
    fn window(&self, day: i64) -> Option<(i64, i64)> {
        let period = day.div_euclid(MAINTENANCE_PERIOD_DAYS);
        let mut rng = SplitMix64::new(hash2(self.key, period as u64));
        let day_in_period = rng.below(MAINTENANCE_PERIOD_DAYS as u64) as i64;
        let start_minute = 60 + rng.below(211) as i64; // 01:00 ..= 04:30
        let minutes = 15 + rng.below(61) as i64; // 15 ..= 75
        (day.rem_euclid(MAINTENANCE_PERIOD_DAYS) == day_in_period)
            .then(|| (start_minute * 60, (start_minute + minutes) * 60))
    }
}

/// A burst: `[start, end)` seconds of the day at up to `multiplier`, ramping up and down
/// over `ramp` seconds.
#[derive(Debug, Clone, Copy)]
struct Burst {
    start: i64,
    end: i64,
    ramp: i64,
    multiplier: f64,
}

impl Burst {
    /// The burst of one resource on `day`, if it has one: the one place bursts are drawn,
    /// used by both [`generate`] and [`bursts`].
    fn on(keys: &ResourceKeys, shape: &Shape, day: i64) -> Option<Burst> {
        let mut rng = SplitMix64::new(hash2(keys.burst, day as u64));
        (rng.next_unit() < shape.burst_chance).then(|| {
            let minutes = 5 + rng.below(56);
            let start = rng.below(MINUTES_PER_DAY - minutes + 1);
            let multiplier =
                shape.burst_low + (shape.burst_high - shape.burst_low) * rng.next_unit();
            Burst {
                start: (start * 60) as i64,
                end: ((start + minutes) * 60) as i64,
                ramp: (minutes * 60 / 5).max(60) as i64,
                multiplier,
            }
        })
    }

    #[inline(always)]
    fn factor(&self, second_of_day: i64) -> f64 {
        if second_of_day < self.start || second_of_day >= self.end {
            return 1.0;
        }
        // +60 so the first point inside the window is already raised.
        let edge = (second_of_day - self.start + 60).min(self.end - second_of_day);
        let weight = (edge as f64 / self.ramp as f64).min(1.0);
        1.0 + (self.multiplier - 1.0) * weight
    }
}

/// What one day of one resource holds besides the smooth shape: gaps, a burst, weekends.
#[derive(Debug, Clone, Copy)]
struct DayPlan {
    maintenance: Option<(i64, i64)>,
    hiccup: Option<(i64, i64)>,
    burst: Option<Burst>,
    weekend_today: f64,
    weekend_tomorrow: f64,
}

/// Probability that a resource misses a few minutes on a given day.
const HICCUP_CHANCE: f64 = 0.04;

/// The weekend multiplier blends from one day's to the next over the last 4 hours of a day.
const WEEKEND_BLEND_START_S: i64 = 20 * 3600;

impl DayPlan {
    fn new(keys: &ResourceKeys, shape: &Shape, maintenance: &Maintenance, day: i64) -> Self {
        let mut rng = SplitMix64::new(hash2(keys.hiccup, day as u64));
        let hiccup = (rng.next_unit() < HICCUP_CHANCE).then(|| {
            let minutes = 3 + rng.below(18);
            let start = rng.below(MINUTES_PER_DAY - minutes + 1);
            ((start * 60) as i64, ((start + minutes) * 60) as i64)
        });
        let weekend = |day| if is_weekend(day) { shape.weekend } else { 1.0 };
        DayPlan {
            maintenance: maintenance.window(day),
            hiccup,
            burst: Burst::on(keys, shape, day),
            weekend_today: weekend(day),
            weekend_tomorrow: weekend(day + 1),
        }
    }

    #[inline(always)]
    fn in_gap(&self, second_of_day: i64) -> bool {
        let inside = |window: Option<(i64, i64)>| {
            window.is_some_and(|(start, end)| (start..end).contains(&second_of_day))
        };
        inside(self.maintenance) || inside(self.hiccup)
    }

    #[inline(always)]
    fn weekend_factor(&self, second_of_day: i64) -> f64 {
        if second_of_day < WEEKEND_BLEND_START_S {
            return self.weekend_today;
        }
        let t = (second_of_day - WEEKEND_BLEND_START_S) as f64
            / (SECONDS_PER_DAY - WEEKEND_BLEND_START_S) as f64;
        self.weekend_today + (self.weekend_tomorrow - self.weekend_today) * t
    }

    #[inline(always)]
    fn burst_factor(&self, second_of_day: i64) -> f64 {
        self.burst.map_or(1.0, |burst| burst.factor(second_of_day))
    }
}

/// The keys of one resource's random components.
#[derive(Debug, Clone, Copy)]
struct ResourceKeys {
    drift: u64,
    weekly: u64,
    wander: u64,
    jitter: u64,
    noise: u64,
    burst: u64,
    hiccup: u64,
}

impl ResourceKeys {
    fn new(seed_key: u64, name: &str) -> Self {
        let key = hash2(seed_key, name_hash(name));
        ResourceKeys {
            drift: hash2(key, TAG_DRIFT),
            weekly: hash2(key, TAG_WEEKLY),
            wander: hash2(key, TAG_WANDER),
            jitter: hash2(key, TAG_JITTER),
            noise: hash2(key, TAG_NOISE),
            burst: hash2(key, TAG_BURST),
            hiccup: hash2(key, TAG_HICCUP),
        }
    }
}

// ---- generating -----------------------------------------------------------------------

/// The running sum of one day's mantissas, for the day's mean.
#[derive(Debug, Clone, Copy)]
struct DaySum {
    sum: i128,
    points: u64,
}

/// What every point of one resource is made of: its spec and shape, its keys, its smooth
/// random components (which cache their current knots) and the grid's step and offset.
struct ResourceWork<'a> {
    spec: &'a ResourceSpec,
    shape: Shape,
    keys: ResourceKeys,
    drift: ValueNoise,
    weekly: ValueNoise,
    wander: ValueNoise,
    jitter: ValueNoise,
    scale: f64,
    step_s: i64,
    offset_s: i64,
}

fn generate_resource(
    seed_key: u64,
    spec: &ResourceSpec,
    grid: &Grid,
    maintenance: &Maintenance,
) -> Result<(ResourceSeries, Vec<(i64, Decimal)>)> {
    let keys = ResourceKeys::new(seed_key, &spec.name);
    let mut work = ResourceWork {
        spec,
        shape: spec.profile.shape(),
        keys,
        drift: ValueNoise::new(keys.drift, 30 * SECONDS_PER_DAY),
        weekly: ValueNoise::new(keys.weekly, 7 * SECONDS_PER_DAY),
        wander: ValueNoise::new(keys.wander, 2 * 3600),
        jitter: ValueNoise::new(keys.jitter, 15 * 60),
        scale: power_of_ten(spec.decimals),
        step_s: grid.step_s,
        offset_s: grid.offset_s,
    };

    // Bounded by MAX_POINTS, checked before.
    let mut points = Vec::with_capacity(grid.points_per_resource as usize);
    let mut means = Vec::new();
    // Day by day (issue 23): the dashboard's data worker generates half a million points as
    // the page opens, while V8 still runs its WebAssembly in the baseline tier. V8 swaps in
    // a function's optimised code only at its next call, so the points are made by a
    // function called once a day (hundreds of calls a month) rather than by one loop over
    // the month, and the day's plan and sum are made once a day rather than checked at
    // every point.
    let mut local_s = grid.first_local_s;
    while local_s < grid.end_local_s {
        let day = local_s.div_euclid(SECONDS_PER_DAY);
        let day_start = day * SECONDS_PER_DAY;
        let day_end = (day_start + SECONDS_PER_DAY).min(grid.end_local_s);
        let today = DayPlan::new(&work.keys, &work.shape, maintenance, day);
        let (sum, count) = generate_day(
            &mut work,
            &today,
            &mut local_s,
            day_start,
            day_end,
            &mut points,
        )?;
        if count > 0 {
            let done = DaySum { sum, points: count };
            means.push((day, day_mean(done, spec.decimals)?));
        }
    }
    let series = ResourceSeries {
        name: spec.name.clone(),
        count: points.len() as u64,
        unit: spec.unit.clone(),
        points,
    };
    Ok((series, means))
}

/// The points of one day from `*local_s` (on the grid) to `day_end` (exclusive), pushed onto
/// `points`; `*local_s` is left at the first grid point at or after `day_end`. Returns the
/// sum of the day's mantissas and their count.
///
/// The small functions a point calls (the noises, the hashes, the day's factors) are
/// `#[inline(always)]`: at the wasm's opt-level "z" they were calls, and V8's baseline
/// tier pays for each (the month at `node --liftoff-only`: 84 → 45 ms; optimised, 50 →
/// 28 ms in Chromium), for 1.6 KB of wasm.
#[inline(never)]
fn generate_day(
    work: &mut ResourceWork<'_>,
    today: &DayPlan,
    local_s: &mut i64,
    day_start: i64,
    day_end: i64,
    points: &mut Vec<DataPoint>,
) -> Result<(i128, u64)> {
    let shape = &work.shape;
    let spec = work.spec;
    let mut sum: i128 = 0;
    let mut count: u64 = 0;
    let mut at = *local_s;
    while at < day_end {
        let second_of_day = at - day_start;
        if !today.in_gap(second_of_day) {
            let rhythm = 1.0 - shape.depth + shape.depth * daily_shape(second_of_day);
            let trend = 1.0 + shape.drift * (0.75 * work.drift.at(at) + 0.25 * work.weekly.at(at));
            let wobble =
                1.0 + shape.wander * work.wander.at(at) + shape.jitter * work.jitter.at(at);
            let noise = if shape.noise > 0.0 {
                1.0 + shape.noise * triangular(hash2(work.keys.noise, at as u64))
            } else {
                1.0
            };
            let value = spec.base
                * rhythm
                * today.weekend_factor(second_of_day)
                * trend
                * wobble
                * noise
                * today.burst_factor(second_of_day);
            // Below 2^53 by MAX_SCALED_BASE, so the rounded value is an exact integer.
            let scaled = (value * work.scale).round();
            let mantissa = if scaled > 0.0 { scaled as i64 } else { 0 };
            let amount = Decimal::try_new(mantissa, spec.decimals)
                .map_err(|e| Error::new(ErrorKind::Overflow, e.to_string()))?;
            points.push(DataPoint {
                // In range: checked for the grid's ends in Grid::new.
                timestamp_ms: (at - work.offset_s) * 1000,
                amount,
            });
            sum += i128::from(mantissa);
            count += 1;
        }
        at += work.step_s;
    }
    *local_s = at;
    Ok((sum, count))
}

/// The mean of a day's amounts (mantissas at scale `decimals`), rounded as the module docs
/// say. The sum of at most MAX_POINTS mantissas below 2^53 stays below 2^78, inside both
/// i128 and a decimal's 96 bits.
fn day_mean(day_sum: DaySum, decimals: u32) -> Result<Decimal> {
    let overflow = || {
        Error::new(
            ErrorKind::Overflow,
            "a daily mean exceeded the range of a 96-bit decimal",
        )
    };
    let sum = Decimal::try_from_i128_with_scale(day_sum.sum, decimals).map_err(|_| overflow())?;
    let mean = sum
        .checked_div(Decimal::from(day_sum.points))
        .ok_or_else(overflow)?;
    Ok(mean
        .round_dp_with_strategy(SUMMARY_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
        .normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};
    use std::sync::OnceLock;

    use chrono::{DateTime, Duration, NaiveTime};

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn january(seed: u64) -> SyntheticOptions {
        SyntheticOptions::new(date("2024-01-01"), date("2024-01-31")).with_seed(seed)
    }

    /// The benchmark's month: 31 days, 1-minute step, 12 resources; generated once.
    fn month_of_twelve() -> &'static UsageResponse {
        static MONTH: OnceLock<UsageResponse> = OnceLock::new();
        MONTH.get_or_init(|| {
            generate(&january(7).with_resource_count(12)).expect("the benchmark month")
        })
    }

    /// The local day of a timestamp, computed with chrono rather than the generator's math.
    fn local_day(timestamp_ms: i64, offset: FixedOffset) -> NaiveDate {
        DateTime::from_timestamp_millis(timestamp_ms)
            .expect("timestamp in range")
            .with_timezone(&offset)
            .date_naive()
    }

    fn local_midnight_ms(day: NaiveDate, offset: FixedOffset) -> i64 {
        day.and_time(NaiveTime::MIN)
            .and_local_timezone(offset)
            .single()
            .expect("fixed offsets are unambiguous")
            .timestamp_millis()
    }

    fn points_on(series: &ResourceSeries, day: NaiveDate, offset: FixedOffset) -> Vec<DataPoint> {
        series
            .points
            .iter()
            .filter(|p| local_day(p.timestamp_ms, offset) == day)
            .copied()
            .collect()
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let options = SyntheticOptions::new(date("2024-05-01"), date("2024-05-03"))
            .with_step_seconds(300)
            .with_seed(11);
        let first = generate(&options).expect("generate");
        let second = generate(&options).expect("generate");
        assert_eq!(first, second);
        assert_eq!(write_usage(&first), generate_json(&options).expect("json"));

        let other = generate(&options.clone().with_seed(12)).expect("generate");
        assert_eq!(other.resources.len(), first.resources.len());
        for (a, b) in first.resources.iter().zip(&other.resources) {
            if a.name == "EIP" {
                continue; // a steady count may well be equal over three days
            }
            assert_ne!(
                a.points, b.points,
                "{} did not change with the seed",
                a.name
            );
        }
    }

    #[test]
    fn known_seed_gives_known_values() {
        // Pins the data itself: if this changes, every demo and benchmark changes, and
        // "determinism forever" is broken. Update only on purpose.
        let options = SyntheticOptions::new(date("2024-01-01"), date("2024-01-01"))
            .with_step_seconds(3600)
            .with_seed(1)
            .with_resource_count(3);
        let usage = generate(&options).expect("generate");
        let text = |name: &str, hour: usize| {
            usage.resource(name).expect("resource").points[hour]
                .amount
                .to_string()
        };
        let pinned = [text("CPU", 0), text("Memory", 5), text("EIP", 21)];
        assert_eq!(pinned, PINNED_VALUES.map(str::to_owned));
    }
    const PINNED_VALUES: [&str; 3] = ["55.616", "189.374548", "11"];

    #[test]
    fn whole_output_is_pinned_so_native_and_wasm_agree() {
        // A digest of every byte of two days of 5-minute data for the 12 standard resources.
        // The same test runs natively and on wasm, so both builds must produce identical
        // amounts, point for point. Update only on purpose.
        let options = SyntheticOptions::new(date("2024-02-10"), date("2024-02-11"))
            .with_step_seconds(300)
            .with_seed(2024)
            .with_resource_count(12);
        let text = generate_json(&options).expect("generate");
        assert_eq!((text.len(), name_hash(&text)), PINNED_DIGEST);
    }
    const PINNED_DIGEST: (usize, u64) = (313_954, 9_974_063_633_932_360_242);

    #[test]
    fn a_day_alone_equals_the_day_cut_out_of_a_month() {
        let month = month_of_twelve();
        let offset = beijing_offset();
        for day in ["2024-01-01", "2024-01-17", "2024-01-31"].map(date) {
            let alone = generate(&january(7).with_resource_count(12).with_dates(day, day))
                .expect("one day");
            for series in &alone.resources {
                let cut = points_on(
                    month.resource(&series.name).expect("same resources"),
                    day,
                    offset,
                );
                assert!(!cut.is_empty());
                assert_eq!(series.points, cut, "{} on {day}", series.name);
            }
            assert_eq!(alone.summary_day(day), month.summary_day(day));
            assert_eq!(alone.summary.len(), 1);
        }
    }

    #[test]
    fn chunks_concatenate_into_the_longer_range_even_for_an_odd_step() {
        // 7 minutes does not divide a day, so the grid must be anchored independently of
        // the begin date for the chunks to line up.
        let options = SyntheticOptions::new(date("2024-02-28"), date("2024-03-02"))
            .with_step_seconds(420)
            .with_seed(99);
        let whole = generate(&options).expect("whole");
        let chunks = [
            ("2024-02-28", "2024-02-28"),
            ("2024-02-29", "2024-03-01"),
            ("2024-03-02", "2024-03-02"),
        ]
        .map(|(b, e)| generate(&options.clone().with_dates(date(b), date(e))).expect("chunk"));
        for (i, series) in whole.resources.iter().enumerate() {
            let joined: Vec<DataPoint> = chunks
                .iter()
                .flat_map(|c| c.resources[i].points.iter().copied())
                .collect();
            assert_eq!(series.points, joined, "{}", series.name);
        }
        let joined_summary: Vec<SummaryDay> = chunks
            .iter()
            .flat_map(|c| c.summary.iter().cloned())
            .collect();
        assert_eq!(whole.summary, joined_summary);
    }

    #[test]
    fn timestamps_increase_strictly_and_stay_inside_the_local_range() {
        let west = FixedOffset::west_opt(5 * 3600 + 30 * 60).expect("offset");
        for (options, offset) in [
            (january(3), beijing_offset()),
            (
                SyntheticOptions::new(date("2023-12-30"), date("2024-01-02"))
                    .with_offset(west)
                    .with_step_seconds(420),
                west,
            ),
        ] {
            let usage = generate(&options).expect("generate");
            let first_ms = local_midnight_ms(options.begin_date, offset);
            let end_ms = local_midnight_ms(options.end_date + Duration::days(1), offset);
            let step_ms = i64::from(options.step_seconds) * 1000;
            for series in &usage.resources {
                assert!(series
                    .points
                    .windows(2)
                    .all(|w| w[0].timestamp_ms < w[1].timestamp_ms));
                for p in &series.points {
                    assert!(
                        (first_ms..end_ms).contains(&p.timestamp_ms),
                        "{}",
                        p.timestamp_ms
                    );
                    let day = local_day(p.timestamp_ms, offset);
                    assert!(options.begin_date <= day && day <= options.end_date);
                    // On the grid: a whole number of steps after local midnight of 1970.
                    let local_ms = p.timestamp_ms + i64::from(offset.local_minus_utc()) * 1000;
                    assert_eq!(local_ms.rem_euclid(step_ms), 0);
                }
                assert_eq!(series.count, series.points.len() as u64);
            }
        }
    }

    #[test]
    fn a_one_minute_day_starts_at_local_midnight_and_ends_at_23_59() {
        let day = date("2024-03-10");
        let usage = generate(&SyntheticOptions::new(day, day).with_seed(5)).expect("generate");
        let offset = beijing_offset();
        let series = &usage.resources[0];
        let first = series.points.first().expect("points").timestamp_ms;
        let last = series.points.last().expect("points").timestamp_ms;
        // Gaps may remove the very first or last minutes, so bounds, not equalities.
        assert!(first >= local_midnight_ms(day, offset));
        assert!(last <= local_midnight_ms(day + Duration::days(1), offset) - 60_000);
        assert!(series.points.len() <= 1440);
        assert!(series.points.len() >= 1440 - 75 - 20);
    }

    #[test]
    fn amounts_are_never_negative_and_have_the_resource_decimals() {
        let month = month_of_twelve();
        let specs = standard_resources(12);
        for (series, spec) in month.resources.iter().zip(&specs) {
            assert_eq!(series.name, spec.name);
            assert_eq!(series.unit, spec.unit);
            for p in &series.points {
                assert!(!p.amount.is_sign_negative(), "{} {}", series.name, p.amount);
                assert_eq!(
                    p.amount.scale(),
                    spec.decimals,
                    "{} {}",
                    series.name,
                    p.amount
                );
            }
            let positive = series
                .points
                .iter()
                .filter(|p| p.amount > Decimal::ZERO)
                .count();
            assert!(
                positive * 10 > series.points.len() * 9,
                "{} mostly zero",
                series.name
            );
        }
    }

    #[test]
    fn summary_is_the_half_up_rounded_mean_of_each_local_day() {
        // Recomputed independently: integers at 9 decimal places, rounded half up by hand.
        let month = month_of_twelve();
        let offset = beijing_offset();
        let mut expected: BTreeMap<(NaiveDate, String), (i128, i128)> = BTreeMap::new();
        for series in &month.resources {
            for p in &series.points {
                let scale = p.amount.scale();
                assert!(scale <= 9);
                let nano = p.amount.mantissa() * 10_i128.pow(9 - scale);
                let entry = expected
                    .entry((local_day(p.timestamp_ms, offset), series.name.clone()))
                    .or_insert((0, 0));
                entry.0 += nano;
                entry.1 += 1;
            }
        }
        let mut seen = BTreeSet::new();
        for day in &month.summary {
            for value in &day.values {
                let key = (day.date, value.resource.clone());
                let (sum, n) = expected
                    .get(&key)
                    .copied()
                    .expect("a summary entry has points");
                let rounded = (2 * sum + n) / (2 * n); // half up, sum ≥ 0
                let mean = Decimal::from_i128_with_scale(rounded, 9);
                assert_eq!(value.average, mean, "{key:?}");
                assert!(value.average.scale() <= 9);
                seen.insert(key);
            }
        }
        // Every (day, resource) with points has an entry, and no other.
        assert_eq!(seen, expected.keys().cloned().collect::<BTreeSet<_>>());
        let days: Vec<NaiveDate> = month.summary.iter().map(|d| d.date).collect();
        assert_eq!(days.len(), 31);
        assert!(days.windows(2).all(|w| w[0] < w[1]));
        let order: Vec<&str> = month.summary[0]
            .values
            .iter()
            .map(|v| v.resource.as_str())
            .collect();
        assert_eq!(order, month.resource_names().collect::<Vec<_>>());
    }

    #[test]
    fn summary_rounds_ties_away_from_zero_and_drops_trailing_zeros() {
        let day_sum = |sum, points| DaySum { sum, points };
        // 2.000000001 / 2 = 1.0000000005 exactly: a tie after the 9th place goes up.
        assert_eq!(
            day_mean(day_sum(2_000_000_001, 2), 9)
                .expect("mean")
                .to_string(),
            "1.000000001"
        );
        assert_eq!(
            day_mean(day_sum(2_000_000_003, 2), 9)
                .expect("mean")
                .to_string(),
            "1.000000002"
        );
        assert_eq!(
            day_mean(day_sum(2, 3), 0).expect("mean").to_string(),
            "0.666666667"
        );
        assert_eq!(day_mean(day_sum(36, 3), 0).expect("mean").to_string(), "12");
        assert_eq!(
            day_mean(day_sum(34_446, 2), 3).expect("mean").to_string(),
            "17.223"
        );
    }

    #[test]
    fn a_month_of_twelve_resources_has_all_points_but_the_gaps() {
        let month = month_of_twelve();
        assert_eq!(month.resources.len(), 12);
        let total: usize = month.resources.iter().map(|r| r.points.len()).sum();
        let full = 31 * 1440 * 12;
        assert_eq!(full, 535_680);
        assert!(total < full, "at least one gap");
        assert!(total > full * 98 / 100, "only a few gaps: {total}");
        let units: BTreeSet<&str> = month.resources.iter().map(|r| r.unit.as_str()).collect();
        for unit in ["核", "个", "GB", "卡", "Mbps"] {
            assert!(units.contains(unit), "{unit}");
        }
        for name in ["CPU", "EIP", "BOS_Standard", "Memory"] {
            assert!(month.resource(name).is_some(), "{name}");
        }
        assert_eq!(month.account_id, DEFAULT_ACCOUNT_ID);
        assert_eq!(month.time_span.begin_date, date("2024-01-01"));
        assert_eq!(month.time_span.end_date, date("2024-01-31"));
    }

    #[test]
    fn a_month_has_a_maintenance_gap_and_bursts() {
        let month = month_of_twelve();
        // A maintenance window: a stretch of missing minutes shared by every resource.
        let mut missing: HashMap<i64, usize> = HashMap::new();
        for series in &month.resources {
            for w in series.points.windows(2) {
                let mut t = w[0].timestamp_ms + 60_000;
                while t < w[1].timestamp_ms {
                    *missing.entry(t).or_default() += 1;
                    t += 60_000;
                }
            }
        }
        let shared = missing.values().filter(|&&n| n == 12).count();
        assert!(
            shared >= 2 * 15,
            "two maintenance windows of 15+ minutes, got {shared}"
        );

        // Bursts: points far above their day's median, for compute and network resources.
        let offset = beijing_offset();
        for name in ["CPU", "BANDWIDTH"] {
            let series = month.resource(name).expect("resource");
            let mut burst_days = 0;
            for day in 1..=31 {
                let day = NaiveDate::from_ymd_opt(2024, 1, day).expect("date");
                let mut amounts: Vec<Decimal> = points_on(series, day, offset)
                    .iter()
                    .map(|p| p.amount)
                    .collect();
                amounts.sort();
                let median = amounts[amounts.len() / 2];
                let max = amounts[amounts.len() - 1];
                if max > median * Decimal::new(16, 1) {
                    burst_days += 1;
                }
            }
            assert!(
                (1..31).contains(&burst_days),
                "{name}: {burst_days} burst days"
            );
        }
    }

    #[test]
    fn reported_bursts_are_the_generated_ones() {
        let options = january(7).with_resource_count(12);
        let spans = bursts(&options).expect("bursts");
        let month = month_of_twelve();
        let profiles: HashMap<String, Profile> = options
            .resources
            .iter()
            .map(|spec| (spec.name.clone(), spec.profile))
            .collect();
        let mut checked = 0;
        for span in &spans {
            let profile = profiles[&span.resource];
            assert!(
                !matches!(profile, Profile::Storage | Profile::Steady),
                "{} should have no bursts",
                span.resource
            );
            assert!(span.start_ms < span.end_ms && span.multiplier > 1.0);
            let series = month.resource(&span.resource).expect("resource");
            // Only the ramped-up middle is sure to be well above the hour around it.
            let ramp = (span.end_ms - span.start_ms) / 5;
            let inside: Vec<Decimal> = series
                .points
                .iter()
                .filter(|p| {
                    p.timestamp_ms >= span.start_ms + ramp && p.timestamp_ms < span.end_ms - ramp
                })
                .map(|p| p.amount)
                .collect();
            let around: Vec<Decimal> = series
                .points
                .iter()
                .filter(|p| {
                    let t = p.timestamp_ms;
                    (t >= span.start_ms - 1_800_000 && t < span.start_ms)
                        || (t >= span.end_ms && t < span.end_ms + 1_800_000)
                })
                .map(|p| p.amount)
                .collect();
            if inside.is_empty() || around.is_empty() {
                continue; // in a gap, or at the edge of the month
            }
            let mean =
                |values: &[Decimal]| values.iter().sum::<Decimal>() / Decimal::from(values.len());
            let low = Decimal::try_from(1.0 + (span.multiplier - 1.0) * 0.5).expect("ratio");
            assert!(
                mean(&inside) > mean(&around) * low,
                "{} burst at {} is not raised",
                span.resource,
                span.start_ms
            );
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} bursts checked");
        // Every profile that bursts bursts at least once in a month.
        for name in ["CPU", "Memory", "BANDWIDTH", "VM_Instance"] {
            assert!(
                spans.iter().any(|s| s.resource == name),
                "{name} never bursts"
            );
        }
    }

    #[test]
    fn evenings_are_busier_than_early_mornings_and_counts_are_whole() {
        let month = month_of_twelve();
        let offset = beijing_offset();
        let cpu = month.resource("CPU").expect("CPU");
        let hour_sum = |hour: u32| -> Decimal {
            cpu.points
                .iter()
                .filter(|p| {
                    DateTime::from_timestamp_millis(p.timestamp_ms)
                        .expect("ts")
                        .with_timezone(&offset)
                        .format("%H")
                        .to_string()
                        == format!("{hour:02}")
                })
                .map(|p| p.amount)
                .sum()
        };
        assert!(hour_sum(21) > hour_sum(5) * Decimal::new(15, 1));
        for name in ["EIP", "VM_Instance", "GPU", "BLB"] {
            let series = month.resource(name).expect("count resource");
            assert!(
                series.points.iter().all(|p| p.amount.fract().is_zero()),
                "{name}"
            );
        }
    }

    #[test]
    fn daily_step_gives_one_point_per_local_midnight() {
        let options = SyntheticOptions::new(date("2024-01-01"), date("2024-03-31"))
            .with_step_seconds(86_400)
            .with_seed(8);
        let usage = generate(&options).expect("generate");
        let offset = beijing_offset();
        for series in &usage.resources {
            assert!(
                series.points.len() <= 91 && series.points.len() >= 85,
                "{}",
                series.points.len()
            );
            for p in &series.points {
                let day = local_day(p.timestamp_ms, offset);
                assert_eq!(p.timestamp_ms, local_midnight_ms(day, offset));
                // One point a day: the day's mean is the point itself.
                assert_eq!(
                    usage.summary_average(day, &series.name),
                    Some(p.amount.normalize())
                );
            }
        }
    }

    #[test]
    fn more_than_twelve_resources_get_distinct_names_and_data() {
        let specs = standard_resources(14);
        assert_eq!(specs[12].name, "CPU_2");
        assert_eq!(specs[13].name, "Memory_2");
        assert_eq!(
            default_resources(),
            standard_resources(DEFAULT_RESOURCE_COUNT)
        );
        let day = date("2024-06-01");
        let usage = generate(
            &SyntheticOptions::new(day, day)
                .with_resources(specs)
                .with_step_seconds(600),
        )
        .expect("generate");
        assert_ne!(usage.resources[0].points, usage.resources[12].points);
        // A resource's data does not depend on which others are asked for.
        let alone = generate(
            &SyntheticOptions::new(day, day)
                .with_resources(vec![standard_resources(2).remove(1)])
                .with_step_seconds(600),
        )
        .expect("generate");
        assert_eq!(alone.resources[0], usage.resources[1]);
    }

    #[test]
    fn bad_options_are_refused_with_a_reason() {
        let day = date("2024-01-01");
        let base = SyntheticOptions::new(day, day);
        let kind = |options: SyntheticOptions| generate(&options).expect_err("refused").kind();
        assert_eq!(
            kind(base.clone().with_step_seconds(0)),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(base.clone().with_dates(day, date("2023-12-31"))),
            ErrorKind::RangeReversed
        );
        let twice = vec![
            ResourceSpec::new("CPU", "核", 3, 1.0, Profile::Compute),
            ResourceSpec::new("CPU", "核", 3, 1.0, Profile::Compute),
        ];
        let error = generate(&base.clone().with_resources(twice)).expect_err("duplicate");
        assert!(
            error.message().contains("\"CPU\" appears twice"),
            "{}",
            error.message()
        );
        let too_precise = vec![ResourceSpec::new("X", "GB", 10, 1.0, Profile::Storage)];
        assert_eq!(
            kind(base.clone().with_resources(too_precise)),
            ErrorKind::InvalidArgument
        );
        for bad_base in [-1.0, f64::NAN, f64::INFINITY, 1e7] {
            let spec = vec![ResourceSpec::new("X", "GB", 9, bad_base, Profile::Storage)];
            assert_eq!(
                kind(base.clone().with_resources(spec)),
                ErrorKind::InvalidArgument
            );
        }
        // 31 days of 1-second points for 12 resources is 32 million points.
        let error = generate(&january(0).with_step_seconds(1).with_resource_count(12))
            .expect_err("too many points");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("32140800"), "{}", error.message());
    }

    #[test]
    fn zero_base_and_no_resources_are_fine() {
        let day = date("2024-01-01");
        let options = SyntheticOptions::new(day, day)
            .with_step_seconds(3600)
            .with_resources(vec![ResourceSpec::new(
                "Idle",
                "核",
                3,
                0.0,
                Profile::Compute,
            )]);
        let usage = generate(&options).expect("generate");
        assert!(usage.resources[0].points.iter().all(|p| p.amount.is_zero()));
        assert_eq!(usage.summary_average(day, "Idle"), Some(Decimal::ZERO));
        let empty = generate(&options.with_resources(vec![])).expect("generate");
        assert!(empty.resources.is_empty() && empty.summary.is_empty());
    }

    #[test]
    fn generated_json_reads_back_to_the_same_response() {
        let options = SyntheticOptions::new(date("2024-01-30"), date("2024-02-01"))
            .with_step_seconds(120)
            .with_seed(21)
            .with_resource_count(12)
            .with_account_id("acc \"demo\"\n");
        let usage = generate(&options).expect("generate");
        let text = write_usage(&usage);
        assert!(text.starts_with(r#"{"accountId":"acc \"demo\"\u000a","timeSpan":{"beginDate":"2024-01-30","endDate":"2024-02-01"},"graphData":{"CPU":{"count":"#));
        let read = crate::json::parse_usage(&text).expect("the writer's output parses");
        assert_eq!(read, usage);
        // Equal as values is not enough: the decimal text must survive too.
        let amounts = |u: &UsageResponse| -> Vec<String> {
            u.resources[4]
                .points
                .iter()
                .map(|p| p.amount.to_string())
                .collect()
        };
        assert_eq!(amounts(&read), amounts(&usage));
    }
}
