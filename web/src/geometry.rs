//! Chart geometry, as pure functions of points and a size: scales, "nice" value ticks,
//! time ticks in Beijing time, SVG path data and marker shapes.
//!
//! The chart component builds a [`ChartModel`] once per (series, width) and then only
//! moves its crosshair, so everything here can take its time to be exact; it is still
//! fast (a month of minute data is downsampled by the core's LTTB before it gets here).
//!
//! Floats are only pixels. A point's amount becomes an `f64` ([`amount_f64`]) solely to
//! place it; the numbers people read come from the exact [`Decimal`]s.

use bec_usage::DataPoint;

use crate::dataset::Drawn;
use rust_decimal::Decimal;

use bec_usage::query::{BEIJING_OFFSET_MS, DAY_MS};
use bec_usage::text::push_u64;

use crate::format::{format_amount, format_clock, format_month_day};

/// The chart's height in pixels (its width follows the page).
pub const CHART_HEIGHT: f64 = 200.0;
/// The narrowest plot the chart draws, in pixels.
pub const MIN_PLOT_WIDTH: f64 = 120.0;

const HOUR_MS: i64 = 3_600_000;

/// The chart's box and the plot area inside it, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// The whole SVG's width.
    pub width: f64,
    /// The whole SVG's height.
    pub height: f64,
    /// The plot's left edge (room for the value labels on its left).
    pub left: f64,
    /// The plot's right edge.
    pub right: f64,
    /// The plot's top edge (room above for the peak's label).
    pub top: f64,
    /// The plot's bottom edge (room below for the time labels).
    pub bottom: f64,
}

impl Frame {
    /// The frame of a chart `width` pixels wide and [`CHART_HEIGHT`] high.
    pub fn new(width: f64) -> Frame {
        let width = width.max(MIN_PLOT_WIDTH + 70.0);
        Frame {
            width,
            height: CHART_HEIGHT,
            left: 58.0,
            right: width - 12.0,
            top: 22.0,
            bottom: CHART_HEIGHT - 26.0,
        }
    }

    /// The plot's width in pixels.
    pub fn plot_width(&self) -> f64 {
        self.right - self.left
    }
}

/// Maps epoch milliseconds to x pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeScale {
    /// The time at the left edge.
    pub start_ms: i64,
    /// The time at the right edge.
    pub end_ms: i64,
    /// The left edge's x.
    pub x0: f64,
    /// The right edge's x.
    pub x1: f64,
}

impl TimeScale {
    /// The x of time `t`.
    pub fn x(&self, t: i64) -> f64 {
        let span = (self.end_ms - self.start_ms).max(1) as f64;
        self.x0 + (t - self.start_ms) as f64 / span * (self.x1 - self.x0)
    }

    /// The time at `x` (clamped to the scale's range).
    pub fn time_at(&self, x: f64) -> i64 {
        let width = (self.x1 - self.x0).max(1.0);
        let fraction = ((x - self.x0) / width).clamp(0.0, 1.0);
        self.start_ms + (fraction * (self.end_ms - self.start_ms) as f64) as i64
    }
}

/// Maps values to y pixels (up is larger).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueScale {
    /// The value at the bottom.
    pub lo: f64,
    /// The value at the top.
    pub hi: f64,
    /// The bottom's y.
    pub y_bottom: f64,
    /// The top's y.
    pub y_top: f64,
}

impl ValueScale {
    /// The y of `value`.
    pub fn y(&self, value: f64) -> f64 {
        let span = self.hi - self.lo;
        if span <= 0.0 {
            return self.y_bottom;
        }
        self.y_bottom - (value - self.lo) / span * (self.y_bottom - self.y_top)
    }
}

/// A labelled tick: a position (a value or a time) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick<V> {
    /// Where the tick is.
    pub at: V,
    /// What it says.
    pub label: String,
}

/// An amount as an `f64` for placing it: the core's fast approximation (pixels only).
pub use bec_usage::analysis::approximate as amount_f64;

