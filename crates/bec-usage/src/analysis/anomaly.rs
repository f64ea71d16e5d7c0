//! Anomalies: stretches where a resource is far from what is usual for it, with a score to
//! rank them by.
//!
//! # Method: robust level, seasonal profile, thresholds from a false-alarm budget
//!
//! Each resource is looked at on its own. Levels, scales and scores are statistical
//! estimates, computed in `f64`; only the reported value at a stretch's peak is exact (the
//! mean of the measured amounts there, a [`Decimal`]).
//!
//! 1. **Blocks.** The points are put in time order and averaged into blocks of
//!    [`MIN_BLOCK_MS`] (5 minutes) or the series' usual step if that is longer, anchored at
//!    the epoch. A month of 1-minute data is about 9,000 blocks per resource.
//! 2. **Counts as counts.** When every amount is written as a whole number (no decimal
//!    places, as BEC writes EIPs or instances) and none is negative, the block means are
//!    analysed on the square-root scale: for counts that vary like a Poisson variable,
//!    `√x` has about the same spread at every level (the variance-stabilising transform),
//!    so a band means the same for 2 events as for 200, and the sensitivity setting works
//!    on small counts too.
//! 3. **Seasonal profile.** From [`MIN_PROFILE_DAYS`] (3) days of blocks on, each time of
//!    day has a profile value: the median, over the days, of how far that time's block is
//!    from the median of its day (pooled with neighbouring times of day until there are
//!    at least 12 values). From [`MIN_WEEKLY_PROFILE_DAYS`] (14, two weeks) on, each time
//!    of the *week* may have its own, so a Saturday morning is compared with Saturday
//!    mornings. Of none, daily and weekly, the one leaving the tightest residuals (the
//!    smallest MAD) is used: on a series without a rhythm a profile would only add noise.
//! 4. **Usual level.** The profile plus the rolling median of what is left without it,
//!    over the [`WINDOW_BLOCKS`] (145: 12 hours of 5-minute blocks) nearest blocks, centred
//!    where the ends of the series allow. With the rhythm taken out first, the median
//!    follows the level without lagging the rhythm, even at the ends of the series; a burst
//!    shorter than a few hours cannot drag it along.
//! 5. **Scale.** The larger of `1.4826 × MAD` of the residuals and their 90th percentile
//!    divided by 1.645 (each a standard deviation for normal noise; the second because
//!    readings that step between a few values, like a near-idle CPU at 0.066 or 0.134,
//!    have a MAD near zero however often they step), and never below the data's
//!    resolution: one unit in its last decimal place, or for counts the Poisson spread of a
//!    block mean on the square-root scale (`0.5 / √points`).
//! 6. **Second pass.** A burst pulls the rolling median up around it, so the blocks after
//!    it would look like a dip. Blocks beyond [`CLEANING_SCORE`] scales are replaced by
//!    their usual level and step 4 runs again.
//! 7. **Several time scales.** The residuals, and their rolling means over 4, 16 and 64
//!    blocks ([`TIME_SCALES`]: 20 minutes, 80 minutes, 5⅓ hours of 5-minute blocks), each
//!    divided by its own robust scale (step 5), give each block a score per time scale: a
//!    single bad 5 minutes stands out on the first, a shift that lasts a few hours on the
//!    longer ones, where the noise has averaged away.
//! 8. **Thresholds from a false-alarm budget.** Real residuals have heavier tails than
//!    normal noise, and how heavy differs from series to series, so a fixed number of
//!    standard deviations floods some series and misses on others. Per time scale, the
//!    threshold is where the series' own scores would be crossed by about
//!    [`Sensitivity::alarms_per_week`] events a week (once a month at low, once a week at
//!    medium, once a day at high), by the peaks-over-threshold method of extreme-value
//!    statistics: the *events* are the runs of blocks beyond `u` (the 99th percentile of
//!    the absolute scores, or the tenth largest in a short series; at least 3), merged
//!    like stretches (step 9); their peaks' excesses over `u` are taken as exponential
//!    with mean `β`; with `λ` events a week, a threshold `t` is crossed `λ·e^(−(t−u)/β)`
//!    times a week, so `t = u + β·ln(λ / budget)` (`u` when there are fewer events than
//!    the budget; a series shorter than a week counts as a week, as one burst in a day
//!    says nothing of seven a week). Each event is judged by the mean excess of the
//!    *other* events, so it cannot raise the bar it is measured by (a lone event is judged
//!    by the minimum alone). The threshold is never below [`Sensitivity::min_score`] (5, 4
//!    or 3.5): three weeks of normal noise give none at low and at most one at medium.
//! 9. **Stretches.** A block is unusual when one of its scores is beyond that time scale's
//!    threshold; a longer time scale's rolling mean rises half its width before what moved
//!    it, so its score counts only where the block itself is at least [`SMEAR_SCORE`] (2)
//!    scales off in the same direction. Unusual blocks at most [`MERGE_GAP_MS`] (one hour)
//!    apart form one [`Anomaly`]: from the start of its first block to the end of its last;
//!    its peak the block whose score is furthest beyond its threshold, its value that
//!    block's exact mean, its usual range the level ∓ the band of the time scale that found
//!    it (on the data's scale); its [`Anomaly::score`] the peak's score over the medium
//!    threshold, so scores compare across resources and settings (1 or more at medium).
//!
//! The levels, scales and events do not depend on the sensitivity and the thresholds rise
//! from high to low, so a lower sensitivity finds a subset of the stretches of a higher
//! one.
//!
//! A series with fewer than [`MIN_BLOCKS`] blocks has too little history to say what is
//! usual and gets no anomalies. How well this does on real, labelled data, and how that is
//! counted, is in `docs/core.md` ("How good they are") and `examples/real_scores/`.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::median;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{DataPoint, ResourceSeries, UsageResponse};
use crate::query::DAY_MS;

