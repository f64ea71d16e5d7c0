//! Anomalies: stretches where a resource is far from what is usual for it.
//!
//! # Method: rolling median with a robust relative band
//!
//! Each resource is looked at on its own:
//!
//! 1. **Blocks.** The points are put in time order and averaged into blocks of
//!    [`MIN_BLOCK_MS`] (5 minutes) or the series' usual step if that is longer (the median
//!    distance between consecutive points), anchored at the epoch. Averaging first makes a
//!    single noisy point count for less and keeps the work small (a month of 1-minute data
//!    is about 9,000 blocks per resource). Block sums are exact; block means are 64-bit
//!    integers at one scale per series, the *block scale*: the finest scale of the amounts
//!    plus [`EXTRA_DIGITS`] (at most 28), lowered one digit at a time until every block
//!    mean is within [`MAX_MEAN`] (needed only when an amount written to the finest scale
//!    has some 16 digits or more). So every median below is an integer selection, not a
//!    sort of decimals, and the scoring needs no 128-bit arithmetic, which WebAssembly
//!    emulates with calls.
//! 2. **Usual level.** The rolling median of the [`WINDOW_BLOCKS`] (31) nearest present
//!    blocks, centred on the block (shifted at the ends of the series, missing blocks
//!    skipped). 31 blocks is more than twice the longest burst we expect (60 minutes, 12
//!    blocks of 5 minutes), so a burst can never be the majority of its own window and
//!    cannot drag the usual level up with it; a lasting change of level is followed as
//!    soon as it fills half the window.
//! 3. **Daily profile.** The relative residual of a block is `(mean − median) / median`.
//!    Where the daily rhythm bends (the evening peak, the early-morning trough, a lunchtime
//!    corner) a rolling median misses the same way every day. With at least 3 days of
//!    blocks (and a block length that divides a day) the median relative residual of each
//!    time of day is subtracted from the residuals and added to the usual level. Bursts come
//!    at random times, so they do not recur at one time of day and do not move its median.
//! 4. **Robust scale.** Usage noise is multiplicative (a busy evening wobbles more, in
//!    absolute terms, than a quiet night), so relative residuals let one scale serve the
//!    whole day. The scale is `1.4826 × MAD` of the corrected relative residuals over the
//!    whole series (1.4826 makes the MAD estimate a standard deviation for normal noise),
//!    and at least [`MIN_RELATIVE_SCALE_PPM`] (2 %). The floor matters: smooth wander in
//!    real-shaped data has much heavier tails than its MAD suggests (on the generator's
//!    network profile the MAD scale is about 1 %, yet wobbles of 10 % occur daily), and a
//!    change of a few percent is not what anyone wants flagged; with the floor, the
//!    smallest flagged distance is 7 % (high), 10 % (medium) or 14 % (low) of the level.
//! 5. **Second pass.** A burst pulls the rolling median up around it (up to half its
//!    length lies in its neighbours' windows), so the blocks after it would look like a
//!    dip. Blocks beyond the high-sensitivity threshold (step 6 with `k` = 3.5) are
//!    replaced by their usual level and steps 2 to 4 run again. The first pass always uses
//!    the high threshold, so the usual levels do not depend on the sensitivity and a
//!    higher sensitivity always finds a superset of the stretches of a lower one.
//! 6. **Unusual blocks.** A block is unusual when `|mean − usual level|` exceeds
//!    `k × scale × |usual level|` and also one unit in the last decimal place of the data (so
//!    a count stepping from 3 to 4 is never unusual by rounding alone). `k` comes from the
//!    [`Sensitivity`] ([`Sensitivity::threshold`]): 7 (low), 5 (medium), 3.5 (high).
//! 7. **Stretches.** Consecutive unusual blocks (adjacent in time, no missing block
//!    between) form one [`Anomaly`]: from the start of its first block to the end of its
//!    last, its peak the block furthest from its median (in absolute terms), its value that
//!    block's exact mean, its usual range the median ∓ the allowed distance at the peak.
//!
//! A series with fewer than [`MIN_BLOCKS`] blocks has too little history to say what is
//! usual and gets no anomalies.
//!
//! The only rounding is in the integer block means (at the block scale: [`EXTRA_DIGITS`]
//! digits beyond the data's, or fewer where a mean would leave [`MAX_MEAN`], and then still
//! at least 17 significant digits for the largest mean; far below any threshold) and in the
//! reported value, an exact block sum divided by its point count to 28 significant digits.
//! The scores built from the means (relative residuals in ppm, the scale, the allowed
//! distances) saturate at the 64-bit range; a residual reaches it only some 10^13 times
//! its usual level away from it, far beyond any threshold.

