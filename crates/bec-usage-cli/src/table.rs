//! `--format table`: per resource the points, min, mean, max, last and unit-hours, with the
//! unit, aligned by display width (units are often Chinese: `核` is two columns wide).
//!
//! Min, max and last are amounts as the service wrote them. The mean and the unit-hours are
//! the core's exact results ([`response_stats`], [`usage_hours`]), rounded for reading to
//! `--decimals` places in decimal arithmetic (never through a float); `--decimals all`
//! shows every digit.

use bec_usage::analysis::{response_stats, usage_hours};
use bec_usage::query::format_date;
use bec_usage::UsageResponse;
use chrono::FixedOffset;
use rust_decimal::{Decimal, RoundingStrategy};
use unicode_width::UnicodeWidthStr;

use crate::error::{Error, Result};

/// How the table rounds the mean and the unit-hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimals {
    /// To this many decimal places, half away from zero.
    Places(u32),
    /// Every digit.
    All,
}

impl Decimals {
    /// Reads `--decimals`: a number of places (0–28) or `all`.
    pub fn parse(text: &str) -> Result<Self> {
        if text == "all" {
            return Ok(Decimals::All);
        }
        match text.parse::<u32>() {
            Ok(places) if places <= 28 => Ok(Decimals::Places(places)),
            _ => Err(Error::input(format!(
                "--decimals {text:?}: give a number of decimal places from 0 to 28, or all"
            ))),
        }
    }

    fn apply(self, value: Decimal) -> String {
        match self {
            Decimals::All => value.to_string(),
            Decimals::Places(places) => value
                .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
                .to_string(),
        }
    }
}

/// The table of `response`, ending with a line that says how to read it.
pub fn render_table(
    response: &UsageResponse,
    offset: FixedOffset,
    decimals: Decimals,
) -> Result<String> {
    let core = |e: bec_usage::Error| Error::input(e.message());
    let stats = response_stats(response).map_err(core)?;
    let hours = usage_hours(response, offset).map_err(core)?;
    let mut rows: Vec<[String; 8]> = vec![[
        "RESOURCE",
        "UNIT",
        "POINTS",
        "MIN",
        "MEAN",
        "MAX",
        "LAST",
        "UNIT-HOURS",
    ]
    .map(str::to_owned)];
    for entry in &stats {
        let unit_hours = hours
            .resource(&entry.resource)
            .map_or_else(|| "-".to_owned(), |r| decimals.apply(r.total));
        let row = match &entry.stats {
            Some(s) => [
                entry.resource.clone(),
                entry.unit.clone(),
                s.points.to_string(),
                s.min.amount.to_string(),
                decimals.apply(s.mean),
                s.max.amount.to_string(),
                s.last.amount.to_string(),
                unit_hours,
            ],
            None => [
                entry.resource.clone(),
                entry.unit.clone(),
                "0".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                unit_hours,
            ],
        };
        rows.push(row);
    }
    let mut widths = [0usize; 8];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = format!(
        "account {}, {} .. {}, days in UTC{}\n",
        if response.account_id.is_empty() {
            "-"
        } else {
            &response.account_id
        },
        format_date(response.time_span.begin_date),
        format_date(response.time_span.end_date),
        offset
    );
    for row in &rows {
        let mut line = String::new();
        for (column, (cell, width)) in row.iter().zip(widths).enumerate() {
            let pad = " ".repeat(width - cell.width());
            if column > 0 {
                line.push_str("  ");
            }
            // Names and units to the left, numbers to the right.
            if column < 2 {
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&match decimals {
        Decimals::All => {
            "unit-hours: the unit times hours (核 → core-hours); every digit shown\n".to_owned()
        }
        Decimals::Places(places) => format!(
            "unit-hours: the unit times hours (核 → core-hours); mean and unit-hours rounded to \
             {places} decimals (--decimals all for every digit)\n"
        ),
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bec_usage::json::parse_usage;

    #[test]
    fn columns_line_up_by_display_width_and_amounts_stay_exact() {
        let usage = parse_usage(
            r#"{"accountId":"acc","timeSpan":{"beginDate":"2024-01-01","endDate":"2024-01-01"},
               "graphData":{
                 "CPU":{"count":3,"unit":"核","dataList":[
                   {"amount":0.3,"timestamp":1704038400000},
                   {"amount":2.2,"timestamp":1704042000000},
                   {"amount":1.10,"timestamp":1704045600000}]},
                 "Memory":{"count":0,"unit":"GB","dataList":[]}},
               "summary":{}}"#,
        )
        .expect("usage");
        let beijing = FixedOffset::east_opt(8 * 3600).expect("offset");
        let table = render_table(&usage, beijing, Decimals::Places(2)).expect("table");
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "account acc, 2024-01-01 .. 2024-01-01, days in UTC+08:00"
        );
        // The last amount kept as written (1.10); mean 3.6 / 3; hours 0.3 + 2.2 + 1.10
        // (a point stands for an hour, the last one too). 核 is two columns wide.
        assert_eq!(
            lines[1..4],
            [
                "RESOURCE  UNIT  POINTS  MIN  MEAN  MAX  LAST  UNIT-HOURS",
                "CPU       核         3  0.3   1.2  2.2  1.10         3.6",
                "Memory    GB         0    -     -    -     -           0",
            ]
        );
        assert!(Decimals::parse("29").is_err() && Decimals::parse("x").is_err());
        let all = render_table(&usage, beijing, Decimals::All).expect("table");
        assert!(all.contains("every digit"));
    }
}
