//! Markup built as text, for the only parts of the page that are bulk content written
//! once and never updated in place: the daily table and a chart's data table (hundreds of
//! cells). The components set it with `innerHTML`; everything else (a chart's grid and
//! paths, texts in the page's language, pressed buttons, fields, the crosshair) is a
//! leptos view.
//!
//! Why text here: one parse of a string is faster than thousands of DOM calls, and a
//! string builder is the same small loop in the wasm whatever it writes.
//!
//! Every text that comes from outside (resource names, units, messages) goes through
//! [`push_escaped`]; numbers and dates are written by this crate.

use std::fmt::Write as _;

use bec_usage::analysis::{ReconcileRow, ReconcileStatus};
use bec_usage::DataPoint;

use crate::dataset::Dataset;
use crate::format::{format_amount, format_count, format_date, format_time, round_mean};
use crate::geometry::{marker_path, series_style};
use crate::i18n::{fill, unit_hours_label, unit_label, Lang, T};

/// Appends `text` with `&`, `<`, `>`, `"` and `'` escaped, safe in element content and in
/// quoted attribute values.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The legend marker of the `index`-th resource: its shape in its colour.
pub fn marker_svg(index: usize) -> String {
    let (colour, shape) = series_style(index);
    format!(
        "<svg class=\"marker c{colour}\" viewBox=\"0 0 14 14\" width=\"14\" height=\"14\" \
         aria-hidden=\"true\"><path d=\"{}\"/></svg>",
        marker_path(shape, 7.0, 7.0, 5.0)
    )
}