use rust_decimal::Decimal;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{DataPoint, ResourceSeries, UsageResponse};
use crate::query::DAY_MS;

/// How readily a stretch is called unusual: the one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sensitivity {
    /// Only the most striking stretches.
    Low,
    /// The default.
    #[default]
    Medium,
    /// More stretches, more of them false alarms.
    High,
}

impl Sensitivity {
    /// How many robust standard deviations from the usual level a block must be to be
    /// unusual: 7 (low), 5 (medium), 3.5 (high). See the module docs.
    pub fn threshold(self) -> Decimal {
        Decimal::new(self.threshold_tenths(), 1)
    }

    /// [`Sensitivity::threshold`] in tenths, for the integer arithmetic.
    fn threshold_tenths(self) -> i64 {
        match self {
            Sensitivity::Low => 70,
            Sensitivity::Medium => 50,
            Sensitivity::High => 35,
        }
    }
}

/// What [`find_anomalies`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AnomalyOptions {
    /// The sensitivity.
    pub sensitivity: Sensitivity,
}

/// One unusual stretch of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// The resource name.
    pub resource: String,
    /// Where the stretch starts (epoch ms).
    pub start_ms: i64,
    /// Where it ends, exclusive (epoch ms).
    pub end_ms: i64,
    /// When it was furthest from usual (epoch ms).
    pub peak_ms: i64,
    /// The value there.
    pub value: Decimal,
    /// The low end of the usual range there.
    pub usual_low: Decimal,
    /// The high end of the usual range there.
    pub usual_high: Decimal,
}

/// The shortest block points are averaged into, in milliseconds (5 minutes).
pub const MIN_BLOCK_MS: i64 = 300_000;

/// The number of blocks in the rolling median's window: more than twice the longest
/// expected burst (12 blocks), odd so the median is one block.
pub const WINDOW_BLOCKS: usize = 31;

/// The fewest blocks a series needs before anything in it is called unusual.
pub const MIN_BLOCKS: usize = 12;

/// The smallest relative robust scale, in parts per million (2 %).
pub const MIN_RELATIVE_SCALE_PPM: i64 = 20_000;

/// Decimal digits the integer block means carry beyond the data's finest (fewer when the
/// means would leave [`MAX_MEAN`]; see the module docs).
pub const EXTRA_DIGITS: u32 = 3;

/// The largest block mean, at the block scale: an eighth of the 64-bit range (about
/// 1.15 × 10^18), so that the difference of two means, or of a mean and a rolling median
/// moved along the window's slope (less than three times the largest mean), cannot
/// overflow.
pub const MAX_MEAN: i64 = i64::MAX / 8;

/// The largest scale a decimal can have.
const MAX_SCALE: u32 = 28;

const PPM: i64 = 1_000_000;

/// The anomalies of every resource of `response`, by resource in the response's order and
/// then by time. The method is in the module docs.
///
/// # Errors
/// [`crate::ErrorKind::Overflow`] when a sum leaves the range of a decimal, or a block mean
/// is beyond [`MAX_MEAN`] even in whole units (amounts of about 10^18).
pub fn find_anomalies(response: &UsageResponse, options: &AnomalyOptions) -> Result<Vec<Anomaly>> {
    let mut found = Vec::new();
    for series in &response.resources {
        series_anomalies(series, options.sensitivity, &mut found)?;
    }
    Ok(found)
}