/// How readily a stretch is called unusual: the one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Sensitivity {
    /// Only the most striking stretches (noise alone: about once a month).
    Low,
    /// The default (noise alone: about once a week).
    #[default]
    Medium,
    /// More stretches, more of them false alarms (noise alone: about once a day).
    High,
}

impl Sensitivity {
    /// The false-alarm budget: how many events a week of the series' own noise may cross
    /// the threshold (module docs, step 8): 7/30 (low), 1 (medium), 7 (high).
    pub fn alarms_per_week(self) -> f64 {
        match self {
            Sensitivity::Low => 7.0 / 30.0,
            Sensitivity::Medium => 1.0,
            Sensitivity::High => 7.0,
        }
    }

    /// The lowest threshold, in robust standard deviations: 5 (low), 4 (medium), 3.5
    /// (high).
    pub fn min_score(self) -> f64 {
        match self {
            Sensitivity::Low => 5.0,
            Sensitivity::Medium => 4.0,
            Sensitivity::High => 3.5,
        }
    }
}

/// What [`find_anomalies`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AnomalyOptions {
    /// The sensitivity.
    pub sensitivity: Sensitivity,
}

/// One unusual stretch of one resource.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Anomaly {
    /// The resource name.
    pub resource: String,
    /// Where the stretch starts (epoch ms).
    pub start_ms: i64,
    /// Where it ends, exclusive (epoch ms).
    pub end_ms: i64,
    /// When it was furthest from usual (epoch ms): the start of the peak block.
    pub peak_ms: i64,
    /// The exact mean of the measured amounts in the peak block.
    pub value: Decimal,
    /// The low end of the usual range at the peak (an estimate; not below zero for a
    /// resource whose amounts are never negative).
    pub usual_low: f64,
    /// The high end of the usual range at the peak (an estimate).
    pub usual_high: f64,
    /// How unusual: the peak's score over the medium setting's threshold for this resource
    /// (1 or more at medium; module docs, step 9). Rank by it to read the strongest first.
    pub score: f64,
}

/// The shortest block points are averaged into, in milliseconds (5 minutes).
pub const MIN_BLOCK_MS: i64 = 300_000;

/// The number of blocks in the rolling median's window: 12 hours of 5-minute blocks, odd
/// so the median is one block.
pub const WINDOW_BLOCKS: usize = 145;

/// The fewest blocks a series needs before anything in it is called unusual.
pub const MIN_BLOCKS: usize = 12;

/// The fewest days of blocks before a daily profile is tried.
pub const MIN_PROFILE_DAYS: i64 = 3;

/// The fewest days of blocks before a weekly profile is tried (two weeks).
pub const MIN_WEEKLY_PROFILE_DAYS: i64 = 14;

/// Blocks beyond this many scales from the first pass's level are replaced by it before
/// the second pass.
pub const CLEANING_SCORE: f64 = 4.0;

/// The time scales, in blocks, whose scores are compared with thresholds (module docs,
/// step 7).
pub const TIME_SCALES: [usize; 4] = [1, 4, 16, 64];

/// How far off its level, in the direction of a longer time scale's score, a block must
/// itself be for that score to make it unusual (module docs, step 9).
pub const SMEAR_SCORE: f64 = 2.0;

/// Unusual blocks (and events) at most this far apart, end of one to start of the next,
/// are one stretch (one hour).
pub const MERGE_GAP_MS: i64 = 3_600_000;

/// In a short series, the top of the scores where events are counted begins at least
/// this many blocks below the largest.
const TOP_EVENTS: usize = 10;

/// The lowest score at which events are counted.
const MIN_EVENT_SCORE: f64 = 3.0;

/// The most slots on either side of a time of day (or week) pooled into its profile
/// value (six blocks: half an hour of 5-minute blocks).
const PROFILE_POOL: i64 = 6;

/// The fewest residuals a profile value is the median of, where the pool allows.
const PROFILE_VALUES: usize = 12;

const WEEK_MS: i64 = 7 * DAY_MS;

/// 1.4826 × MAD estimates the standard deviation of normal noise.
const MAD_TO_SD: f64 = 1.4826;

/// The 90th percentile of |normal noise| is 1.645 standard deviations.
const Q90_TO_SD: f64 = 1.6449;

/// The anomalies of every resource of `response`, by resource in the response's order and
/// then by time. The method is in the module docs.
///
/// # Errors
/// [`crate::ErrorKind::Overflow`] when the exact mean at a peak leaves the range of a
/// decimal, or a block's time leaves the range of epoch milliseconds.
pub fn find_anomalies(response: &UsageResponse, options: &AnomalyOptions) -> Result<Vec<Anomaly>> {
    let mut found = Vec::new();
    for series in &response.resources {
        if let Some(analysis) = SeriesAnalysis::new(series) {
            analysis.stretches(options.sensitivity, &mut found)?;
        }
    }
    Ok(found)
}

fn overflow(resource: &str) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!("the amounts or times of {resource} are too large to analyse"),
    )
}

/// One block: its number (start time / block length) and its points, `first..first + len`
/// of the sorted points.
#[derive(Debug, Clone, Copy)]
struct Block {
    number: i64,
    first: usize,
    len: usize,
}

/// The scores of one time scale (module docs, step 7).
struct TimeScale {
    /// The robust scale of the residuals' rolling means at this time scale.
    spread: f64,
    /// Each block's rolling-mean residual divided by `spread`.
    scores: Vec<f64>,
    /// The events of its scores (step 8).
    tail: Tail,
}

/// Everything about one series that does not depend on the sensitivity.
struct SeriesAnalysis<'a> {
    series: &'a ResourceSeries,
    points: Cow<'a, [DataPoint]>,
    block_ms: i64,
    blocks: Vec<Block>,
    /// Whether the block values are on the square-root scale (counts).
    counts: bool,
    /// Whether no amount is negative.
    never_negative: bool,
    /// The usual level of each block, on the analysed scale.
    level: Vec<f64>,
    /// One per [`TIME_SCALES`].
    time_scales: Vec<TimeScale>,
}