/// A "nice" step (1, 2 or 5 times a power of ten) as `(multiplier, exponent)`, at least
/// `raw` (which must be positive and finite).
fn nice_step(raw: f64) -> (i64, i32) {
    let mut exponent = 0i32;
    let mut power = 1.0f64;
    // Powers of ten by repeated multiplication: no `log10` in the wasm for this.
    while power * 10.0 <= raw && exponent < 300 {
        power *= 10.0;
        exponent += 1;
    }
    while power > raw && exponent > -300 {
        power /= 10.0;
        exponent -= 1;
    }
    let fraction = raw / power;
    if fraction <= 1.0 {
        (1, exponent)
    } else if fraction <= 2.0 {
        (2, exponent)
    } else if fraction <= 5.0 {
        (5, exponent)
    } else {
        (1, exponent + 1)
    }
}

fn pow10(exponent: i32) -> f64 {
    let mut value = 1.0;
    for _ in 0..exponent.unsigned_abs() {
        value *= 10.0;
    }
    if exponent < 0 {
        1.0 / value
    } else {
        value
    }
}

/// The value axis for data between `min` and `max`: the scale's bounds and about
/// `target` ticks at nice round values, labelled exactly (`0.25`, `1,500`).
///
/// The axis starts at zero when the data is not negative and its minimum is less than
/// 40 % of its maximum (so usage is read against nothing); otherwise it hugs the data
/// (a disk at 2,048 GB ± 3 would be a flat line from zero).
pub fn value_ticks(min: f64, max: f64, target: usize) -> (f64, f64, Vec<Tick<f64>>) {
    let (mut lo, mut hi) = if min.is_finite() && max.is_finite() && min <= max {
        (min, max)
    } else {
        (0.0, 1.0)
    };
    if lo >= 0.0 && lo <= hi * 0.4 {
        lo = 0.0;
    }
    if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 {
        // A flat series: show it against zero.
        if lo > 0.0 {
            lo = 0.0;
        } else if hi < 0.0 {
            hi = 0.0;
        } else {
            // All zero.
            (lo, hi) = (0.0, 1.0);
        }
    }
    let (multiplier, exponent) = nice_step((hi - lo) / target.max(1) as f64);
    let step = multiplier as f64 * pow10(exponent);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil() as i64;
    let scale = exponent.min(0).unsigned_abs();
    let ticks = (first..=last)
        .map(|k| {
            let units = i128::from(k) * i128::from(multiplier);
            let label = if exponent >= 0 {
                let mut value = Decimal::from_i128_with_scale(units, 0);
                for _ in 0..exponent {
                    value = value.checked_mul(Decimal::TEN).unwrap_or(value);
                }
                format_amount(value)
            } else {
                format_amount(Decimal::from_i128_with_scale(units, scale.min(28)).normalize())
            };
            Tick {
                at: k as f64 * step,
                label,
            }
        })
        .collect();
    (first as f64 * step, last as f64 * step, ticks)
}

/// Candidate time steps: those within a day divide it; longer ones are whole days.
const TIME_STEPS_MS: [i64; 12] = [
    HOUR_MS,
    2 * HOUR_MS,
    3 * HOUR_MS,
    6 * HOUR_MS,
    12 * HOUR_MS,
    DAY_MS,
    2 * DAY_MS,
    7 * DAY_MS,
    14 * DAY_MS,
    28 * DAY_MS,
    56 * DAY_MS,
    112 * DAY_MS,
];

/// Ticks of the time axis between `start_ms` and `end_ms`, at most one per `spacing`
/// pixels of a plot `plot_width` wide: on whole hours or days of Beijing time (weeks
/// start on Monday), labelled `HH:MM` within a day and `MM-DD` at midnight.
pub fn time_ticks(start_ms: i64, end_ms: i64, plot_width: f64, spacing: f64) -> Vec<Tick<i64>> {
    if end_ms <= start_ms {
        return Vec::new();
    }
    let max_ticks = ((plot_width / spacing.max(1.0)) as i64).max(2);
    let span = end_ms - start_ms;
    let step = TIME_STEPS_MS
        .into_iter()
        .find(|step| span / step <= max_ticks)
        .unwrap_or(TIME_STEPS_MS[TIME_STEPS_MS.len() - 1]);
    // Local time counted from 1970-01-01 00:00 Beijing; weeks and longer steps count from
    // Monday 1970-01-05.
    let phase = if step >= 7 * DAY_MS { 4 * DAY_MS } else { 0 };
    let local_start = start_ms + BEIJING_OFFSET_MS - phase;
    let mut local = local_start.div_euclid(step) * step;
    if local < local_start {
        local += step;
    }
    let mut ticks = Vec::new();
    loop {
        let t = local + phase - BEIJING_OFFSET_MS;
        if t > end_ms {
            break;
        }
        let at_midnight = (t + BEIJING_OFFSET_MS).rem_euclid(DAY_MS) == 0;
        let label = if at_midnight {
            format_month_day(t)
        } else {
            format_clock(t)
        };
        ticks.push(Tick { at: t, label });
        local += step;
    }
    ticks
}