fn overflow(resource: &str) -> Error {
    Error::new(
        ErrorKind::Overflow,
        format!("the block sums or means of {resource} are too large to analyse"),
    )
}

/// One block of a series: its number (time / block length), the exact sum of its
/// mantissas at the data scale and its point count. Its mean, at the block scale, is kept
/// apart (see [`block_means`]), as the medians work on the means alone.
#[derive(Debug, Clone, Copy)]
struct Block {
    number: i64,
    sum: i128,
    count: i64,
}

/// The anomalies of one resource, appended to `found`.
///
/// Never inlined, so that it stays a function of its own that is called once per resource:
/// browsers compile WebAssembly first with a quick baseline compiler and optimise a
/// function only for its later calls, so a copy inlined into a function called once (the
/// exported entry point) would run unoptimised throughout, about 1.5 times slower.
#[inline(never)]
fn series_anomalies(
    series: &ResourceSeries,
    sensitivity: Sensitivity,
    found: &mut Vec<Anomaly>,
) -> Result<()> {
    let Some(data_scale) = series.points.iter().map(|p| p.amount.scale()).max() else {
        return Ok(());
    };
    let points = super::in_time_order(&series.points);
    let points: &[DataPoint] = &points;
    let block_ms = super::usual_step(points).map_or(MIN_BLOCK_MS, |step| step.max(MIN_BLOCK_MS));
    let blocks = blocks(points, block_ms, data_scale).ok_or_else(|| overflow(&series.name))?;
    if blocks.len() < MIN_BLOCKS {
        return Ok(());
    }
    let (block_scale, means) =
        block_means(&blocks, data_scale).ok_or_else(|| overflow(&series.name))?;
    // One unit in the last decimal place of the data, at the block scale (one unit of the
    // block scale when that is coarser).
    let quantum = 10i64.pow(block_scale.saturating_sub(data_scale));
    let day_slots = DaySlots::new(&blocks, block_ms);
    let first_medians = rolling_medians(&means);
    let (usual, scale_ppm) = usual_levels(&means, &first_medians, day_slots.as_ref());
    // Second pass: a burst pulls the rolling median up around it, which makes the blocks
    // just after it look like a dip. Blocks that the most sensitive threshold calls unusual
    // are replaced by their usual level and the levels are computed again. The first pass
    // always uses the high threshold, so the levels do not depend on the sensitivity and a
    // higher sensitivity always finds a superset.
    let cleaning_band = scale_ppm.saturating_mul(Sensitivity::High.threshold_tenths()) / 10;
    let mut cleaned = means.clone();
    let mut changed = vec![false; blocks.len()];
    for ((mean, &level), changed) in cleaned.iter_mut().zip(&usual).zip(&mut changed) {
        if mean.saturating_sub(level).saturating_abs()
            > mul_div(level.saturating_abs(), cleaning_band, PPM).max(quantum)
        {
            *mean = level;
            *changed = true;
        }
    }
    let (medians, scale_ppm) = if changed.contains(&true) {
        let second_medians = patched_medians(&cleaned, &first_medians, &changed);
        usual_levels(&cleaned, &second_medians, day_slots.as_ref())
    } else {
        (usual, scale_ppm)
    };
    let band_ppm = scale_ppm.saturating_mul(sensitivity.threshold_tenths()) / 10;

    let allowed = |median: i64| mul_div(median.saturating_abs(), band_ppm, PPM).max(quantum);
    let mut current: Option<Stretch> = None;
    for (i, ((block, &mean), &median)) in blocks.iter().zip(&means).zip(&medians).enumerate() {
        let distance = mean.saturating_sub(median).saturating_abs();
        let unusual = distance > allowed(median);
        let adjacent = i > 0 && blocks[i - 1].number + 1 == block.number;
        match (&mut current, unusual) {
            (Some(stretch), true) if adjacent => {
                stretch.last = i;
                if distance > stretch.peak_distance {
                    stretch.peak = i;
                    stretch.peak_distance = distance;
                }
            }
            (_, true) => {
                if let Some(done) = current.take() {
                    found.push(done.anomaly(series, &blocks, &medians, block_ms, data_scale)?);
                }
                current = Some(Stretch {
                    first: i,
                    last: i,
                    peak: i,
                    peak_distance: distance,
                    allowed: 0,
                    block_scale,
                });
            }
            (_, false) => {
                if let Some(done) = current.take() {
                    found.push(done.anomaly(series, &blocks, &medians, block_ms, data_scale)?);
                }
            }
        }
        if let Some(stretch) = &mut current {
            if stretch.peak == i {
                stretch.allowed = allowed(median);
            }
        }
    }
    if let Some(done) = current {
        found.push(done.anomaly(series, &blocks, &medians, block_ms, data_scale)?);
    }
    Ok(())
}

