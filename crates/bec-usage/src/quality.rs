//! Data-quality notes: what is sloppy about a response that still parsed.
//!
//! Real responses can be untidy (the reference page's own example claims `count: 30` beside
//! three points that share one timestamp). Such data is still meaningful, so it is read and
//! shown; these notes tell the reader what to be careful about.

use chrono::{FixedOffset, NaiveDate};

use crate::model::{ResourceSeries, UsageResponse};
use crate::query::{epoch_day, format_date};

/// What a [`QualityNote`] is about. Callers branch on this, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum QualityNoteKind {
    /// `count` differs from the number of points in `dataList`.
    CountMismatch,
    /// Two or more points of a series share a timestamp.
    DuplicateTimestamps,
    /// A series is not in timestamp order.
    UnsortedTimestamps,
    /// Some points fall on local days outside `timeSpan`.
    PointsOutsideTimeSpan,
    /// A series has negative amounts, which usage cannot be.
    NegativeAmounts,
    /// A resource of `graphData` has no daily average on some days of `summary`.
    MissingFromSummary,
    /// `summary` has averages for a resource that `graphData` does not list.
    NotInGraphData,
    /// `summary` is empty although `graphData` has points.
    SummaryEmpty,
    /// `summary` has days outside `timeSpan`.
    SummaryOutsideTimeSpan,
    /// `timeSpan.beginDate` is after `timeSpan.endDate`.
    TimeSpanReversed,
}

impl QualityNoteKind {
    /// The stable name of this kind, equal to the variant name.
    pub fn as_str(self) -> &'static str {
        match self {
            QualityNoteKind::CountMismatch => "CountMismatch",
            QualityNoteKind::DuplicateTimestamps => "DuplicateTimestamps",
            QualityNoteKind::UnsortedTimestamps => "UnsortedTimestamps",
            QualityNoteKind::PointsOutsideTimeSpan => "PointsOutsideTimeSpan",
            QualityNoteKind::NegativeAmounts => "NegativeAmounts",
            QualityNoteKind::MissingFromSummary => "MissingFromSummary",
            QualityNoteKind::NotInGraphData => "NotInGraphData",
            QualityNoteKind::SummaryEmpty => "SummaryEmpty",
            QualityNoteKind::SummaryOutsideTimeSpan => "SummaryOutsideTimeSpan",
            QualityNoteKind::TimeSpanReversed => "TimeSpanReversed",
        }
    }
}

/// One data-quality note.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QualityNote {
    /// What the note is about.
    pub kind: QualityNoteKind,
    /// The resource concerned, if the note is about one.
    pub resource: Option<String>,
    /// A sentence for people, with the numbers.
    pub message: String,
}

impl QualityNote {
    fn new(kind: QualityNoteKind, resource: Option<&str>, message: String) -> Self {
        QualityNote {
            kind,
            resource: resource.map(str::to_owned),
            message,
        }
    }
}

/// The local day number (days since 1970-01-01 in `offset`) of an epoch-millisecond time.
fn local_day(timestamp_ms: i64, offset_ms: i64) -> i64 {
    (timestamp_ms + offset_ms).div_euclid(crate::query::DAY_MS)
}

/// Lists the data-quality notes of `usage`, with local days taken in `offset`
/// (use [`crate::query::beijing_offset`] for the service's time zone).
///
/// Notes come in resource order, then the notes about `summary` and `timeSpan`.
pub fn quality_notes(usage: &UsageResponse, offset: FixedOffset) -> Vec<QualityNote> {
    let mut notes = Vec::new();
    let span = usage.time_span;
    if span.begin_date > span.end_date {
        notes.push(QualityNote::new(
            QualityNoteKind::TimeSpanReversed,
            None,
            format!(
                "timeSpan runs backwards: beginDate {} is after endDate {}",
                format_date(span.begin_date),
                format_date(span.end_date)
            ),
        ));
    }
    let offset_ms = i64::from(offset.local_minus_utc()) * 1000;
    let (first_day, last_day) = (epoch_day(span.begin_date), epoch_day(span.end_date));
    for series in &usage.resources {
        series_notes(series, offset_ms, first_day, last_day, &mut notes);
    }
    summary_notes(usage, &mut notes);
    notes
}