impl<'a> SeriesAnalysis<'a> {
    /// The analysis of `series` (module docs, steps 1 to 7); `None` when it has fewer than
    /// [`MIN_BLOCKS`] blocks.
    ///
    /// Never inlined, so that it stays a function of its own called once per resource:
    /// browsers compile WebAssembly first with a quick baseline compiler and optimise a
    /// function only for its later calls, so a copy inlined into the entry point (called
    /// once) would run unoptimised throughout.
    #[inline(never)]
    fn new(series: &'a ResourceSeries) -> Option<Self> {
        let points = super::in_time_order(&series.points);
        let block_ms =
            super::usual_step(&points).map_or(MIN_BLOCK_MS, |step| step.max(MIN_BLOCK_MS));
        let blocks = blocks(&points, block_ms);
        if blocks.len() < MIN_BLOCKS {
            return None;
        }
        let never_negative = points.iter().all(|p| !p.amount.is_sign_negative());
        let counts = never_negative && points.iter().all(|p| p.amount.scale() == 0);
        let values: Vec<f64> = blocks
            .iter()
            .map(|block| {
                let amounts = &points[block.first..block.first + block.len];
                let mean = amounts
                    .iter()
                    .map(|p| super::approximate(p.amount))
                    .sum::<f64>()
                    / block.len as f64;
                if counts {
                    mean.sqrt()
                } else {
                    mean
                }
            })
            .collect();
        let resolution = if counts {
            // √(mean of n Poisson counts) spreads by about 0.5 / √n; n the median count.
            let mut lens: Vec<f64> = blocks.iter().map(|b| b.len as f64).collect();
            0.5 / median(&mut lens).max(1.0).sqrt()
        } else {
            let decimals = points.iter().map(|p| p.amount.scale()).max().unwrap_or(0);
            10f64.powi(-(decimals as i32))
        };
        let numbers: Vec<i64> = blocks.iter().map(|b| b.number).collect();
        let profiles = Profiles::new(&numbers, block_ms);

        let profile = tightest_profile(&values, &numbers, block_ms, &profiles);
        let first = usual_level(&values, profile.as_ref());
        let residuals: Vec<f64> = values.iter().zip(&first).map(|(v, l)| v - l).collect();
        let first_scale = robust_scale(&residuals, resolution);
        let cleaned: Vec<f64> = values
            .iter()
            .zip(&first)
            .map(|(&value, &level)| {
                if (value - level).abs() > CLEANING_SCORE * first_scale {
                    level
                } else {
                    value
                }
            })
            .collect();
        let level = usual_level(&cleaned, profile.as_ref());
        let residuals: Vec<f64> = values.iter().zip(&level).map(|(v, l)| v - l).collect();
        let time_scales = TIME_SCALES
            .iter()
            .map(|&width| {
                let means = rolling_means(&residuals, width);
                let quantiles = AbsoluteQuantiles::of(&means);
                // The resolution of a mean of `width` blocks' independent noise.
                let spread = quantiles.scale(resolution / (width as f64).sqrt());
                let scores: Vec<f64> = means.iter().map(|m| m / spread).collect();
                let start = (quantiles.top / spread).max(MIN_EVENT_SCORE);
                let tail = Tail::of(&scores, start, &blocks, block_ms);
                TimeScale {
                    spread,
                    scores,
                    tail,
                }
            })
            .collect();
        Some(SeriesAnalysis {
            series,
            points,
            block_ms,
            blocks,
            counts,
            never_negative,
            level,
            time_scales,
        })
    }

    /// The stretches at `sensitivity` (module docs, step 9), appended to `found`.
    fn stretches(&self, sensitivity: Sensitivity, found: &mut Vec<Anomaly>) -> Result<()> {
        let thresholds: Vec<(Vec<f64>, Vec<f64>)> = self
            .time_scales
            .iter()
            .map(|t| {
                let n = self.blocks.len();
                (
                    t.tail.thresholds(sensitivity, n),
                    t.tail.thresholds(Sensitivity::Medium, n),
                )
            })
            .collect();
        // How far beyond its threshold a block is, at its furthest time scale. A longer time
        // scale's rolling mean rises half its width before what moved it, so it counts only
        // where the block itself is off in the same direction by SMEAR_SCORE.
        let own = &self.time_scales[0].scores;
        let beyond = |i: usize| {
            let mut best = (0.0, 0);
            for (k, (time_scale, (threshold, _))) in
                self.time_scales.iter().zip(&thresholds).enumerate()
            {
                let score = time_scale.scores[i];
                if k > 0 && own[i] * score.signum() < SMEAR_SCORE {
                    continue;
                }
                let ratio = score.abs() / threshold[i];
                if ratio > best.0 {
                    best = (ratio, k);
                }
            }
            best
        };
        let mut current: Option<Run> = None;
        for i in 0..self.blocks.len() {
            let (ratio, time_scale) = beyond(i);
            if ratio <= 1.0 {
                continue;
            }
            match &mut current {
                Some(run) if self.gap_ms(run.last, i) <= MERGE_GAP_MS => {
                    run.last = i;
                    if ratio > run.ratio {
                        (run.peak, run.ratio, run.time_scale) = (i, ratio, time_scale);
                    }
                }
                _ => {
                    if let Some(done) = current.take() {
                        found.push(self.anomaly(done, &thresholds)?);
                    }
                    current = Some(Run {
                        first: i,
                        last: i,
                        peak: i,
                        ratio,
                        time_scale,
                    });
                }
            }
        }
        if let Some(done) = current {
            found.push(self.anomaly(done, &thresholds)?);
        }
        Ok(())
    }