/// Appends `value` with at most one decimal place (`12.3`, `7`, `-0.5`), without float
/// formatting: path data is most of a chart's bytes, and pixels need no more precision.
/// The digits are the core's writer's ([`bec_usage::text::push_u64`]).
fn push_px(out: &mut String, value: f64) {
    let tenths = (value * 10.0).round() as i64;
    let magnitude = tenths.unsigned_abs();
    let mut text = Vec::with_capacity(24);
    if tenths < 0 {
        text.push(b'-');
    }
    push_u64(&mut text, magnitude / 10);
    if magnitude % 10 != 0 {
        text.push(b'.');
        text.push(b'0' + (magnitude % 10) as u8);
    }
    // The writer writes ASCII only.
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// A pixel coordinate as attribute text, at most one decimal place (`12.3`, `7`).
pub fn px(value: f64) -> String {
    let mut out = String::with_capacity(8);
    push_px(&mut out, value);
    out
}

/// SVG path data of a polyline through `points` (`M x,y L x,y ...`); empty without points.
pub fn line_path(points: &[(f64, f64)]) -> String {
    let mut out = String::with_capacity(points.len() * 12);
    for (index, &(x, y)) in points.iter().enumerate() {
        out.push(if index == 0 { 'M' } else { 'L' });
        push_px(&mut out, x);
        out.push(',');
        push_px(&mut out, y);
    }
    out
}

/// SVG path data of the area between the polyline through `points` and the horizontal
/// line at `baseline_y`; empty without points.
pub fn area_path(points: &[(f64, f64)], baseline_y: f64) -> String {
    let (Some(&(first_x, _)), Some(&(last_x, _))) = (points.first(), points.last()) else {
        return String::new();
    };
    let mut out = line_path(points);
    out.push('L');
    push_px(&mut out, last_x);
    out.push(',');
    push_px(&mut out, baseline_y);
    out.push('L');
    push_px(&mut out, first_x);
    out.push(',');
    push_px(&mut out, baseline_y);
    out.push('Z');
    out
}

/// The index of the point nearest in time to `t`, in points sorted by timestamp (the
/// earlier of two equally near); `None` without points.
pub fn nearest_index(points: &[DataPoint], t: i64) -> Option<usize> {
    if points.is_empty() {
        return None;
    }
    let after = points.partition_point(|p| p.timestamp_ms < t);
    if after == 0 {
        return Some(0);
    }
    if after == points.len() {
        return Some(points.len() - 1);
    }
    let before = after - 1;
    let distance = |i: usize| (i128::from(points[i].timestamp_ms) - i128::from(t)).abs();
    Some(if distance(after) < distance(before) {
        after
    } else {
        before
    })
}

/// How many points an arrow key moves the crosshair: about one pixel's worth, so that a
/// month of minute data is crossed in a few hundred presses, not 44,640.
pub fn keyboard_step(point_count: usize, plot_width: f64) -> usize {
    let columns = plot_width.max(1.0) as usize;
    (point_count / columns.max(1)).max(1)
}

/// A marker's shape: with colour, it tells series apart; without colour, it alone does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// ●
    Circle,
    /// ■
    Square,
    /// ▲
    Triangle,
    /// ◆
    Diamond,
    /// ▼
    TriangleDown,
    /// ✚
    Cross,
}

const SHAPES: [Shape; 6] = [
    Shape::Circle,
    Shape::Square,
    Shape::Triangle,
    Shape::Diamond,
    Shape::TriangleDown,
    Shape::Cross,
];