/// The usual level of every block (its rolling median, `medians`, corrected by the daily
/// profile) and the relative robust scale in ppm (see the module docs, steps 3 and 4).
fn usual_levels(means: &[i64], medians: &[i64], day_slots: Option<&DaySlots>) -> (Vec<i64>, i64) {
    let mut usual = medians.to_vec();
    // Relative residuals in ppm; saturating, as they are only a score.
    let mut relative: Vec<i64> = means
        .iter()
        .zip(&usual)
        .map(|(&mean, &median)| relative_ppm(mean, median))
        .collect();
    if let Some(day_slots) = day_slots {
        let profile = day_slots.daily_profile(&relative);
        for ((&slot, level), r) in day_slots.of_block.iter().zip(&mut usual).zip(&mut relative) {
            let correction = profile[slot];
            *level = level.saturating_add(mul_div(*level, correction, PPM));
            *r = r.saturating_sub(correction);
        }
    }
    let centre = select_median(&mut relative);
    for r in &mut relative {
        *r = r.saturating_sub(centre).saturating_abs();
    }
    let mad = select_median(&mut relative);
    let scale_ppm = (mad.saturating_mul(14_826) / 10_000).max(MIN_RELATIVE_SCALE_PPM);
    (usual, scale_ppm)
}

/// A run of unusual blocks being collected: indices into the blocks.
struct Stretch {
    first: usize,
    last: usize,
    peak: usize,
    peak_distance: i64,
    /// The allowed distance from the median at the peak, at the block scale.
    allowed: i64,
    block_scale: u32,
}

impl Stretch {
    fn anomaly(
        &self,
        series: &ResourceSeries,
        blocks: &[Block],
        medians: &[i64],
        block_ms: i64,
        data_scale: u32,
    ) -> Result<Anomaly> {
        let fail = || overflow(&series.name);
        let ms = |number: i64| number.checked_mul(block_ms).ok_or_else(fail);
        let peak = blocks[self.peak];
        let median = medians[self.peak];
        let value = Decimal::try_from_i128_with_scale(peak.sum, data_scale)
            .ok()
            .and_then(|sum| sum.checked_div(Decimal::from(peak.count)))
            .ok_or_else(fail)?
            .normalize();
        let at_block_scale = |mantissa: i64| {
            Decimal::try_from_i128_with_scale(i128::from(mantissa), self.block_scale)
                .map(|d| d.normalize())
                .map_err(|_| fail())
        };
        let mut low = median.saturating_sub(self.allowed);
        if median >= 0 && low < 0 {
            low = 0; // usage is not negative: a range below zero says nothing
        }
        Ok(Anomaly {
            resource: series.name.clone(),
            start_ms: ms(blocks[self.first].number)?,
            end_ms: ms(blocks[self.last].number + 1)?,
            peak_ms: ms(peak.number)?,
            value,
            usual_low: at_block_scale(low)?,
            usual_high: at_block_scale(median.saturating_add(self.allowed))?,
        })
    }
}