/// The table of the points a chart draws: time and exact amount.
pub fn points_table(points: &[DataPoint], unit: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(200 + points.len() * 64);
    let _ = write!(
        out,
        "<table class=\"points\"><thead><tr><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{} (",
        T::Time.get(lang),
        T::Amount.get(lang)
    );
    push_escaped(&mut out, unit_label(unit, lang));
    out.push_str(")</th></tr></thead><tbody>");
    for point in points {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            format_time(point.timestamp_ms),
            format_amount(point.amount)
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The explanation of a daily-table cell that does not simply match.
pub fn cell_explanation(row: &ReconcileRow, lang: Lang) -> Option<String> {
    let text = |value: Option<rust_decimal::Decimal>| value.map(format_amount).unwrap_or_default();
    let points = format_count(row.points);
    match row.status {
        ReconcileStatus::Match => None,
        ReconcileStatus::Differs => {
            let difference = row
                .difference
                .map(|d| {
                    let sign = if d.is_sign_negative() { "" } else { "+" };
                    format!("{sign}{}", format_amount(d))
                })
                .unwrap_or_default();
            Some(fill(
                T::CellDiffers.get(lang),
                &[
                    ("summary", &text(row.summary)),
                    ("recomputed", &text(row.recomputed)),
                    ("points", &points),
                    ("difference", &difference),
                ],
            ))
        }
        ReconcileStatus::MissingInSummary => Some(fill(
            T::CellMissingInSummary.get(lang),
            &[("recomputed", &text(row.recomputed)), ("points", &points)],
        )),
        ReconcileStatus::MissingInData => Some(T::CellMissingInData.get(lang).to_owned()),
    }
}

fn push_cell(out: &mut String, row: Option<&ReconcileRow>, lang: Lang) {
    let Some(row) = row else {
        out.push_str("<td class=\"num empty\"></td>");
        return;
    };
    let (class, mark, value) = match row.status {
        ReconcileStatus::Match => ("num", "", row.summary),
        ReconcileStatus::Differs => ("num differs", "≠", row.summary),
        ReconcileStatus::MissingInSummary => ("num missing-summary", "+", row.recomputed),
        ReconcileStatus::MissingInData => ("num missing-data", "∅", row.summary),
    };
    let value = value.map(format_amount).unwrap_or_default();
    match cell_explanation(row, lang) {
        None => {
            let _ = write!(out, "<td class=\"{class}\">{value}</td>");
        }
        Some(explanation) => {
            let _ = write!(
                out,
                "<td class=\"{class}\" tabindex=\"0\" data-testid=\"cell-flagged\" \
                 data-status=\"{}\" title=\"",
                row.status.as_str()
            );
            push_escaped(out, &explanation);
            let _ = write!(
                out,
                "\">{value}<sup class=\"mark\" aria-hidden=\"true\">{mark}</sup>\
                 <span class=\"visually-hidden\"> "
            );
            push_escaped(out, &explanation);
            out.push_str("</span></td>");
        }
    }
}

/// The daily table: a row per day, a column per resource not in `hidden`, each cell the
/// service's daily average, marked and explained where it does not match the average
/// recomputed from the points.
pub fn daily_table(data: &Dataset, hidden: &[String], lang: Lang) -> String {
    let grid = data.daily_grid();
    let columns: Vec<usize> = (0..grid.resources.len())
        .filter(|&r| !hidden.contains(&grid.resources[r]))
        .collect();
    let mut out = String::with_capacity(400 + grid.dates.len() * (columns.len() + 1) * 40);
    let _ = write!(
        out,
        "<table class=\"daily-table\"><thead><tr><th scope=\"col\">{}</th>",
        T::Date.get(lang)
    );
    for &r in &columns {
        let name = &grid.resources[r];
        let unit = data
            .resource_index(name)
            .and_then(|i| data.resources.get(i))
            .map(|resource| unit_label(&resource.unit, lang))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"num\"><span class=\"col-name\">{}",
            marker_svg(r)
        );
        push_escaped(&mut out, name);
        out.push_str("</span><small class=\"muted\">");
        push_escaped(&mut out, unit);
        out.push_str("</small></th>");
    }
    out.push_str("</tr></thead><tbody>");
    for (d, date) in grid.dates.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", format_date(*date));
        for &r in &columns {
            let row = grid
                .cell(d, r)
                .and_then(|i| data.reconciliation.rows.get(i));
            push_cell(&mut out, row, lang);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody>");
    // The range's unit-hours under the daily averages (resources only `summary` names
    // have none).
    let _ = write!(
        out,
        "<tfoot><tr data-testid=\"totals-row\"><th scope=\"row\">{}</th>",
        T::TotalHours.get(lang)
    );
    for &r in &columns {
        let name = &grid.resources[r];
        let total = data.resource_index(name).and_then(|index| {
            let hours = data.hours.resource(name)?;
            Some((
                hours_text(hours.total, data.amount_scale(index)),
                &hours.unit,
            ))
        });
        out.push_str("<td class=\"num\">");
        if let Some((text, unit)) = total {
            push_escaped(&mut out, &text);
            out.push_str(" <small class=\"muted\">");
            push_escaped(&mut out, &unit_hours_label(unit, lang));
            out.push_str("</small>");
        }
        out.push_str("</td>");
    }
    out.push_str("</tr></tfoot></table>");
    out
}

/// Unit-hours for display: one decimal place more than the amounts, `≈` when that
/// rounded (see [`round_mean`]).
pub fn hours_text(hours: rust_decimal::Decimal, amount_scale: u32) -> String {
    let (rounded, approximate) = round_mean(hours, amount_scale);
    let text = format_amount(rounded);
    if approximate {
        format!("≈{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bec_usage::{ResourceSeries, SummaryDay, SummaryValue, TimeSpan, UsageResponse};
    use chrono::NaiveDate;

    fn point(timestamp_ms: i64, amount: &str) -> DataPoint {
        DataPoint {
            timestamp_ms,
            amount: amount.parse().expect("test decimal"),
        }
    }

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    /// 2024-01-01 08:00 and 09:00 Beijing.
    const T1: i64 = 1_704_067_200_000;
    const T2: i64 = 1_704_070_800_000;

    fn dataset(name: &str, summary: &str) -> Dataset {
        let usage = UsageResponse {
            account_id: "a".into(),
            time_span: TimeSpan {
                begin_date: d("2024-01-01"),
                end_date: d("2024-01-01"),
            },
            resources: vec![ResourceSeries {
                name: name.into(),
                count: 2,
                unit: "核".into(),
                points: vec![point(T1, "17.2"), point(T2, "17.246")],
            }],
            summary: vec![SummaryDay {
                date: d("2024-01-01"),
                values: vec![SummaryValue {
                    resource: name.into(),
                    average: summary.parse().expect("test decimal"),
                }],
            }],
        };
        crate::engine::Analysed::new(usage, d("2024-01-01"), d("2024-01-01"), vec![])
            .expect("analysed")
            .view_drawn(1, 100)
    }

    #[test]
    fn escaping_covers_markup_characters() {
        let escape = |text: &str| {
            let mut out = String::new();
            push_escaped(&mut out, text);
            out
        };
        assert_eq!(
            escape(r#"<b a="1">&'x'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;x&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("核 GB"), "核 GB");
    }

    #[test]
    fn points_tables_list_exact_amounts() {
        let html = points_table(&[point(T1, "17.200")], "GB", Lang::En);
        assert!(html.contains("<td>2024-01-01 08:00</td><td class=\"num\">17.200</td>"));
        assert!(html.contains("Amount (GB)"));
    }

    #[test]
    fn the_daily_table_marks_a_differing_cell() {
        let html = daily_table(&dataset("CPU", "17.3"), &[], Lang::En);
        assert!(html.contains("data-status=\"Differs\""));
        assert!(html.contains(
            "Differs: summary 17.3, recomputed 17.223 from 2 points (difference -0.077)."
        ));
        assert!(html.contains("17.3<sup class=\"mark\" aria-hidden=\"true\">≠</sup>"));
        let matching = daily_table(&dataset("CPU", "17.223"), &[], Lang::En);
        assert!(!matching.contains("data-status"));
        assert!(matching.contains("<td class=\"num\">17.223</td>"));
        // A hidden resource has no column.
        let hidden = daily_table(&dataset("CPU", "17.223"), &["CPU".into()], Lang::En);
        assert!(!hidden.contains("17.223"));
    }

    #[test]
    fn the_daily_table_ends_with_the_unit_hours() {
        // Two hourly points of one series: 17.2 + 17.246 core-hours.
        let html = daily_table(&dataset("CPU", "17.223"), &[], Lang::En);
        assert!(html.contains(
            "<tfoot><tr data-testid=\"totals-row\"><th scope=\"row\">Total (unit-hours)</th>\
             <td class=\"num\">34.446 <small class=\"muted\">core-hours</small></td></tr></tfoot>"
        ));
    }

    #[test]
    fn the_daily_table_escapes_resource_names() {
        let html = daily_table(&dataset("<img src=x>", "17.223"), &[], Lang::En);
        assert!(html.contains("&lt;img src=x&gt;"));
        assert!(!html.contains("<img"));
    }
}
