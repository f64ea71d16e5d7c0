//! Reading a folder of real series: every `*.csv` below it (`timestamp,value`, a header
//! line first) becomes one [`RealSeries`]; a `windows.json` at the folder's top, when there
//! is one, gives labelled anomaly windows per file (NAB's format: the file's path relative
//! to the `data/` folder or to the top, mapped to `[[start, end], ...]`).
//!
//! Timestamps may be `YYYY-MM-DD HH:MM:SS[.ffffff]`, `YYYY-MM-DDTHH:MM:SS[Z]`, `YYYY-MM-DD`
//! (midnight) or epoch seconds/milliseconds; they are read as UTC, since only the order,
//! the steps and the weekdays matter here. Values are read as exact decimals from their
//! text (a value in exponent notation is accepted too); rows without a value are skipped
//! and counted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bec_usage::{DataPoint, ResourceSeries};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

pub type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

/// One labelled window, epoch ms, both ends inclusive as NAB gives them.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// One real series.
#[derive(Debug, Clone)]
pub struct RealSeries {
    /// The file's path relative to the folder, e.g. `realTweets/Twitter_volume_AAPL.csv`.
    pub name: String,
    /// The points, in time order (repeated timestamps: the first kept).
    pub series: ResourceSeries,
    /// Labelled windows; `None` when the folder has no labels for this file.
    pub windows: Option<Vec<Window>>,
    /// Rows that had no usable value.
    pub skipped_rows: usize,
}

impl RealSeries {
    /// The span of the points in weeks (at least a day's worth, to keep rates finite).
    pub fn weeks(&self) -> f64 {
        let points = &self.series.points;
        let span = match (points.first(), points.last()) {
            (Some(first), Some(last)) => last.timestamp_ms - first.timestamp_ms,
            _ => 0,
        };
        (span.max(86_400_000) as f64) / (7.0 * 86_400_000.0)
    }
}

/// Every CSV below `dir`, sorted by name.
pub fn read_folder(dir: &Path) -> AnyResult<Vec<RealSeries>> {
    let mut files = Vec::new();
    collect_csvs(dir, &mut files)?;
    files.sort();
    let labels = read_windows(dir)?;
    let mut out = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        let key = relative
            .strip_prefix("data/")
            .unwrap_or(&relative)
            .to_owned();
        let (series, skipped_rows) = read_csv(&file, &key)?;
        let windows = labels
            .as_ref()
            .map(|labels| labels.get(&key).cloned().unwrap_or_default());
        out.push(RealSeries {
            name: key,
            series,
            windows,
            skipped_rows,
        });
    }
    Ok(out)
}

fn collect_csvs(dir: &Path, out: &mut Vec<PathBuf>) -> AnyResult<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect_csvs(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn read_windows(dir: &Path) -> AnyResult<Option<BTreeMap<String, Vec<Window>>>> {
    let path = dir.join("windows.json");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)?;
    let raw: BTreeMap<String, Vec<[String; 2]>> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for (file, windows) in raw {
        let mut parsed = Vec::new();
        for [start, end] in windows {
            let at = |text: &str| {
                parse_time(text)
                    .ok_or_else(|| format!("{}: {file}: bad time {text:?}", path.display()))
            };
            parsed.push(Window {
                start_ms: at(&start)?,
                end_ms: at(&end)?,
            });
        }
        out.insert(file, parsed);
    }
    Ok(Some(out))
}

/// Epoch ms of a timestamp in one of the forms in the module docs.
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim().trim_matches('"');
    if let Ok(number) = text.parse::<i64>() {
        // Epoch seconds until the year 5138, milliseconds beyond.
        return Some(if number.abs() < 100_000_000_000 {
            number * 1000
        } else {
            number
        });
    }
    let text = text.trim_end_matches('Z');
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

fn parse_value(text: &str) -> Option<Decimal> {
    let text = text.trim().trim_matches('"');
    Decimal::from_str_exact(text)
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

fn read_csv(path: &Path, name: &str) -> AnyResult<(ResourceSeries, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut points = Vec::new();
    let mut skipped = 0;
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let time = record.get(0).and_then(parse_time).ok_or_else(|| {
            format!(
                "{}: row {}: no timestamp in {:?}",
                path.display(),
                line + 2,
                record.get(0)
            )
        })?;
        match record.get(1).and_then(parse_value) {
            Some(amount) => points.push(DataPoint {
                timestamp_ms: time,
                amount,
            }),
            None => skipped += 1,
        }
    }
    points.sort_by_key(|p| p.timestamp_ms);
    points.dedup_by_key(|p| p.timestamp_ms);
    let series = ResourceSeries {
        name: name.to_owned(),
        count: points.len() as u64,
        unit: String::new(),
        points,
    };
    Ok((series, skipped))
}