/// 10^n as an i128 (n ≤ 28).
fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// The blocks of sorted points; `None` on overflow.
fn blocks(points: &[DataPoint], block_ms: i64, data_scale: u32) -> Option<Vec<Block>> {
    // One allocation: at most one block per point, at most one per block length spanned.
    let spanned = match (points.first(), points.last()) {
        (Some(first), Some(last)) => {
            usize::try_from((last.timestamp_ms - first.timestamp_ms) / block_ms).unwrap_or(0)
        }
        _ => 0,
    };
    let mut out: Vec<Block> = Vec::with_capacity(points.len().min(spanned.saturating_add(2)));
    // Where the current block ends (epoch ms): points before it join it without a division.
    let mut block_end = i64::MIN;
    for p in points {
        let scale = p.amount.scale();
        let mantissa = if scale == data_scale {
            p.amount.mantissa()
        } else {
            p.amount.mantissa().checked_mul(pow10(data_scale - scale))?
        };
        match out.last_mut() {
            // Sorted points: at or after the current block's start.
            Some(block) if p.timestamp_ms < block_end => {
                block.sum = block.sum.checked_add(mantissa)?;
                block.count += 1;
            }
            _ => {
                let number = p.timestamp_ms.div_euclid(block_ms);
                // The next block's start: this time plus what is left of its block, without
                // a (checked) multiplication.
                block_end = p
                    .timestamp_ms
                    .saturating_add(block_ms - p.timestamp_ms.rem_euclid(block_ms));
                out.push(Block {
                    number,
                    sum: mantissa,
                    count: 1,
                });
            }
        }
    }
    Some(out)
}

/// The block scale and the block means at it (see the module docs, step 1): the finest
/// scale from `data_scale + EXTRA_DIGITS` (at most 28) down at which every mean is within
/// [`MAX_MEAN`]; `None` when not even whole units are. Nearly always the first scale tried
/// fits, so trying the scales in turn costs nothing.
fn block_means(blocks: &[Block], data_scale: u32) -> Option<(u32, Vec<i64>)> {
    let finest = (data_scale + EXTRA_DIGITS).min(MAX_SCALE);
    let mut means = Vec::with_capacity(blocks.len());
    'scales: for block_scale in (0..=finest).rev() {
        // mean = sum × 10^(block_scale − data_scale) / count, the power of ten on whichever
        // side keeps it whole.
        let (times, per) = if block_scale >= data_scale {
            (pow10(block_scale - data_scale), 1)
        } else {
            (1, pow10(data_scale - block_scale))
        };
        means.clear();
        for block in blocks {
            match scaled_mean(block, times, per) {
                Some(mean) => means.push(mean),
                None => continue 'scales,
            }
        }
        return Some((block_scale, means));
    }
    None
}

/// `sum × times / (count × per)` of `block`, rounded half away from zero; `None` beyond
/// [`MAX_MEAN`].
fn scaled_mean(block: &Block, times: i128, per: i128) -> Option<i64> {
    let mean = rounded_div(
        checked_mul(block.sum, times)?,
        checked_mul(i128::from(block.count), per)?,
    );
    i64::try_from(mean)
        .ok()
        .filter(|mean| mean.abs() <= MAX_MEAN)
}

/// `a × b`, `None` on overflow; in 64-bit arithmetic when it fits (WebAssembly emulates
/// 128-bit multiplication with calls).
fn checked_mul(a: i128, b: i128) -> Option<i128> {
    if let (Ok(a), Ok(b)) = (i64::try_from(a), i64::try_from(b)) {
        if product_fits(a, b) {
            return Some(i128::from(a * b));
        }
    }
    a.checked_mul(b)
}

/// Whether `a × b` surely fits in an i64: the factors' bit lengths add up to at most 63.
/// Checked this way, not with `checked_mul`, because WebAssembly has no overflow flag and
/// compiles a checked 64-bit multiplication to a call of the 128-bit one. (Some products
/// that would just fit fail the test; they take the 128-bit way, with the same result.)
fn product_fits(a: i64, b: i64) -> bool {
    a.unsigned_abs().leading_zeros() + b.unsigned_abs().leading_zeros() > 64
}