    /// The time between the end of block `a` and the start of block `b`.
    fn gap_ms(&self, a: usize, b: usize) -> i64 {
        (self.blocks[b].number - self.blocks[a].number - 1).saturating_mul(self.block_ms)
    }

    /// One run of unusual blocks as an [`Anomaly`].
    fn anomaly(&self, run: Run, thresholds: &[(Vec<f64>, Vec<f64>)]) -> Result<Anomaly> {
        let fail = || overflow(&self.series.name);
        let ms = |number: i64| number.checked_mul(self.block_ms).ok_or_else(fail);
        let block = self.blocks[run.peak];
        let mut sum = Decimal::ZERO;
        for p in &self.points[block.first..block.first + block.len] {
            sum = sum.checked_add(p.amount).ok_or_else(fail)?;
        }
        let value = sum
            .checked_div(Decimal::from(block.len as u64))
            .ok_or_else(fail)?
            .normalize();
        let time_scale = &self.time_scales[run.time_scale];
        let threshold = thresholds[run.time_scale].0[run.peak];
        let medium = thresholds[run.time_scale].1[run.peak];
        let level = self.level[run.peak];
        let band = threshold * time_scale.spread;
        let (mut low, mut high) = (level - band, level + band);
        if self.counts {
            // Back from the square-root scale, where below zero means zero.
            (low, high) = (low.max(0.0).powi(2), high.max(0.0).powi(2));
        }
        if self.never_negative {
            low = low.max(0.0);
        }
        Ok(Anomaly {
            resource: self.series.name.clone(),
            start_ms: ms(self.blocks[run.first].number)?,
            end_ms: ms(self.blocks[run.last].number + 1)?,
            peak_ms: ms(block.number)?,
            value,
            usual_low: low,
            usual_high: high,
            score: time_scale.scores[run.peak].abs() / medium,
        })
    }
}

/// A run of unusual blocks being collected: indices into the blocks, and the peak's ratio
/// of score to threshold and its time scale.
struct Run {
    first: usize,
    last: usize,
    peak: usize,
    ratio: f64,
    time_scale: usize,
}

/// The events of one time scale's scores (module docs, step 8).
struct Tail {
    /// `u`: the score beyond which events are counted.
    start: f64,
    /// The events: their first and last blocks, and their peaks' excess over `start`.
    events: Vec<Event>,
    /// `λ`: events a week.
    events_per_week: f64,
    /// The sum of the events' excesses.
    total_excess: f64,
}

/// A run of blocks beyond a tail's start.
struct Event {
    first: usize,
    last: usize,
    excess: f64,
}

impl Tail {
    /// The events of `scores` beyond `start`.
    fn of(scores: &[f64], start: f64, blocks: &[Block], block_ms: i64) -> Tail {
        let mut events: Vec<Event> = Vec::new();
        for (i, (block, score)) in blocks.iter().zip(scores).enumerate() {
            let excess = score.abs() - start;
            if excess <= 0.0 {
                continue;
            }
            match events.last_mut() {
                Some(event)
                    if (block.number - blocks[event.last].number - 1).saturating_mul(block_ms)
                        <= MERGE_GAP_MS =>
                {
                    event.last = i;
                    event.excess = event.excess.max(excess);
                }
                _ => events.push(Event {
                    first: i,
                    last: i,
                    excess,
                }),
            }
        }
        let span_ms = match (blocks.first(), blocks.last()) {
            (Some(first), Some(last)) => (last.number - first.number + 1).saturating_mul(block_ms),
            _ => 0,
        };
        // A series shorter than a week counts as a week: a day with one burst says nothing
        // of bursts coming seven times a week.
        let weeks = span_ms.max(WEEK_MS) as f64 / WEEK_MS as f64;
        Tail {
            start,
            events_per_week: events.len() as f64 / weeks,
            total_excess: events.iter().map(|e| e.excess).sum(),
            events,
        }
    }

    /// Each block's threshold score at `sensitivity` (infinite outside the events). An
    /// event is judged by the tail of the *other* events (their mean excess): it cannot
    /// raise the bar it is measured by, and a lone burst is judged by the minimum alone.
    fn thresholds(&self, sensitivity: Sensitivity, blocks: usize) -> Vec<f64> {
        let mut out = vec![f64::INFINITY; blocks];
        let crossings = (self.events_per_week / sensitivity.alarms_per_week())
            .ln()
            .max(0.0);
        let others = self.events.len().saturating_sub(1);
        for event in &self.events {
            let threshold = if others == 0 {
                sensitivity.min_score()
            } else {
                let mean_excess = (self.total_excess - event.excess) / others as f64;
                (self.start + mean_excess * crossings).max(sensitivity.min_score())
            };
            out[event.first..=event.last].fill(threshold);
        }
        out
    }
}

/// The blocks of sorted points.
fn blocks(points: &[DataPoint], block_ms: i64) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    // Where the current block ends: points before it join it without a division.
    let mut block_end = i64::MIN;
    for (i, p) in points.iter().enumerate() {
        match out.last_mut() {
            Some(block) if p.timestamp_ms < block_end => block.len += 1,
            _ => {
                let number = p.timestamp_ms.div_euclid(block_ms);
                block_end = number.saturating_add(1).saturating_mul(block_ms);
                out.push(Block {
                    number,
                    first: i,
                    len: 1,
                });
            }
        }
    }
    out
}

/// A seasonal profile: the slots of its blocks and the value of each slot.
struct Profile<'p> {
    slots: &'p Slots,
    values: Vec<f64>,
}

impl Profile<'_> {
    fn at(&self, block: usize) -> f64 {
        self.values[self.slots.of_block[block]]
    }
}