/// The number of colours of the palette (Okabe–Ito, safe for colour-blind readers; the
/// colours themselves are in the style sheet as classes `c0` … `c7`).
pub const PALETTE_SIZE: usize = 8;

/// The colour class index and the marker shape of the `index`-th resource: 48 distinct
/// pairs, and neighbours always differ in both.
pub fn series_style(index: usize) -> (usize, Shape) {
    (index % PALETTE_SIZE, SHAPES[index % SHAPES.len()])
}

/// SVG path data of `shape` centred on (`cx`, `cy`) with "radius" `r`.
pub fn marker_path(shape: Shape, cx: f64, cy: f64, r: f64) -> String {
    let mut out = String::with_capacity(64);
    let point = |out: &mut String, command: char, x: f64, y: f64| {
        out.push(command);
        push_px(out, x);
        out.push(',');
        push_px(out, y);
    };
    match shape {
        Shape::Circle => {
            // Two arcs.
            point(&mut out, 'M', cx - r, cy);
            out.push('a');
            push_px(&mut out, r);
            out.push(',');
            push_px(&mut out, r);
            out.push_str(" 0 1,0 ");
            push_px(&mut out, 2.0 * r);
            out.push_str(",0a");
            push_px(&mut out, r);
            out.push(',');
            push_px(&mut out, r);
            out.push_str(" 0 1,0 ");
            push_px(&mut out, -2.0 * r);
            out.push_str(",0");
        }
        Shape::Square => {
            let s = r * 0.9;
            point(&mut out, 'M', cx - s, cy - s);
            point(&mut out, 'L', cx + s, cy - s);
            point(&mut out, 'L', cx + s, cy + s);
            point(&mut out, 'L', cx - s, cy + s);
        }
        Shape::Triangle => {
            point(&mut out, 'M', cx, cy - r * 1.15);
            point(&mut out, 'L', cx + r, cy + r * 0.8);
            point(&mut out, 'L', cx - r, cy + r * 0.8);
        }
        Shape::Diamond => {
            point(&mut out, 'M', cx, cy - r * 1.2);
            point(&mut out, 'L', cx + r, cy);
            point(&mut out, 'L', cx, cy + r * 1.2);
            point(&mut out, 'L', cx - r, cy);
        }
        Shape::TriangleDown => {
            point(&mut out, 'M', cx, cy + r * 1.15);
            point(&mut out, 'L', cx + r, cy - r * 0.8);
            point(&mut out, 'L', cx - r, cy - r * 0.8);
        }
        Shape::Cross => {
            let (a, b) = (r * 0.38, r * 1.1);
            point(&mut out, 'M', cx - a, cy - b);
            point(&mut out, 'L', cx + a, cy - b);
            point(&mut out, 'L', cx + a, cy - a);
            point(&mut out, 'L', cx + b, cy - a);
            point(&mut out, 'L', cx + b, cy + a);
            point(&mut out, 'L', cx + a, cy + a);
            point(&mut out, 'L', cx + a, cy + b);
            point(&mut out, 'L', cx - a, cy + b);
            point(&mut out, 'L', cx - a, cy + a);
            point(&mut out, 'L', cx - b, cy + a);
            point(&mut out, 'L', cx - b, cy - a);
            point(&mut out, 'L', cx - a, cy - a);
        }
    }
    out.push('Z');
    out
}

/// The other period's series, drawn faintly under the current one.
#[derive(Debug, Clone, Copy)]
pub struct Overlay<'a> {
    /// Its points, downsampled, sorted by time.
    pub points: &'a Drawn,
    /// Milliseconds to add to its times to lay it over the current period.
    pub shift_ms: i64,
    /// Its smallest and largest amount (of all its points, not only those drawn).
    pub min_max: (f64, f64),
}

/// Everything drawn of one chart except the crosshair, for one width.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartModel {
    /// The box.
    pub frame: Frame,
    /// Time → x.
    pub time_scale: TimeScale,
    /// Value → y.
    pub value_scale: ValueScale,
    /// The value ticks (y), positioned in pixels.
    pub value_ticks: Vec<Tick<f64>>,
    /// The time ticks (x), positioned in pixels.
    pub time_ticks: Vec<Tick<f64>>,
    /// The series' line.
    pub line: String,
    /// The area under the series' line.
    pub area: String,
    /// The previous period's line, when there is one.
    pub overlay: String,
}

