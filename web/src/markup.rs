//! Markup built as text: the parts of the page that are many elements but static once
//! drawn (a chart's shapes and axes, the statistics, the data tables), set with
//! `innerHTML`.
//!
//! Why not leptos views: every element of a view is code in the wasm (its own
//! monomorphized build, mount and drop functions), while a string builder is the same
//! small loop whatever it writes. For a few hundred table cells or a dozen axis labels,
//! text is both smaller and faster to render (one parse instead of thousands of DOM calls).
//!
//! Every text that comes from outside (resource names, units, messages) goes through
//! [`escape`]; numbers and dates are written by this crate.

use std::fmt::Write as _;

use bec_usage::analysis::{ReconcileRow, ReconcileStatus, SeriesStats};
use bec_usage::quality::QualityNote;
use bec_usage::DataPoint;

use crate::dataset::Dataset;
use crate::format::{
    format_amount, format_amount_with_unit, format_count, format_date, format_time, round_mean,
};
use crate::geometry::{marker_path, px, series_style, ChartModel, Shape};
use crate::i18n::{fill, unit_label, Lang, T};

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

/// `text`, escaped for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    out
}

/// One button of a group rendered as markup: `data-action` names the group's listener,
/// `data-value` the choice; the state attributes are kept in step by
/// `dom::sync_attribute`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonSpec {
    /// `data-value`.
    pub value: String,
    /// The content, already markup (escape text with [`escape`]).
    pub content: String,
    /// The tooltip (plain text; escaped here).
    pub title: String,
}

/// A group of buttons: `<button type="button" class=CLASS data-action=ACTION
/// data-value=... title=... EXTRA>content</button>` for each spec. `extra` is written
/// as it is (e.g. `role="radio" aria-checked="false"`).
pub fn buttons(class: &str, action: &str, extra: &str, specs: &[ButtonSpec]) -> String {
    let mut out = String::with_capacity(specs.len() * 120);
    for spec in specs {
        let _ = write!(
            out,
            "<button type=\"button\" class=\"{class}\" data-action=\"{action}\" data-value=\""
        );
        push_escaped(&mut out, &spec.value);
        out.push_str("\" title=\"");
        push_escaped(&mut out, &spec.title);
        let _ = write!(out, "\" {extra}>{}</button>", spec.content);
    }
    out
}

/// A labelled text field with the place for its error: `<div class="field">` with a
/// `<label>`, an `<input name=NAME id=ID data-testid=ID>` and `<p id=ID-error>`.
pub fn text_field(id: &str, name: &str, label: &str, input_type: &str, extra: &str) -> String {
    format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label>\
         <input id=\"{id}\" name=\"{name}\" type=\"{input_type}\" data-testid=\"{id}\" \
         autocomplete=\"off\" spellcheck=\"false\" aria-invalid=\"false\" \
         aria-describedby=\"{id}-error\" {extra}>\
         <p class=\"field-error\" id=\"{id}-error\" data-testid=\"{id}-error\"></p></div>",
        escape(label)
    )
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

/// The peak to mark on a chart: where it is drawn and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakMark {
    /// The peak point.
    pub point: DataPoint,
    /// The label (`Peak 123.456`).
    pub label: String,
}

/// Everything drawn of a chart except the crosshair: the grid with its labels, the
/// previous period's line, the area and line of the series, and the peak's marker.
pub fn chart_svg(model: &ChartModel, peak: Option<&PeakMark>, shape: Shape) -> String {
    let frame = model.frame;
    let mut out =
        String::with_capacity(model.line.len() + model.area.len() + model.overlay.len() + 1200);
    let (left, right) = (px(frame.left), px(frame.right));
    let (top, bottom) = (px(frame.top), px(frame.bottom));
    out.push_str("<g class=\"grid\" aria-hidden=\"true\">");
    // Writing to a String cannot fail.
    for tick in &model.value_ticks {
        let y = px(tick.at);
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{y}\" y2=\"{y}\"/>\
             <text class=\"y-label\" x=\"{}\" y=\"{}\">",
            px(frame.left - 8.0),
            px(tick.at + 4.0)
        );
        push_escaped(&mut out, &tick.label);
        out.push_str("</text>");
    }
    for tick in &model.time_ticks {
        let x = px(tick.at);
        let _ = write!(
            out,
            "<line class=\"x-tick\" x1=\"{x}\" x2=\"{x}\" y1=\"{top}\" y2=\"{bottom}\"/>\
             <text class=\"x-label\" x=\"{x}\" y=\"{}\">",
            px(frame.bottom + 17.0)
        );
        push_escaped(&mut out, &tick.label);
        out.push_str("</text>");
    }
    out.push_str("</g>");
    let _ = write!(
        out,
        "<path class=\"overlay\" data-testid=\"overlay\" d=\"{}\"/>\
         <path class=\"area\" d=\"{}\"/>\
         <path class=\"line\" data-testid=\"line\" d=\"{}\"/>",
        model.overlay, model.area, model.line
    );
    if let Some(peak) = peak {
        let (x, y) = model.position(&peak.point);
        let right_half = x > (frame.left + frame.right) / 2.0;
        let (label_x, anchor) = if right_half {
            (x - 9.0, "end")
        } else {
            (x + 9.0, "start")
        };
        let label_y = if y - 8.0 < 12.0 { y + 16.0 } else { y - 8.0 };
        let _ = write!(
            out,
            "<g class=\"peak\" data-testid=\"peak\" data-x=\"{}\" data-y=\"{}\">\
             <path class=\"marker-shape\" d=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">",
            px(x),
            px(y),
            marker_path(shape, x, y, 4.5),
            px(label_x),
            px(label_y)
        );
        push_escaped(&mut out, &peak.label);
        out.push_str("</text></g>");
    }
    out
}