/// Of no profile, the daily and the weekly one, the one that leaves the tightest
/// residuals (the smallest MAD) of `values` around the median of their day (module docs,
/// step 3); `None` without profiles.
fn tightest_profile<'p>(
    values: &[f64],
    numbers: &[i64],
    block_ms: i64,
    profiles: &'p Profiles,
) -> Option<Profile<'p>> {
    profiles.daily.as_ref()?;
    let residuals = from_day_medians(values, numbers, block_ms);
    let mut tightest = mad(&residuals);
    let mut best = None;
    for slots in [&profiles.daily, &profiles.weekly].into_iter().flatten() {
        let profile = Profile {
            slots,
            values: slots.profile(&residuals),
        };
        let corrected: Vec<f64> = residuals
            .iter()
            .enumerate()
            .map(|(i, r)| r - profile.at(i))
            .collect();
        let spread = mad(&corrected);
        if spread < tightest {
            tightest = spread;
            best = Some(profile);
        }
    }
    best
}

/// Each value minus the median of the values of its day (days from the epoch).
fn from_day_medians(values: &[f64], numbers: &[i64], block_ms: i64) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    let mut day_values = Vec::new();
    let mut start = 0;
    while start < values.len() {
        let day = (numbers[start] * block_ms).div_euclid(DAY_MS);
        let mut end = start;
        while end < values.len() && (numbers[end] * block_ms).div_euclid(DAY_MS) == day {
            end += 1;
        }
        day_values.clear();
        day_values.extend_from_slice(&values[start..end]);
        let day_median = median(&mut day_values);
        out.extend(values[start..end].iter().map(|v| v - day_median));
        start = end;
    }
    out
}

/// The usual level of `values` with `profile` (module docs, steps 3 and 4): the profile
/// plus the rolling median of what is left without it. (The rolling median of the values
/// themselves would lag the rhythm at the ends of the series, where its window cannot be
/// centred.)
fn usual_level(values: &[f64], profile: Option<&Profile>) -> Vec<f64> {
    let Some(profile) = profile else {
        return rolling_medians(values);
    };
    let deseasoned: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v - profile.at(i))
        .collect();
    let mut level = rolling_medians(&deseasoned);
    for (i, l) in level.iter_mut().enumerate() {
        *l += profile.at(i);
    }
    level
}

/// The robust scale of `residuals` (module docs, step 5), at least `resolution`.
fn robust_scale(residuals: &[f64], resolution: f64) -> f64 {
    AbsoluteQuantiles::of(residuals).scale(resolution)
}

/// The median and 90th percentile of the absolute residuals (their deviations from zero,
/// as they are from a median level and so centred on it), and where their top begins: the
/// 99th percentile, or in a series of under a thousand blocks the tenth largest, so that the
/// top is never just the largest few.
struct AbsoluteQuantiles {
    median: f64,
    q90: f64,
    top: f64,
}

impl AbsoluteQuantiles {
    fn of(residuals: &[f64]) -> AbsoluteQuantiles {
        let mut absolute: Vec<f64> = residuals.iter().map(|r| r.abs()).collect();
        let n = absolute.len();
        if n == 0 {
            return AbsoluteQuantiles {
                median: 0.0,
                q90: 0.0,
                top: 0.0,
            };
        }
        let median = median(&mut absolute);
        // Each selection leaves what is above its rank after it, so the next one, higher,
        // need only look there.
        let q90_rank = rank(n, 0.90);
        let q90 = at_rank(&mut absolute, n / 2, q90_rank);
        let top_rank = rank(n, 0.99).min(n.saturating_sub(TOP_EVENTS));
        let top = if top_rank >= q90_rank {
            at_rank(&mut absolute, q90_rank, top_rank)
        } else {
            at_rank(&mut absolute, n / 2, top_rank)
        };
        AbsoluteQuantiles { median, q90, top }
    }

    /// The robust scale (module docs, step 5), at least `resolution`.
    fn scale(&self, resolution: f64) -> f64 {
        let by_mad = MAD_TO_SD * self.median;
        let by_q90 = self.q90 / Q90_TO_SD;
        by_mad.max(by_q90).max(resolution).max(f64::MIN_POSITIVE)
    }
}

/// The median absolute residual (their deviation from zero: module docs, step 5).
fn mad(residuals: &[f64]) -> f64 {
    let mut absolute: Vec<f64> = residuals.iter().map(|r| r.abs()).collect();
    median(&mut absolute)
}

/// The index of the `q` quantile by nearest rank among `n` sorted values (n > 0).
fn rank(n: usize, q: f64) -> usize {
    ((q * n as f64).ceil() as usize).clamp(1, n) - 1
}

/// The value of rank `rank` (0-based, ascending) of `values`, where `values[from..]`
/// holds every value at or above it (`from` 0 when nothing is known). Reorders `values`.
fn at_rank(values: &mut [f64], from: usize, rank: usize) -> f64 {
    let from = from.min(rank);
    *values[from..]
        .select_nth_unstable_by(rank - from, f64::total_cmp)
        .1
}

/// The median of the middle of a sorted slice.
fn sorted_median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The median of the [`WINDOW_BLOCKS`] blocks around each block, kept as a sorted window
/// that slides one block at a time. Near the ends the window cannot be centred and is the
/// first or last [`WINDOW_BLOCKS`] blocks (extrapolating a slope from there would send the
/// level far off wherever the day's rhythm bends near an end).
fn rolling_medians(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let width = WINDOW_BLOCKS.min(n);
    let half = width / 2;
    // The first window, sorted by inserting each value in its place (the same step as the
    // sliding below; a general sort would add its own code to the WebAssembly module).
    let mut sorted: Vec<f64> = Vec::with_capacity(width);
    for &value in &values[..width] {
        let at = sorted.partition_point(|v| *v < value);
        sorted.insert(at, value);
    }
    let mut medians = Vec::with_capacity(n);
    let mut start = 0;
    for i in 0..n {
        let wanted = i.saturating_sub(half).min(n - width);
        while start < wanted {
            // The entering value takes the leaving one's place and the values between that
            // place and its sorted one move by one: a single short move rather than a
            // removal and an insertion, each moving everything above them.
            let (leaving, entering) = (values[start], values[start + width]);
            let out = sorted.partition_point(|v| *v < leaving);
            let into = sorted.partition_point(|v| *v < entering);
            if into <= out {
                sorted.copy_within(into..out, into + 1);
                sorted[into] = entering;
            } else {
                sorted.copy_within(out + 1..into, out);
                sorted[into - 1] = entering;
            }
            start += 1;
        }
        medians.push(sorted_median(&sorted));
    }
    medians
}