/// Builds a chart of `points` (downsampled, sorted by time) over the period
/// `start_ms .. end_ms`, `width` pixels wide. `min_max` is the smallest and largest
/// amount of all the series' points (so the axis covers the true peak even if
/// downsampling dropped it).
pub fn chart_model(
    points: &Drawn,
    min_max: (f64, f64),
    overlay: Option<Overlay<'_>>,
    (start_ms, end_ms): (i64, i64),
    width: f64,
) -> ChartModel {
    let frame = Frame::new(width);
    let time_scale = TimeScale {
        start_ms,
        end_ms,
        x0: frame.left,
        x1: frame.right,
    };
    let (mut min, mut max) = min_max;
    if let Some(overlay) = &overlay {
        if !overlay.points.is_empty() {
            min = min.min(overlay.min_max.0);
            max = max.max(overlay.min_max.1);
        }
    }
    if points.is_empty() && overlay.is_none_or(|o| o.points.is_empty()) {
        (min, max) = (0.0, 1.0);
    }
    let target = if frame.bottom - frame.top < 120.0 {
        3
    } else {
        4
    };
    let (lo, hi, ticks) = value_ticks(min, max, target);
    let value_scale = ValueScale {
        lo,
        hi,
        y_bottom: frame.bottom,
        y_top: frame.top,
    };
    let project = |shift: i64| {
        move |(t, amount): (f64, f64)| (time_scale.x(t as i64 + shift), value_scale.y(amount))
    };
    let xy: Vec<(f64, f64)> = points.pairs().map(project(0)).collect();
    let overlay_path = overlay.map_or_else(String::new, |o| {
        let xy: Vec<(f64, f64)> = o
            .points
            .pairs()
            .filter(|(t, _)| {
                let t = *t as i64 + o.shift_ms;
                (start_ms..=end_ms).contains(&t)
            })
            .map(project(o.shift_ms))
            .collect();
        line_path(&xy)
    });
    let value_ticks = ticks
        .into_iter()
        .map(|tick| Tick {
            at: value_scale.y(tick.at),
            label: tick.label,
        })
        .collect();
    let time_ticks = time_ticks(start_ms, end_ms, frame.plot_width(), 72.0)
        .into_iter()
        .map(|tick| Tick {
            at: time_scale.x(tick.at),
            label: tick.label,
        })
        .collect();
    ChartModel {
        frame,
        time_scale,
        value_scale,
        value_ticks,
        time_ticks,
        area: area_path(&xy, value_scale.y(lo.max(0.0).min(hi))),
        line: line_path(&xy),
        overlay: overlay_path,
    }
}