/// `n / d` rounded half away from zero (d > 0), in 64-bit arithmetic when it fits (128-bit
/// division is several times slower).
fn rounded_div(n: i128, d: i128) -> i128 {
    if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d)) {
        let (q, r) = (n / d, n % d);
        let q = if r.unsigned_abs() * 2 >= d.unsigned_abs() {
            q + n.signum()
        } else {
            q
        };
        return i128::from(q);
    }
    let (q, r) = (n / d, n % d);
    if r.unsigned_abs() * 2 >= d.unsigned_abs() {
        q + n.signum()
    } else {
        q
    }
}

/// The usual level of each block: the median block mean of the [`WINDOW_BLOCKS`] present
/// blocks around it, kept as a sorted window that slides one block at a time.
///
/// Near the ends of the series the window cannot be centred and is shifted inwards; there
/// the median would lag a rising or falling series by up to half a window, so it is moved
/// along the window's robust slope (the difference of the medians of its two halves) to
/// the block's place.
fn rolling_medians(means: &[i64]) -> Vec<i64> {
    let n = means.len();
    let width = WINDOW_BLOCKS.min(n);
    let mut sorted: Vec<i64> = means[..width].to_vec();
    crate::sort::sort_by_key(&mut sorted, |mean| *mean);
    let mut start = 0;
    let mut part = Vec::with_capacity(width);
    (0..n)
        .map(|i| {
            let wanted = window_start(i, n, width);
            while start < wanted {
                // The entering mean takes the leaving one's place, and the means between
                // that place and its sorted one move up by one: a single short move rather
                // than a removal and an insertion, each moving everything above them.
                let entering = means[start + width];
                if let Ok(out) = sorted.binary_search(&means[start]) {
                    let into = sorted.partition_point(|&m| m < entering);
                    if into <= out {
                        sorted.copy_within(into..out, into + 1);
                        sorted[into] = entering;
                    } else {
                        sorted.copy_within(out + 1..into, out);
                        sorted[into - 1] = entering;
                    }
                }
                start += 1;
            }
            let median = sorted[(width - 1) / 2];
            at_block(means, i, start, width, median, &mut part)
        })
        .collect()
}

/// [`rolling_medians`] of `means` where only the means marked `changed` differ from the
/// means `previous` was computed from: only the windows holding a changed block are
/// computed again (by selection), the rest copied. Equal to `rolling_medians(means)`.
fn patched_medians(means: &[i64], previous: &[i64], changed: &[bool]) -> Vec<i64> {
    let n = means.len();
    let width = WINDOW_BLOCKS.min(n);
    // changed_before[k]: how many of the first k blocks changed.
    let mut changed_before = Vec::with_capacity(n + 1);
    changed_before.push(0usize);
    for &c in changed {
        changed_before.push(changed_before[changed_before.len() - 1] + usize::from(c));
    }
    let mut part = Vec::with_capacity(width);
    (0..n)
        .map(|i| {
            let start = window_start(i, n, width);
            if changed_before[start + width] == changed_before[start] {
                return previous[i];
            }
            part.clear();
            part.extend_from_slice(&means[start..start + width]);
            let median = select_median(&mut part);
            at_block(means, i, start, width, median, &mut part)
        })
        .collect()
}

/// The first block of block `i`'s window of `width` among `n` blocks: centred, shifted
/// inwards at the ends.
fn window_start(i: usize, n: usize, width: usize) -> usize {
    i.saturating_sub(width / 2).min(n - width)
}

/// The window's median moved to block `i` along the window's slope when the window could
/// not be centred on it (see [`rolling_medians`]).
fn at_block(
    means: &[i64],
    i: usize,
    start: usize,
    width: usize,
    median: i64,
    part: &mut Vec<i64>,
) -> i64 {
    let half = width / 2;
    let centre = start + half;
    if i == centre || half == 0 {
        return median;
    }
    let mut median_of = |range: std::ops::Range<usize>| {
        part.clear();
        part.extend_from_slice(&means[range]);
        select_median(part)
    };
    let first = median_of(start..centre);
    let second = median_of(centre + 1..start + width);
    // The halves' centres are half + 1 blocks apart. In 128 bits, as the product can
    // leave the 64-bit range for means near MAX_MEAN; only the 15 blocks at each end of a
    // series come here.
    let shift = (i128::from(second) - i128::from(first)) * (i as i128 - centre as i128)
        / (half as i128 + 1);
    saturate(i128::from(median) + shift)
}