/// The mean of the `width` values around each (the window shifted inwards at the ends),
/// from running sums.
fn rolling_means(values: &[f64], width: usize) -> Vec<f64> {
    let n = values.len();
    let width = width.clamp(1, n.max(1));
    if width == 1 {
        return values.to_vec();
    }
    let mut sums = Vec::with_capacity(n + 1);
    sums.push(0.0);
    for v in values {
        sums.push(sums[sums.len() - 1] + v);
    }
    (0..n)
        .map(|i| {
            let start = i.saturating_sub(width / 2).min(n - width);
            (sums[start + width] - sums[start]) / width as f64
        })
        .collect()
}

/// The seasonal slots a series can have: by time of day, by time of week.
struct Profiles {
    daily: Option<Slots>,
    weekly: Option<Slots>,
}

/// A slot (a time of day or of week) per block.
struct Slots {
    count: usize,
    of_block: Vec<usize>,
}

impl Profiles {
    fn new(numbers: &[i64], block_ms: i64) -> Profiles {
        let span_days = match (numbers.first(), numbers.last()) {
            (Some(first), Some(last)) => (last - first + 1).saturating_mul(block_ms) / DAY_MS,
            _ => 0,
        };
        let slots = |period_ms: i64, min_days: i64| {
            (DAY_MS % block_ms == 0 && span_days >= min_days).then(|| {
                let count = period_ms / block_ms;
                Slots {
                    count: count as usize,
                    of_block: numbers
                        .iter()
                        .map(|n| n.rem_euclid(count) as usize)
                        .collect(),
                }
            })
        };
        Profiles {
            daily: slots(DAY_MS, MIN_PROFILE_DAYS),
            weekly: slots(WEEK_MS, MIN_WEEKLY_PROFILE_DAYS),
        }
    }
}