impl ChartModel {
    /// Where `point` is drawn.
    pub fn position(&self, point: &DataPoint) -> (f64, f64) {
        (
            self.time_scale.x(point.timestamp_ms),
            self.value_scale.y(amount_f64(point.amount)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(timestamp_ms: i64, amount: &str) -> DataPoint {
        DataPoint {
            timestamp_ms,
            amount: amount.parse().expect("test decimal"),
        }
    }

    fn utc_ms(text: &str) -> i64 {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .expect("test time")
            .and_utc()
            .timestamp_millis()
    }

    fn labels<V>(ticks: &[Tick<V>]) -> Vec<&str> {
        ticks.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn amounts_become_pixels_approximately() {
        assert_eq!(amount_f64("17.223".parse().expect("decimal")), 17.223);
        assert_eq!(amount_f64("-0.5".parse().expect("decimal")), -0.5);
        assert_eq!(amount_f64(Decimal::ZERO), 0.0);
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.7), (1, 0));
        assert_eq!(nice_step(1.0), (1, 0));
        assert_eq!(nice_step(1.2), (2, 0));
        assert_eq!(nice_step(3.0), (5, 0));
        assert_eq!(nice_step(7.0), (1, 1));
        assert_eq!(nice_step(0.03), (5, -2));
        assert_eq!(nice_step(1500.0), (2, 3));
    }

    #[test]
    fn value_axis_starts_at_zero_for_usage() {
        let (lo, hi, ticks) = value_ticks(3.2, 17.9, 4);
        assert_eq!((lo, hi), (0.0, 20.0));
        assert_eq!(labels(&ticks), ["0", "5", "10", "15", "20"]);
    }

    #[test]
    fn value_axis_hugs_a_high_flat_level() {
        let (lo, hi, ticks) = value_ticks(2046.5, 2049.25, 4);
        assert_eq!((lo, hi), (2046.0, 2050.0));
        assert_eq!(
            labels(&ticks),
            ["2,046", "2,047", "2,048", "2,049", "2,050"]
        );
    }

    #[test]
    fn value_axis_labels_are_exact_decimals() {
        let (_, _, ticks) = value_ticks(0.0, 0.3, 4);
        assert_eq!(labels(&ticks), ["0", "0.1", "0.2", "0.3"]);
        let (_, _, ticks) = value_ticks(0.0, 0.000_003, 3);
        assert_eq!(labels(&ticks), ["0", "0.000001", "0.000002", "0.000003"]);
        let (_, _, ticks) = value_ticks(0.0, 6_400_000.0, 4);
        assert_eq!(
            labels(&ticks),
            ["0", "2,000,000", "4,000,000", "6,000,000", "8,000,000"]
        );
    }

    #[test]
    fn value_axis_of_flat_and_empty_series() {
        let (lo, hi, _) = value_ticks(12.0, 12.0, 4);
        assert_eq!((lo, hi), (0.0, 15.0));
        let (lo, hi, _) = value_ticks(0.0, 0.0, 4);
        assert_eq!((lo, hi), (0.0, 1.0));
        let (lo, hi, _) = value_ticks(-3.0, -3.0, 4);
        assert_eq!((lo, hi), (-3.0, 0.0));
        let (lo, hi, _) = value_ticks(f64::NAN, 1.0, 4);
        assert_eq!((lo, hi), (0.0, 1.0));
        let (lo, hi, _) = value_ticks(-2.0, 5.0, 4);
        assert!(lo <= -2.0 && hi >= 5.0);
    }

    #[test]
    fn time_ticks_of_a_day_are_hours_in_beijing_time() {
        // 2024-01-01 00:00 .. 2024-01-02 00:00 Beijing = 2023-12-31T16:00Z .. 2024-01-01T16:00Z.
        let ticks = time_ticks(
            utc_ms("2023-12-31T16:00"),
            utc_ms("2024-01-01T16:00"),
            600.0,
            72.0,
        );
        assert_eq!(
            labels(&ticks),
            ["01-01", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "01-02"]
        );
    }

    #[test]
    fn time_ticks_of_a_month_are_days() {
        let ticks = time_ticks(
            utc_ms("2023-12-31T16:00"),
            utc_ms("2024-01-31T16:00"),
            560.0,
            72.0,
        );
        // 31 days in at most 7 ticks: weekly, on Mondays (2024-01-01 was a Monday).
        assert_eq!(
            labels(&ticks),
            ["01-01", "01-08", "01-15", "01-22", "01-29"]
        );
        let ticks = time_ticks(
            utc_ms("2023-12-31T16:00"),
            utc_ms("2024-01-07T16:00"),
            560.0,
            72.0,
        );
        assert_eq!(ticks.len(), 8);
        assert_eq!(ticks[1].label, "01-02");
        assert!(time_ticks(5, 5, 500.0, 72.0).is_empty());
    }

    #[test]
    fn pixels_have_one_decimal_place_at_most() {
        assert_eq!(px(12.34), "12.3");
        assert_eq!(px(7.0), "7");
        assert_eq!(px(-0.46), "-0.5");
        assert_eq!(px(-0.04), "0");
        assert_eq!(px(1234.96), "1235");
    }

    #[test]
    fn paths_are_compact() {
        assert_eq!(line_path(&[]), "");
        assert_eq!(
            line_path(&[(0.0, 10.0), (12.34, 5.06), (-1.0, 0.04)]),
            "M0,10L12.3,5.1L-1,0"
        );
        assert_eq!(
            area_path(&[(1.0, 10.0), (5.0, 2.0)], 20.0),
            "M1,10L5,2L5,20L1,20Z"
        );
        assert_eq!(area_path(&[], 20.0), "");
    }

    #[test]
    fn nearest_point_in_time() {
        let points = [point(0, "1"), point(60, "2"), point(120, "3")];
        assert_eq!(nearest_index(&points, -5), Some(0));
        assert_eq!(nearest_index(&points, 29), Some(0));
        assert_eq!(nearest_index(&points, 30), Some(0)); // a tie: the earlier
        assert_eq!(nearest_index(&points, 31), Some(1));
        assert_eq!(nearest_index(&points, 119), Some(2));
        assert_eq!(nearest_index(&points, 1_000), Some(2));
        assert_eq!(nearest_index(&[], 0), None);
    }

    #[test]
    fn keyboard_steps_are_about_a_pixel() {
        assert_eq!(keyboard_step(44_640, 560.0), 79);
        assert_eq!(keyboard_step(100, 560.0), 1);
        assert_eq!(keyboard_step(0, 0.0), 1);
    }

    #[test]
    fn series_styles_differ_between_neighbours() {
        for i in 0..48 {
            let (colour, shape) = series_style(i);
            let (next_colour, next_shape) = series_style(i + 1);
            assert!(colour < PALETTE_SIZE);
            assert_ne!(colour, next_colour);
            assert_ne!(shape, next_shape);
        }
        let pairs: std::collections::HashSet<_> = (0..24).map(series_style).collect();
        assert_eq!(pairs.len(), 24);
    }

    #[test]
    fn markers_are_closed_paths() {
        for shape in SHAPES {
            let d = marker_path(shape, 10.0, 10.0, 4.0);
            assert!(d.starts_with('M') && d.ends_with('Z'), "{shape:?}: {d}");
        }
        assert_eq!(
            marker_path(Shape::Square, 10.0, 10.0, 5.0),
            "M5.5,5.5L14.5,5.5L14.5,14.5L5.5,14.5Z"
        );
    }

    #[test]
    fn a_chart_model_places_points_in_its_frame() {
        let points = [point(0, "0"), point(500, "10"), point(1_000, "5")];
        let model = chart_model(&Drawn::of(&points), (0.0, 10.0), None, (0, 1_000), 400.0);
        let frame = model.frame;
        assert_eq!(frame.width, 400.0);
        assert_eq!(model.value_scale.lo, 0.0);
        assert_eq!(model.value_scale.hi, 10.0);
        // First point bottom-left, peak at the top in the middle, last at the right edge.
        assert_eq!(model.position(&points[0]), (frame.left, frame.bottom));
        assert_eq!(
            model.position(&points[1]),
            ((frame.left + frame.right) / 2.0, frame.top)
        );
        assert_eq!(model.position(&points[2]).0, frame.right);
        assert!(model.line.starts_with("M58,174L"));
        assert_eq!(model.line.matches('L').count(), 2);
        assert!(model.area.ends_with('Z'));
        assert!(model.overlay.is_empty());
        assert_eq!(model.value_ticks.first().map(|t| t.at), Some(frame.bottom));
    }

    #[test]
    fn the_overlay_is_shifted_and_widens_the_axis() {
        let points = [point(1_000, "1"), point(2_000, "2")];
        let previous = [point(0, "4"), point(500, "8"), point(999, "1")];
        let previous = Drawn::of(&previous);
        let overlay = Overlay {
            points: &previous,
            shift_ms: 1_000,
            min_max: (1.0, 8.0),
        };
        let model = chart_model(
            &Drawn::of(&points),
            (1.0, 2.0),
            Some(overlay),
            (1_000, 2_000),
            400.0,
        );
        assert_eq!(model.value_scale.hi, 8.0);
        assert_eq!(model.overlay.matches(['M', 'L']).count(), 3);
        assert!(model.overlay.starts_with("M58,"));
    }

    #[test]
    fn an_empty_chart_has_axes_but_no_paths() {
        let model = chart_model(&Drawn::default(), (0.0, 0.0), None, (0, 86_400_000), 300.0);
        assert!(model.line.is_empty() && model.area.is_empty());
        assert!(!model.value_ticks.is_empty());
        assert!(!model.time_ticks.is_empty());
    }
}