/// The crosshair at (`x`, `y`): a vertical line from `top` to `bottom` and the series'
/// marker on the point.
pub fn crosshair(x: f64, y: f64, top: f64, bottom: f64, shape: Shape) -> String {
    let x = px(x);
    format!(
        "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/>\
         <path class=\"marker-shape\" data-testid=\"crosshair-marker\" d=\"{}\" \
         transform=\"translate({x},{})\"/>",
        px(top),
        px(bottom),
        marker_path(shape, 0.0, 0.0, 5.0),
        px(y)
    )
}

/// A chart's heading: marker, name, unit.
pub fn chart_heading(index: usize, name: &str, unit: &str, lang: Lang) -> String {
    let mut out = marker_svg(index);
    out.push_str("<span class=\"name\">");
    push_escaped(&mut out, name);
    out.push_str("</span><span class=\"unit\">");
    push_escaped(&mut out, unit_label(unit, lang));
    out.push_str("</span>");
    out
}

/// The items of a chart's statistics list (`<dl>`): minimum, mean, maximum, last, each
/// with its time (or the exact mean) as a tooltip. The mean is rounded one place beyond
/// the amounts and marked `≈` when rounding changed it.
pub fn stats_items(stats: &SeriesStats, unit: &str, scale: u32, lang: Lang) -> String {
    let unit = unit_label(unit, lang);
    let (mean, rounded) = round_mean(stats.mean, scale);
    let mean_text = if rounded {
        format!("≈{}", format_amount(mean))
    } else {
        format_amount(stats.mean)
    };
    let mean_title = if rounded {
        fill(
            T::Approximate.get(lang),
            &[("value", &format_amount_with_unit(stats.mean, unit))],
        )
    } else {
        String::new()
    };
    let items = [
        (
            T::Min,
            format_time(stats.min.timestamp_ms),
            format_amount(stats.min.amount),
            "stat-min",
        ),
        (T::Mean, mean_title, mean_text, "stat-mean"),
        (
            T::Max,
            format_time(stats.max.timestamp_ms),
            format_amount(stats.max.amount),
            "stat-max",
        ),
        (
            T::Last,
            format_time(stats.last.timestamp_ms),
            format_amount(stats.last.amount),
            "stat-last",
        ),
    ];
    // The unit after each value, lighter; with the narrow no-break space before it, the
    // text is the same as `format_amount_with_unit` writes.
    let mut unit_markup = String::new();
    if !unit.is_empty() {
        unit_markup.push_str("<span class=\"u\">\u{202F}");
        push_escaped(&mut unit_markup, unit);
        unit_markup.push_str("</span>");
    }
    let mut out = String::with_capacity(600);
    for (label, title, value, testid) in items {
        out.push_str("<div title=\"");
        push_escaped(&mut out, &title);
        out.push_str("\"><dt>");
        out.push_str(label.get(lang));
        let _ = write!(out, "</dt><dd data-testid=\"{testid}\">");
        push_escaped(&mut out, &value);
        out.push_str(&unit_markup);
        out.push_str("</dd></div>");
    }
    out
}