/// The fewest days of data before the daily profile is used.
const MIN_PROFILE_DAYS: usize = 3;

/// The place in the day of every block of a series, for the daily profile (step 3 of the
/// module docs); computed once for both passes.
struct DaySlots {
    /// The slot (place in the day, UTC: the same rhythm for a fixed offset) of each block.
    of_block: Vec<usize>,
    /// Where each slot's blocks go when grouped by slot: slot `s` gets the places
    /// `starts[s]..starts[s + 1]`.
    starts: Vec<usize>,
}

impl DaySlots {
    /// `None` when the block length does not divide a day or there are fewer than
    /// [`MIN_PROFILE_DAYS`] days of blocks.
    fn new(blocks: &[Block], block_ms: i64) -> Option<DaySlots> {
        if DAY_MS % block_ms != 0 {
            return None;
        }
        let per_day = DAY_MS / block_ms;
        let slots = usize::try_from(per_day).ok()?;
        if blocks.len() < MIN_PROFILE_DAYS * slots {
            return None;
        }
        let of_block: Vec<usize> = blocks
            .iter()
            .map(|block| block.number.rem_euclid(per_day) as usize)
            .collect();
        let mut starts = vec![0; slots + 1];
        for &slot in &of_block {
            starts[slot + 1] += 1;
        }
        for s in 1..starts.len() {
            starts[s] += starts[s - 1];
        }
        Some(DaySlots { of_block, starts })
    }

    /// The typical relative residual at each time of day (ppm), the median over the days:
    /// what the rolling median systematically misses where the daily rhythm bends (the
    /// evening peak, the early-morning trough). Bursts come at random times, so they do not
    /// recur in a slot and do not move its median. 0 for a slot with fewer than
    /// [`MIN_PROFILE_DAYS`] blocks.
    fn daily_profile(&self, relative: &[i64]) -> Vec<i64> {
        // The residuals grouped by slot in one buffer, rather than a vector per slot
        // (hundreds of allocations a call).
        let mut next = self.starts.clone();
        let mut grouped = vec![0; relative.len()];
        for (&slot, &r) in self.of_block.iter().zip(relative) {
            grouped[next[slot]] = r;
            next[slot] += 1;
        }
        self.starts
            .windows(2)
            .map(|range| {
                let values = &mut grouped[range[0]..range[1]];
                if values.len() >= MIN_PROFILE_DAYS {
                    select_median(values)
                } else {
                    0
                }
            })
            .collect()
    }
}

/// `a × b / d` (d > 0), saturating. 64-bit when the product fits (nearly always), as
/// WebAssembly emulates 128-bit arithmetic with calls.
fn mul_div(a: i64, b: i64, d: i64) -> i64 {
    if product_fits(a, b) {
        a * b / d
    } else {
        saturate(i128::from(a) * i128::from(b) / i128::from(d))
    }
}

/// `value` clamped to the 64-bit range.
fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// The lower median (`values` reordered); 0 when empty.
fn select_median(values: &mut [i64]) -> i64 {
    super::lower_median(values).unwrap_or(0)
}