fn series_notes(
    series: &ResourceSeries,
    offset_ms: i64,
    first_day: i64,
    last_day: i64,
    notes: &mut Vec<QualityNote>,
) {
    let name = series.name.as_str();
    let points = &series.points;
    if usize::try_from(series.count).ok() != Some(points.len()) {
        notes.push(QualityNote::new(
            QualityNoteKind::CountMismatch,
            Some(name),
            format!(
                "{name}: count says {} points but dataList has {}",
                series.count,
                points.len()
            ),
        ));
    }

    let mut first_unsorted = None;
    let mut outside = 0usize;
    let mut negative = 0usize;
    for (index, point) in points.iter().enumerate() {
        if index > 0
            && first_unsorted.is_none()
            && point.timestamp_ms < points[index - 1].timestamp_ms
        {
            first_unsorted = Some(index);
        }
        let day = local_day(point.timestamp_ms, offset_ms);
        if day < first_day || day > last_day {
            outside += 1;
        }
        if point.amount.is_sign_negative() && !point.amount.is_zero() {
            negative += 1;
        }
    }

    // Duplicates: adjacent in a sorted series; otherwise count on a sorted copy.
    let duplicates = if first_unsorted.is_none() {
        points
            .windows(2)
            .filter(|pair| pair[0].timestamp_ms == pair[1].timestamp_ms)
            .count()
    } else {
        let mut times: Vec<i64> = points.iter().map(|p| p.timestamp_ms).collect();
        crate::sort::sort_by_key(&mut times, |time| *time);
        times.windows(2).filter(|pair| pair[0] == pair[1]).count()
    };
    if duplicates > 0 {
        notes.push(QualityNote::new(
            QualityNoteKind::DuplicateTimestamps,
            Some(name),
            format!(
                "{name}: {duplicates} of {} points repeat a timestamp already in the series",
                points.len()
            ),
        ));
    }
    if let Some(index) = first_unsorted {
        notes.push(QualityNote::new(
            QualityNoteKind::UnsortedTimestamps,
            Some(name),
            format!(
                "{name}: dataList is not in time order (point {index} is earlier than point {})",
                index - 1
            ),
        ));
    }
    if outside > 0 {
        notes.push(QualityNote::new(
            QualityNoteKind::PointsOutsideTimeSpan,
            Some(name),
            format!(
                "{name}: {outside} of {} points fall on days outside timeSpan",
                points.len()
            ),
        ));
    }
    if negative > 0 {
        notes.push(QualityNote::new(
            QualityNoteKind::NegativeAmounts,
            Some(name),
            format!("{name}: {negative} points have a negative amount"),
        ));
    }
}

fn summary_notes(usage: &UsageResponse, notes: &mut Vec<QualityNote>) {
    let has_points = usage.resources.iter().any(|r| !r.points.is_empty());
    if usage.summary.is_empty() {
        if has_points {
            notes.push(QualityNote::new(
                QualityNoteKind::SummaryEmpty,
                None,
                "summary is empty although graphData has points; daily averages can only be recomputed"
                    .to_owned(),
            ));
        }
        return;
    }
    for series in &usage.resources {
        let missing: Vec<NaiveDate> = usage
            .summary
            .iter()
            .filter(|day| day.get(&series.name).is_none())
            .map(|day| day.date)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let name = &series.name;
        let message = if missing.len() == usage.summary.len() {
            format!("{name}: summary has no daily averages for this resource")
        } else {
            format!(
                "{name}: summary has no daily average on {} of {} days ({})",
                missing.len(),
                usage.summary.len(),
                list_dates(&missing)
            )
        };
        notes.push(QualityNote::new(
            QualityNoteKind::MissingFromSummary,
            Some(name),
            message,
        ));
    }
    let mut unknown: Vec<&str> = Vec::new();
    for day in &usage.summary {
        for value in &day.values {
            if usage.resource(&value.resource).is_none()
                && !unknown.contains(&value.resource.as_str())
            {
                unknown.push(&value.resource);
            }
        }
    }
    for resource in unknown {
        notes.push(QualityNote::new(
            QualityNoteKind::NotInGraphData,
            Some(resource),
            format!("{resource}: summary has daily averages but graphData has no series for it"),
        ));
    }
    let span = usage.time_span;
    let outside: Vec<NaiveDate> = usage
        .summary
        .iter()
        .map(|day| day.date)
        .filter(|&date| date < span.begin_date || date > span.end_date)
        .collect();
    if !outside.is_empty() {
        notes.push(QualityNote::new(
            QualityNoteKind::SummaryOutsideTimeSpan,
            None,
            format!(
                "summary has {} days outside timeSpan ({})",
                outside.len(),
                list_dates(&outside)
            ),
        ));
    }
}

/// `2024-01-01, 2024-01-02, 2024-01-03 and 4 more`.
fn list_dates(dates: &[NaiveDate]) -> String {
    const SHOWN: usize = 3;
    let mut text = String::new();
    for (index, date) in dates.iter().take(SHOWN).enumerate() {
        if index > 0 {
            text.push_str(", ");
        }
        text.push_str(&format_date(*date));
    }
    if dates.len() > SHOWN {
        text.push_str(&format!(" and {} more", dates.len() - SHOWN));
    }
    text
}