/// The crosshair's readout: the point's time (UTC+08:00) and exact amount with its unit,
/// or, without a point, how to read values.
pub fn readout(point: Option<&DataPoint>, unit: &str, lang: Lang) -> String {
    match point {
        Some(point) => {
            let mut out = format!(
                "<time data-testid=\"readout-time\">{} UTC+08:00</time>\
                 <strong data-testid=\"readout-amount\">",
                format_time(point.timestamp_ms)
            );
            push_escaped(
                &mut out,
                &format_amount_with_unit(point.amount, unit_label(unit, lang)),
            );
            out.push_str("</strong>");
            out
        }
        None => format!(
            "<span class=\"muted\">{}</span>",
            T::CrosshairHint.get(lang)
        ),
    }
}

/// The badge of the change from the previous period: an arrow (hidden from screen
/// readers, which hear the sentence instead), the percentage, and what it is compared
/// with. `change` is `None` when there is nothing to compare.
pub fn change_badge(
    change: Option<rust_decimal::Decimal>,
    previous_days: i64,
    lang: Lang,
) -> String {
    let Some(change) = change else {
        return format!(
            "<span class=\"change none\" data-testid=\"change\">—\
             <span class=\"visually-hidden\"> {}</span></span>",
            T::NoPrevious.get(lang)
        );
    };
    let (class, arrow) = if change.is_zero() {
        ("change flat", "=")
    } else if change.is_sign_negative() {
        ("change down", "▼")
    } else {
        ("change up", "▲")
    };
    let compared = fill(
        T::VsPrevious.get(lang),
        &[("days", &previous_days.to_string())],
    );
    format!(
        "<span class=\"{class}\" data-testid=\"change\" title=\"{compared}\">\
         <span aria-hidden=\"true\">{arrow} </span>{}\
         <span class=\"visually-hidden\"> {compared}</span></span>",
        crate::format::format_percent(change)
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
            .and_then(|i| data.response.resources.get(i))
            .map(|series| unit_label(&series.unit, lang))
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
    out.push_str("</tbody></table>");
    out
}

/// The error panel's content: what failed, the facts (BCE code, message, request id,
/// HTTP status), what to do, the canonical request this page signed when the signature
/// was refused, and a retry button (`data-action="retry"`).
pub fn error_panel(
    title: T,
    facts: &[(T, String, &'static str)],
    hint: T,
    canonical_request: Option<&str>,
    lang: Lang,
) -> String {
    let mut out = format!("<h2>{}</h2><dl class=\"error-facts\">", title.get(lang));
    for (label, value, testid) in facts {
        let _ = write!(
            out,
            "<div><dt>{}</dt><dd><code data-testid=\"{testid}\">",
            label.get(lang)
        );
        push_escaped(&mut out, value);
        out.push_str("</code></dd></div>");
    }
    let _ = write!(out, "</dl><p class=\"hint\">{}</p>", hint.get(lang));
    if let Some(canonical) = canonical_request {
        let _ = write!(
            out,
            "<details class=\"canonical\" open><summary>{}</summary>\
             <pre data-testid=\"canonical-request\">",
            T::ErrCanonical.get(lang)
        );
        push_escaped(&mut out, canonical);
        let _ = write!(
            out,
            "</pre><p class=\"muted\">{}</p></details>",
            T::ErrCanonicalHint.get(lang)
        );
    }
    let _ = write!(
        out,
        "<button class=\"button primary\" type=\"button\" data-testid=\"retry\" \
         data-action=\"retry\" data-value=\"\">{}</button>",
        T::Retry.get(lang)
    );
    out
}

/// The data-quality notes as list items.
pub fn notes_list(notes: &[QualityNote]) -> String {
    let mut out = String::new();
    for note in notes {
        let _ = write!(out, "<li><code>{}</code> ", note.kind.as_str());
        push_escaped(&mut out, &note.message);
        out.push_str("</li>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::chart_model;
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
        Dataset::new(usage, d("2024-01-01"), d("2024-01-01"), vec![]).expect("analysed")
    }

    #[test]
    fn escaping_covers_markup_characters() {
        assert_eq!(
            escape(r#"<b a="1">&'x'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;x&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("核 GB"), "核 GB");
    }

    #[test]
    fn chart_svg_has_axes_paths_and_the_peak() {
        let points = [point(0, "0"), point(500, "10"), point(1_000, "5")];
        let model = chart_model(&points, (0.0, 10.0), None, (0, 1_000), 400.0);
        let peak = PeakMark {
            point: points[1],
            label: "Peak <10>".into(),
        };
        let svg = chart_svg(&model, Some(&peak), Shape::Circle);
        assert!(svg.contains(&format!(
            "class=\"line\" data-testid=\"line\" d=\"{}\"",
            model.line
        )));
        assert!(svg.contains("data-testid=\"peak\" data-x=\"223\" data-y=\"22\""));
        assert!(svg.contains("Peak &lt;10&gt;"));
        assert_eq!(
            svg.matches("class=\"y-label\"").count(),
            model.value_ticks.len()
        );
        assert_eq!(
            svg.matches("class=\"x-label\"").count(),
            model.time_ticks.len()
        );
        assert!(!chart_svg(&model, None, Shape::Circle).contains("peak"));
    }

    #[test]
    fn headings_escape_names_and_translate_units() {
        let heading = chart_heading(0, "<CPU>", "核", Lang::En);
        assert!(heading.contains("&lt;CPU&gt;"));
        assert!(heading.contains(">cores<"));
        assert!(chart_heading(0, "CPU", "核", Lang::Zh).contains(">核<"));
    }

    #[test]
    fn stats_are_exact_and_the_mean_is_marked_when_rounded() {
        let data = dataset("CPU", "17.223");
        let stats = data.stats[0].expect("stats");
        let html = stats_items(&stats, "核", 3, Lang::En);
        assert!(html.contains(
            "data-testid=\"stat-max\">17.246<span class=\"u\">\u{202F}cores</span></dd>"
        ));
        assert!(html.contains("data-testid=\"stat-mean\">17.223<span"));
        // A mean that needs rounding: 1/3.
        let mut third = stats;
        third.mean = rust_decimal::Decimal::ONE / rust_decimal::Decimal::from(3);
        let html = stats_items(&third, "核", 3, Lang::En);
        assert!(html.contains("≈0.3333<span class=\"u\">\u{202F}cores"));
        assert!(html.contains("exact value: 0.3333333333333333333333333333"));
    }

    #[test]
    fn button_groups_carry_their_action_and_escape_values() {
        let html = buttons(
            "chip",
            "resource",
            "aria-pressed=\"true\"",
            &[ButtonSpec {
                value: "a\"b".into(),
                content: "<b>x</b>".into(),
                title: "<t>".into(),
            }],
        );
        assert_eq!(
            html,
            "<button type=\"button\" class=\"chip\" data-action=\"resource\" \
             data-value=\"a&quot;b\" title=\"&lt;t&gt;\" aria-pressed=\"true\"><b>x</b></button>"
        );
    }

    #[test]
    fn error_panels_escape_the_service_text_and_show_the_canonical_request() {
        let html = error_panel(
            T::ErrService,
            &[
                (T::ErrCode, "SignatureDoesNotMatch".into(), "error-code"),
                (T::ErrMessage, "<script>".into(), "error-message"),
            ],
            T::HintSignature,
            Some("GET\n/v1/usage/computing\nbeginDate=2024-01-01&endDate=2024-01-02\nhost:bec.baidubce.com"),
            Lang::En,
        );
        assert!(html.contains("data-testid=\"error-code\">SignatureDoesNotMatch<"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("beginDate=2024-01-01&amp;endDate=2024-01-02"));
        assert!(html.contains("data-action=\"retry\""));
        assert!(
            !error_panel(T::ErrNetwork, &[], T::HintNetwork, None, Lang::En).contains("canonical")
        );
    }

    #[test]
    fn readouts_show_the_exact_amount() {
        let html = readout(Some(&point(T1, "17.200")), "核", Lang::En);
        assert!(html.contains(">2024-01-01 08:00 UTC+08:00</time>"));
        assert!(html.contains(">17.200\u{202F}cores</strong>"));
        assert!(readout(None, "核", Lang::En).contains("←/→"));
    }

    #[test]
    fn change_badges_have_a_direction_without_colour() {
        let html = change_badge(Some("12.34".parse().expect("decimal")), 31, Lang::En);
        assert!(html.starts_with("<span class=\"change up\""));
        assert!(html.contains("▲ </span>+12.3%"));
        assert!(html.contains("vs. the previous 31 days"));
        let html = change_badge(Some("-4".parse().expect("decimal")), 7, Lang::En);
        assert!(html.starts_with("<span class=\"change down\""));
        assert!(html.contains("▼ </span>\u{2212}4.0%"));
        assert!(change_badge(None, 7, Lang::En).starts_with("<span class=\"change none\""));
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
    fn the_daily_table_escapes_resource_names() {
        let html = daily_table(&dataset("<img src=x>", "17.223"), &[], Lang::En);
        assert!(html.contains("&lt;img src=x&gt;"));
        assert!(!html.contains("<img"));
    }
}