impl Slots {
    /// Per slot, the median residual of its blocks, pooled with the slots on either side
    /// until there are at least [`PROFILE_VALUES`] (up to [`PROFILE_POOL`] slots either
    /// side; 0 where there are still fewer than 3).
    fn profile(&self, residuals: &[f64]) -> Vec<f64> {
        let mut by_slot: Vec<Vec<f64>> = vec![Vec::new(); self.count];
        for (&slot, &r) in self.of_block.iter().zip(residuals) {
            by_slot[slot].push(r);
        }
        let count = self.count as i64;
        let mut pooled = Vec::new();
        (0..count)
            .map(|slot| {
                pooled.clear();
                pooled.extend_from_slice(&by_slot[slot as usize]);
                let mut radius = 0;
                while pooled.len() < PROFILE_VALUES && radius < PROFILE_POOL {
                    radius += 1;
                    for near in [slot - radius, slot + radius] {
                        pooled.extend_from_slice(&by_slot[near.rem_euclid(count) as usize]);
                    }
                }
                if pooled.len() < 3 {
                    0.0
                } else {
                    median(&mut pooled)
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{dec, point, response, series, utc_ms};
    use crate::model::DataPoint;

    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const MINUTE: i64 = 60_000;

    fn minutes(start: &str, amounts: &[String]) -> Vec<DataPoint> {
        let t0 = utc_ms(start);
        amounts
            .iter()
            .enumerate()
            .map(|(i, a)| point(t0 + i as i64 * MINUTE, a))
            .collect()
    }

    fn find(points: Vec<DataPoint>, sensitivity: Sensitivity) -> Vec<Anomaly> {
        let usage = response(
            "2024-01-01",
            "2024-01-31",
            vec![series("CPU", "核", points)],
            vec![],
        );
        find_anomalies(&usage, &AnomalyOptions { sensitivity }).expect("anomalies")
    }

    const ALL: [Sensitivity; 3] = [Sensitivity::Low, Sensitivity::Medium, Sensitivity::High];

    /// A fixed pseudo-random stream (a linear congruential generator), uniform in [0, 1).
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Normal noise by the Box–Muller transform.
    fn normal(seed: u64) -> impl FnMut() -> f64 {
        let mut u = uniform(seed);
        move || {
            let (a, b) = (u().max(1e-12), u());
            (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
        }
    }

    #[test]
    fn a_spike_on_a_flat_series_is_found_at_every_setting_with_its_exact_value() {
        let mut amounts = vec!["10.000".to_owned(); 600];
        for a in &mut amounts[300..305] {
            *a = "30.000".to_owned();
        }
        // Starts at a 5-minute boundary, so the spike fills block 60 exactly.
        let points = minutes("2024-01-01T00:00:00", &amounts);
        for sensitivity in ALL {
            let found = find(points.clone(), sensitivity);
            assert_eq!(found.len(), 1, "{sensitivity:?}: {found:?}");
            let a = &found[0];
            let spike = utc_ms("2024-01-01T05:00:00");
            assert_eq!(
                (a.start_ms, a.end_ms, a.peak_ms),
                (spike, spike + 5 * MINUTE, spike)
            );
            assert_eq!(a.value, dec("30"));
            assert!(
                a.usual_low < 10.0 && 10.0 < a.usual_high && a.usual_high < 10.1,
                "{a:?}"
            );
            assert!(a.score >= 1.0, "{a:?}");
        }
    }

    #[test]
    fn a_dip_is_found_and_its_value_is_the_exact_block_mean() {
        let mut amounts = vec!["8.5".to_owned(); 300];
        amounts[150..155].clone_from_slice(&["1.1", "1.2", "1.2", "1.2", "1.2"].map(String::from));
        let found = find(
            minutes("2024-01-01T00:00:00", &amounts),
            Sensitivity::Medium,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].value, dec("1.18"));
        assert!(found[0].usual_low > 1.18);
    }

    /// A daily rhythm at one-minute steps (a sine between 20 and 60), with normal noise of
    /// `noise` cores, as amounts with 3 decimals.
    fn rhythm(days: i64, noise: f64, seed: u64) -> Vec<String> {
        let mut normal = normal(seed);
        (0..days * 1440)
            .map(|m| {
                let angle = (m % 1440) as f64 / 1440.0 * std::f64::consts::TAU;
                format!("{:.3}", 40.0 + 20.0 * angle.sin() + noise * normal())
            })
            .collect()
    }

    #[test]
    fn a_daily_rhythm_with_normal_noise_stays_within_the_budget() {
        for (days, noise) in [(3, 0.0), (10, 0.5), (21, 2.0)] {
            let points = minutes("2024-01-01T00:00:00", &rhythm(days, noise, 7));
            let low = find(points.clone(), Sensitivity::Low);
            assert!(low.is_empty(), "{days} days, noise {noise}: {low:?}");
            // Medium: noise alone crosses about once a week at most.
            let medium = find(points, Sensitivity::Medium);
            assert!(
                medium.len() as i64 <= days / 7,
                "{days} days, noise {noise}: {medium:?}"
            );
        }
    }

    #[test]
    fn a_shift_of_an_hour_too_small_for_any_five_minutes_is_found() {
        // Noise of 2 cores; for an hour the level is 3 cores higher: no single block stands
        // out (1.5 scales), the hour's mean does.
        let mut amounts = rhythm(14, 2.0, 11);
        let start = 7 * 1440 + 600;
        for a in &mut amounts[start..start + 60] {
            let value: f64 = a.parse().expect("a number");
            *a = format!("{:.3}", value + 3.0);
        }
        let found = find(
            minutes("2024-01-01T00:00:00", &amounts),
            Sensitivity::Medium,
        );
        let t0 = utc_ms("2024-01-01T00:00:00");
        let (from, to) = (
            t0 + start as i64 * MINUTE,
            t0 + (start as i64 + 60) * MINUTE,
        );
        assert!(
            found.iter().any(|a| a.start_ms < to && from < a.end_ms),
            "{found:?}"
        );
        assert!(found.len() <= 2, "{found:?}");
    }

    #[test]
    fn stepped_idle_readings_are_noise_and_a_real_burst_on_them_is_not() {
        // A near-idle CPU: 0.066 or 0.134 at random (5-minute points, two weeks), as EC2
        // reports it; then an hour at 1.6.
        let mut u = uniform(3);
        let mut amounts: Vec<String> = (0..14 * 288)
            .map(|_| if u() < 0.3 { "0.134" } else { "0.066" }.to_owned())
            .collect();
        let t0 = utc_ms("2024-01-01T00:00:00");
        let points = |amounts: &[String]| {
            amounts
                .iter()
                .enumerate()
                .map(|(i, a)| point(t0 + i as i64 * 5 * MINUTE, a))
                .collect::<Vec<_>>()
        };
        for sensitivity in ALL {
            let found = find(points(&amounts), sensitivity);
            assert!(found.is_empty(), "{sensitivity:?}: {found:?}");
        }
        for a in &mut amounts[2000..2012] {
            *a = "1.600".to_owned();
        }
        let found = find(points(&amounts), Sensitivity::Medium);
        assert_eq!(found.len(), 1, "{found:?}");
        let burst = t0 + 2000 * 5 * MINUTE;
        // It starts with the burst, or a little before where a 0.134 leads up to it.
        assert!(
            (burst - 30 * MINUTE..=burst).contains(&found[0].start_ms),
            "{found:?}"
        );
        assert!(found[0].end_ms >= burst + 60 * MINUTE, "{found:?}");
    }

    /// Poisson counts with mean `mean` (Knuth's method).
    fn poisson(u: &mut impl FnMut() -> f64, mean: f64) -> u32 {
        let limit = (-mean).exp();
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= u();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }

    #[test]
    fn small_counts_are_counts_and_the_sensitivity_works_on_them() {
        // Events per 5 minutes, mean 3 (0 to about 10), four weeks, with a weekly rhythm and
        // heavy-tailed bursts: the one-unit floor of old made every setting alike.
        let mut u = uniform(5);
        let t0 = utc_ms("2024-01-01T00:00:00");
        let mut points = Vec::new();
        for i in 0..28 * 288i64 {
            let weekend = (i / 288) % 7 >= 5;
            let mut mean = if weekend { 1.5 } else { 3.0 };
            if u() < 0.004 {
                mean *= 1.0 + 8.0 * u() * u();
            }
            points.push(point(
                t0 + i * 5 * MINUTE,
                &poisson(&mut u, mean).to_string(),
            ));
        }
        let counts: Vec<usize> = ALL.iter().map(|s| find(points.clone(), *s).len()).collect();
        assert!(counts[0] < counts[1] && counts[1] < counts[2], "{counts:?}");
        // Four weeks at medium: about the budget (one a week) and the bursts, not hundreds.
        assert!(counts[1] <= 12, "{counts:?}");
        // A burst of 40 in an hour is found, however small the counts around it.
        let mut with_burst = points.clone();
        for p in &mut with_burst[5000..5012] {
            p.amount = dec("40");
        }
        let found = find(with_burst, Sensitivity::Low);
        assert!(
            found
                .iter()
                .any(|a| a.start_ms <= t0 + 5000 * 5 * MINUTE && t0 + 5000 * 5 * MINUTE < a.end_ms),
            "{found:?}"
        );
    }

    #[test]
    fn weekends_are_compared_with_weekends_once_there_are_two_weeks() {
        // Three weeks at 5-minute steps: weekdays a morning peak of 40 over 10 from 8:00 to
        // 12:00, weekends flat at 10; a little noise.
        let mut normal = normal(9);
        let t0 = utc_ms("2024-01-01T00:00:00"); // a Monday
        let points: Vec<DataPoint> = (0..21 * 288i64)
            .map(|i| {
                let (day, minute) = (i / 288, (i % 288) * 5);
                let peak = day % 7 < 5 && (480..720).contains(&minute);
                let value = if peak { 40.0 } else { 10.0 } + 0.3 * normal();
                point(t0 + i * 5 * MINUTE, &format!("{value:.2}"))
            })
            .collect();
        // No weekend morning is flagged for lacking the weekday peak, and what is found
        // is noise within the budget (one a week).
        let found = find(points, Sensitivity::Medium);
        let weekend_morning = |ms: i64| {
            let (day, minute) = (
                (ms - t0) / (1440 * MINUTE),
                (ms - t0) % (1440 * MINUTE) / MINUTE,
            );
            day % 7 >= 5 && (450..750).contains(&minute)
        };
        assert!(
            found.iter().all(|a| !weekend_morning(a.peak_ms)),
            "{found:?}"
        );
        assert!(found.len() <= 3, "{found:?}");
    }

    #[test]
    fn lower_sensitivities_find_subsets_and_scores_rank_them() {
        let options = crate::synthetic::SyntheticOptions::new(
            crate::analysis::test_support::date("2024-03-01"),
            crate::analysis::test_support::date("2024-03-21"),
        )
        .with_step_seconds(300)
        .with_seed(5);
        let usage = crate::synthetic::generate(&options).expect("generate");
        let at = |sensitivity| {
            find_anomalies(&usage, &AnomalyOptions { sensitivity }).expect("anomalies")
        };
        let (low, medium, high) = (
            at(Sensitivity::Low),
            at(Sensitivity::Medium),
            at(Sensitivity::High),
        );
        assert!(!low.is_empty());
        assert!(
            low.len() < high.len(),
            "{} {} {}",
            low.len(),
            medium.len(),
            high.len()
        );
        let covered = |outer: &[Anomaly], inner: &Anomaly| {
            outer.iter().any(|o| {
                o.resource == inner.resource
                    && o.start_ms <= inner.start_ms
                    && inner.end_ms <= o.end_ms
            })
        };
        for a in &low {
            assert!(covered(&medium, a), "medium misses {a:?}");
        }
        for a in &medium {
            assert!(covered(&high, a), "high misses {a:?}");
            assert!(a.score >= 1.0, "{a:?}");
        }
        let span = |found: &[Anomaly]| found.iter().map(|a| a.end_ms - a.start_ms).sum::<i64>();
        assert!(span(&low) <= span(&medium) && span(&medium) < span(&high));
        // What low lists is among the strongest medium finds.
        let weakest_low = low.iter().map(|a| a.score).fold(f64::INFINITY, f64::min);
        let strongest_medium_only = medium
            .iter()
            .filter(|m| {
                !low.iter()
                    .any(|l| l.resource == m.resource && l.peak_ms == m.peak_ms)
            })
            .map(|a| a.score)
            .fold(0.0, f64::max);
        assert!(
            weakest_low > 1.0 && strongest_medium_only < f64::INFINITY,
            "{weakest_low} {strongest_medium_only}"
        );
    }

    #[test]
    fn empty_and_tiny_series_give_nothing() {
        assert!(find(vec![], Sensitivity::High).is_empty());
        assert!(find(vec![point(0, "5")], Sensitivity::High).is_empty());
        let few = minutes("2024-01-01T00:00:00", &["1", "100", "1"].map(String::from));
        assert!(find(few, Sensitivity::High).is_empty());
    }

    #[test]
    fn order_of_points_does_not_matter() {
        let mut amounts = rhythm(1, 0.2, 1);
        amounts[700] = "200.000".to_owned();
        let points = minutes("2024-01-01T00:00:00", &amounts);
        let forward = find(points.clone(), Sensitivity::Medium);
        assert_eq!(forward.len(), 1, "{forward:?}");
        let mut shuffled = points;
        shuffled.reverse();
        let half = shuffled.len() / 2;
        shuffled.rotate_left(half);
        assert_eq!(find(shuffled, Sensitivity::Medium), forward);
    }

    #[test]
    fn mixed_scales_a_zero_level_and_extreme_amounts_do_not_panic() {
        let mut points: Vec<DataPoint> = (0..100)
            .map(|i| point(i * MINUTE, if i % 2 == 0 { "0" } else { "0.00" }))
            .collect();
        points.push(point(100 * MINUTE, "7.5"));
        let found = find(points, Sensitivity::High);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].usual_low, 0.0);

        // 28 decimals and the largest amounts a decimal holds: estimates in f64, the value
        // at the peak still exact, or an overflow error when the block's sum is beyond it.
        let mut amounts = vec!["0.3333333333333333333333333333".to_owned(); 300];
        for a in &mut amounts[150..155] {
            *a = "0.9999999999999999999999999999".to_owned();
        }
        let found = find(
            minutes("2024-01-01T00:00:00", &amounts),
            Sensitivity::Medium,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].value, dec("0.9999999999999999999999999999"));
        let mut huge = vec!["0".to_owned(); 300];
        for a in &mut huge[150..155] {
            *a = Decimal::MAX.to_string();
        }
        let usage = response(
            "2024-01-01",
            "2024-01-03",
            vec![series("CPU", "核", minutes("2024-01-01T00:00:00", &huge))],
            vec![],
        );
        let error = find_anomalies(&usage, &AnomalyOptions::default()).expect_err("too large");
        assert_eq!(error.kind(), ErrorKind::Overflow);
    }
}