/// `(value − median) / |median|` in ppm, saturating; a value off a zero median counts as
/// far off (half the 64-bit range, beyond any threshold).
fn relative_ppm(value: i64, median: i64) -> i64 {
    let distance = value.saturating_sub(median);
    if median == 0 {
        return if distance == 0 { 0 } else { i64::MAX / 2 };
    }
    mul_div(distance, PPM, median.saturating_abs())
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
            "2024-01-03",
            vec![series("CPU", "核", points)],
            vec![],
        );
        find_anomalies(&usage, &AnomalyOptions { sensitivity }).expect("anomalies")
    }

    #[test]
    fn flat_series_with_one_spike_gives_exactly_that_spike() {
        let mut amounts = vec!["10.000".to_owned(); 600];
        for a in &mut amounts[300..305] {
            *a = "30.000".to_owned();
        }
        // Starts at a 5-minute boundary, so the spike fills block 60 exactly.
        let points = minutes("2024-01-01T00:00:00", &amounts);
        for sensitivity in [Sensitivity::Low, Sensitivity::Medium, Sensitivity::High] {
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
                a.usual_low < dec("10") && dec("10") < a.usual_high && a.usual_high < dec("12")
            );
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
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value, dec("1.18"));
        assert!(found[0].usual_low > found[0].value);
    }

    /// A smooth daily rhythm at one-minute steps, as cores with 3 decimals.
    fn rhythm(days: i64) -> Vec<String> {
        (0..days * 1440)
            .map(|m| {
                // A sine between 20 and 60 with a 24-hour period, no noise.
                let angle = (m % 1440) as f64 / 1440.0 * std::f64::consts::TAU;
                format!("{:.3}", 40.0 + 20.0 * angle.sin())
            })
            .collect()
    }

    #[test]
    fn a_smooth_daily_rhythm_without_bursts_has_no_anomaly() {
        let found = find(
            minutes("2024-01-01T00:00:00", &rhythm(3)),
            Sensitivity::High,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn higher_sensitivity_finds_a_superset() {
        let options = crate::synthetic::SyntheticOptions::new(
            crate::analysis::test_support::date("2024-03-01"),
            crate::analysis::test_support::date("2024-03-10"),
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
        }
        let span = |found: &[Anomaly]| found.iter().map(|a| a.end_ms - a.start_ms).sum::<i64>();
        assert!(span(&low) <= span(&medium) && span(&medium) <= span(&high));
    }

    #[test]
    fn patched_medians_equal_medians_computed_afresh() {
        let mut means: Vec<i64> = (0..200).map(|i: i64| (i * 7919) % 101 + i).collect();
        let before = rolling_medians(&means);
        let mut changed = vec![false; means.len()];
        for i in [0, 3, 77, 78, 150, 199] {
            means[i] += 1000;
            changed[i] = true;
        }
        assert_eq!(
            patched_medians(&means, &before, &changed),
            rolling_medians(&means)
        );
        assert_ne!(before, rolling_medians(&means));
    }

    #[test]
    fn long_amounts_lower_the_block_scale_and_huge_ones_are_an_overflow() {
        // 28 decimals: the means would leave MAX_MEAN even at the data scale, so the block
        // scale drops below it; the spike is still found and its value is still exact.
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
        assert!(found[0].usual_low < dec("0.34") && dec("0.33") < found[0].usual_high);
        // Whole amounts beyond MAX_MEAN leave no block scale at all.
        let huge = vec!["2000000000000000000".to_owned(); 300];
        let usage = response(
            "2024-01-01",
            "2024-01-03",
            vec![series("CPU", "核", minutes("2024-01-01T00:00:00", &huge))],
            vec![],
        );
        let error = find_anomalies(&usage, &AnomalyOptions::default()).expect_err("too large");
        assert_eq!(error.kind(), ErrorKind::Overflow);
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
        let mut amounts = rhythm(1);
        amounts[700] = "200.000".to_owned();
        let points = minutes("2024-01-01T00:00:00", &amounts);
        let forward = find(points.clone(), Sensitivity::Medium);
        assert_eq!(forward.len(), 1);
        let mut shuffled = points;
        shuffled.reverse();
        let half = shuffled.len() / 2;
        shuffled.rotate_left(half);
        assert_eq!(find(shuffled, Sensitivity::Medium), forward);
    }

    #[test]
    fn mixed_scales_and_a_zero_level_do_not_panic() {
        let mut points: Vec<DataPoint> = (0..100)
            .map(|i| point(i * MINUTE, if i % 2 == 0 { "0" } else { "0.00" }))
            .collect();
        points.push(point(100 * MINUTE, "7.5"));
        let found = find(points, Sensitivity::High);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].usual_low, Decimal::ZERO);
    }
}
