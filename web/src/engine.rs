//! The data worker's engine (issue 23): a loaded response with everything computed from it
//! ([`Analysed`]), and the answers to the page's questions about it. Pure: no I/O, no
//! clock but the one passed in. Only the worker's binary calls it, so the page's wasm
//! holds neither the JSON reader nor the generator nor the analyses (checked by
//! `web/check-ui-symbols.mjs`, suite `ui-symbols`).
//!
//! The page gets a [`Dataset`]: the statistics, the reconciliation, the resource-hours and
//! the forecast, and per resource the points drawn at the charts' width; the half a
//! million points stay here.

use bec_usage::analysis::{
    anomalies_csv, estimate_cost, find_anomalies, forecast, lttb_series, points_csv, reconcile,
    reconciliation_csv, series_stats, usage_hours, Anomaly, AnomalyOptions, CostEstimate,
    DailyExtras, Forecast, ForecastOptions, PriceSheet, ReconcileOptions, Reconciliation,
    Sensitivity, SeriesStats, UsageHours,
};
use bec_usage::json::{parse_price_sheet, write_price_sheet, write_usage};
use bec_usage::quality::{quality_notes, QualityNote};
use bec_usage::query::beijing_offset;
use bec_usage::{DataPoint, Result, UsageResponse};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::dataset::{Dataset, Drawn, ResourceView};
use crate::geometry::nearest_index;
use crate::wire::{CostError, CostView, ExportKind, PointAt};

/// A response with everything the page shows of it, held by the worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysed {
    /// The first day asked for.
    pub begin: NaiveDate,
    /// The last day asked for (inclusive).
    pub end: NaiveDate,
    /// The response; every series' points sorted by timestamp (stable: equal timestamps
    /// keep the service's order).
    pub response: UsageResponse,
    /// The statistics of each resource, in `response.resources` order; `None` for a
    /// resource without points.
    pub stats: Vec<Option<SeriesStats>>,
    /// The daily averages recomputed from the points, against `summary`.
    pub reconciliation: Reconciliation,
    /// What is sloppy about the response.
    pub notes: Vec<QualityNote>,
    /// The bodies as received, one per chunk; empty when the data was generated.
    pub raw: Vec<String>,
    /// The resource-hours of each resource, per day and over the range.
    pub hours: UsageHours,
    /// Each resource's forecast to the end of the last day's month.
    pub forecast: Forecast,
    /// The unusual stretches found so far, per sensitivity.
    found: Vec<(Sensitivity, Vec<Anomaly>)>,
}

impl Analysed {
    /// Analyses `response`, the answer for `begin ..= end` (`raw`: the bodies it was read
    /// from, if any).
    ///
    /// Errors: the core's [`bec_usage::ErrorKind::Overflow`] when an exact sum leaves the
    /// range of a decimal (absurd amounts).
    pub fn new(
        response: UsageResponse,
        begin: NaiveDate,
        end: NaiveDate,
        raw: Vec<String>,
    ) -> Result<Analysed> {
        Analysed::build(response, begin, end, raw, true, &|| 0.0).map(|(data, _)| data)
    }

    /// [`Analysed::new`], also returning how long the usage analyses (resource-hours and
    /// the forecast) took by `clock` (milliseconds).
    pub fn new_timed(
        response: UsageResponse,
        begin: NaiveDate,
        end: NaiveDate,
        raw: Vec<String>,
        clock: &dyn Fn() -> f64,
    ) -> Result<(Analysed, f64)> {
        Analysed::build(response, begin, end, raw, true, clock)
    }

    /// The previous period, for comparison: it is only drawn beside the data, so its
    /// resource-hours and forecast are left empty rather than computed.
    pub fn for_comparison(
        response: UsageResponse,
        begin: NaiveDate,
        end: NaiveDate,
        raw: Vec<String>,
    ) -> Result<Analysed> {
        Analysed::build(response, begin, end, raw, false, &|| 0.0).map(|(data, _)| data)
    }

    fn build(
        mut response: UsageResponse,
        begin: NaiveDate,
        end: NaiveDate,
        raw: Vec<String>,
        with_answers: bool,
        clock: &dyn Fn() -> f64,
    ) -> Result<(Analysed, f64)> {
        // Notes first: they report unsorted series, which sorting would hide.
        let notes = quality_notes(&response, beijing_offset());
        let mut stats = Vec::with_capacity(response.resources.len());
        for series in &mut response.resources {
            sort_by_time(&mut series.points);
            stats.push(series_stats(series)?);
        }
        let reconciliation = reconcile(&response, &ReconcileOptions::default())?;
        let started = clock();
        let (hours, forecast) = if with_answers {
            let hours = usage_hours(&response, beijing_offset())?;
            let forecast = forecast(&hours, &ForecastOptions::default())?;
            (hours, forecast)
        } else {
            let hours = UsageHours {
                offset: beijing_offset(),
                resources: Vec::new(),
            };
            let forecast = Forecast {
                last_day: None,
                resources: Vec::new(),
            };
            (hours, forecast)
        };
        let took = clock() - started;
        let data = Analysed {
            begin,
            end,
            response,
            stats,
            reconciliation,
            notes,
            raw,
            hours,
            forecast,
            found: Vec::new(),
        };
        Ok((data, took))
    }

    /// What the page shows of it, as load `load`: everything but the points, which
    /// [`Analysed::drawn`] gives at a width.
    pub fn view(&self, load: u32) -> Dataset {
        let resources = self
            .response
            .resources
            .iter()
            .zip(&self.stats)
            .map(|(series, stats)| ResourceView {
                name: series.name.clone(),
                unit: series.unit.clone(),
                count: series.points.len(),
                stats: *stats,
                drawn: Drawn::default(),
            })
            .collect();
        Dataset {
            load,
            begin: self.begin,
            end: self.end,
            account_id: self.response.account_id.clone(),
            point_count: self.response.resources.iter().map(|r| r.points.len()).sum(),
            resources,
            reconciliation: self.reconciliation.clone(),
            notes: self.notes.clone(),
            hours: self.hours.clone(),
            forecast: self.forecast.clone(),
            drawn_points: 0,
        }
    }

    /// [`Analysed::view`] with every series drawn at `points`: what the component tests
    /// and native callers use (the worker sends the points beside the view instead).
    pub fn view_drawn(&self, load: u32, points: usize) -> Dataset {
        let mut view = self.view(load);
        for (resource, drawn) in view.resources.iter_mut().zip(self.drawn(points)) {
            resource.drawn = drawn;
        }
        view.drawn_points = points;
        view
    }

    /// Every series downsampled by the core's LTTB to at most `points` (at least 3), its
    /// times and amounts as pixel floats.
    pub fn drawn(&self, points: usize) -> Vec<Drawn> {
        self.response
            .resources
            .iter()
            .map(|series| Drawn::of(&lttb_series(series, points.max(3))))
            .collect()
    }

    /// Resource `resource`'s point `at` (the nearest to a time, or by index), with its
    /// index; `None` for a resource without points or an index beyond them.
    pub fn point(&self, resource: usize, at: PointAt) -> Option<(usize, DataPoint)> {
        let points = &self.response.resources.get(resource)?.points;
        let index = match at {
            PointAt::Time(t) => nearest_index(points, t)?,
            PointAt::Index(index) => index,
        };
        Some((index, *points.get(index)?))
    }

    /// Resource `resource` downsampled to `points`, exact: a chart's data table.
    pub fn table(&self, resource: usize, points: usize) -> Vec<DataPoint> {
        self.response
            .resources
            .get(resource)
            .map(|series| lttb_series(series, points.max(3)))
            .unwrap_or_default()
    }

    /// The unusual stretches at `sensitivity` (found once per sensitivity, then kept).
    pub fn anomalies(&mut self, sensitivity: Sensitivity) -> Result<Vec<Anomaly>> {
        if let Some((_, found)) = self.found.iter().find(|(at, _)| *at == sensitivity) {
            return Ok(found.clone());
        }
        let found = find_anomalies(&self.response, &AnomalyOptions { sensitivity })?;
        self.found.push((sensitivity, found.clone()));
        Ok(found)
    }

    /// The cost under the price sheet `text`, with the sheet as the core writes it and the
    /// month-end forecast cost; `clock` times it.
    pub fn cost(
        &self,
        text: &str,
        clock: &dyn Fn() -> f64,
    ) -> std::result::Result<CostView, CostError> {
        let started = clock();
        let sheet = parse_price_sheet(text).map_err(|e| CostError {
            message: e.message().to_owned(),
            invalid_sheet: true,
        })?;
        let estimate = self.estimate(&sheet).map_err(|message| CostError {
            message,
            invalid_sheet: false,
        })?;
        Ok(CostView {
            sheet: write_price_sheet(&sheet),
            forecast: self.forecast_cost(&sheet),
            estimate,
            ms: clock() - started,
        })
    }

    fn estimate(&self, sheet: &PriceSheet) -> std::result::Result<CostEstimate, String> {
        estimate_cost(&self.hours, sheet).map_err(|e| e.message().to_owned())
    }

    /// The month-end forecast cost (expected, low, high) of the priced resources under
    /// `sheet`; `None` without forecast days or on overflow. Money is exact: each forecast
    /// total (an `f64` estimate) becomes a decimal of 12 significant digits, far more than
    /// the estimate means, so a price tier's boundary is compared with the estimate itself.
    pub fn forecast_cost(&self, sheet: &PriceSheet) -> Option<(Decimal, Decimal, Decimal)> {
        let mut sums = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let mut any = false;
        for f in self
            .forecast
            .resources
            .iter()
            .filter(|f| !f.days.is_empty())
        {
            let Some(price) = sheet.price(&f.resource) else {
                continue;
            };
            any = true;
            let cost = |total: f64| {
                let total = Decimal::from_f64_retain(total)?.round_sf(12)?;
                price.cost_of(Decimal::ZERO, total)
            };
            sums.0 = sums.0.checked_add(cost(f.total.expected)?)?;
            sums.1 = sums.1.checked_add(cost(f.total.low)?)?;
            sums.2 = sums.2.checked_add(cost(f.total.high)?)?;
        }
        any.then_some(sums)
    }

    /// The file `export` of this data: the end of its name, its media type and its text.
    /// `sheet`: the price sheet in use (its cost goes into the daily CSV when it fits);
    /// `sensitivity`: that of the stretches exported.
    pub fn export(
        &mut self,
        export: ExportKind,
        sheet: Option<&str>,
        sensitivity: Sensitivity,
    ) -> Result<(&'static str, &'static str, String)> {
        const CSV: &str = "text/csv;charset=utf-8";
        Ok(match export {
            ExportKind::Series => (
                "_series.csv",
                CSV,
                points_csv(&self.response, beijing_offset())?,
            ),
            ExportKind::Daily => {
                // With a price sheet that fits the data, the cost columns too.
                let cost = sheet
                    .and_then(|text| parse_price_sheet(text).ok())
                    .and_then(|sheet| self.estimate(&sheet).ok());
                let extras = DailyExtras {
                    hours: &self.hours,
                    cost: cost.as_ref(),
                };
                (
                    "_daily.csv",
                    CSV,
                    reconciliation_csv(&self.reconciliation, Some(extras)),
                )
            }
            ExportKind::Anomalies => {
                let found = self.anomalies(sensitivity)?;
                (
                    "_anomalies.csv",
                    CSV,
                    anomalies_csv(&found, beijing_offset())?,
                )
            }
            ExportKind::Json => (".json", "application/json", self.raw_json()),
        })
    }

    /// The raw JSON to export: the one body as received; several chunks' bodies as a JSON
    /// array of them, each as received; the service's JSON written from the data when it
    /// was generated.
    pub fn raw_json(&self) -> String {
        match self.raw.as_slice() {
            [] => write_usage(&self.response),
            [one] => one.clone(),
            many => {
                let mut out =
                    String::with_capacity(many.iter().map(|b| b.len() + 2).sum::<usize>() + 2);
                out.push('[');
                for (index, body) in many.iter().enumerate() {
                    if index > 0 {
                        out.push_str(",\n");
                    }
                    out.push_str(body.trim());
                }
                out.push_str("]\n");
                out
            }
        }
    }
}

/// Sorts points by timestamp, stably (equal timestamps keep their order), with the core's
/// one sort; points are almost always sorted already, which one pass checks first.
pub fn sort_by_time(points: &mut [DataPoint]) {
    if points
        .windows(2)
        .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms)
    {
        return;
    }
    bec_usage::sort::sort_by_key(points, |p| p.timestamp_ms);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::span_ms;
    use bec_usage::analysis::ReconcileStatus;
    use bec_usage::query::DAY_MS;
    use bec_usage::{DataPoint, ResourceSeries, SummaryDay, SummaryValue, TimeSpan};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn point(timestamp_ms: i64, amount: &str) -> DataPoint {
        DataPoint {
            timestamp_ms,
            amount: amount.parse().expect("test decimal"),
        }
    }

    /// 2024-01-01 08:00 and 09:00 Beijing.
    const T1: i64 = 1_704_067_200_000;
    const T2: i64 = 1_704_070_800_000;

    fn response(points: Vec<DataPoint>, summary: &str) -> UsageResponse {
        UsageResponse {
            account_id: "a".into(),
            time_span: TimeSpan {
                begin_date: d("2024-01-01"),
                end_date: d("2024-01-01"),
            },
            resources: vec![ResourceSeries {
                name: "CPU".into(),
                count: points.len() as u64,
                unit: "核".into(),
                points,
            }],
            summary: vec![SummaryDay {
                date: d("2024-01-01"),
                values: vec![SummaryValue {
                    resource: "CPU".into(),
                    average: summary.parse().expect("test decimal"),
                }],
            }],
        }
    }

    #[test]
    fn analyses_and_sorts() {
        let data = Analysed::new(
            response(vec![point(T2, "17.246"), point(T1, "17.2")], "17.223"),
            d("2024-01-01"),
            d("2024-01-01"),
            vec![],
        )
        .expect("analysed");
        let points = &data.response.resources[0].points;
        assert_eq!(points[0].timestamp_ms, T1);
        let stats = data.stats[0].expect("stats");
        assert_eq!(stats.max.amount.to_string(), "17.246");
        assert_eq!(stats.mean.to_string(), "17.223");
        let view = data.view_drawn(1, 10);
        assert_eq!(view.amount_scale(0), 3);
        assert_eq!(view.min_max(0), Some((17.2, 17.246)));
        assert_eq!(view.point_count, 2);
        assert_eq!(view.drawn(0).xs, [T1 as f64, T2 as f64]);
        assert_eq!(view.drawn(0).ys, [17.2, 17.246]);
        assert!(data.reconciliation.is_consistent());
        assert!(data
            .notes
            .iter()
            .any(|n| n.kind == bec_usage::quality::QualityNoteKind::UnsortedTimestamps));
    }

    #[test]
    fn a_differing_summary_is_found() {
        let data = Analysed::new(
            response(vec![point(T1, "17.2"), point(T2, "17.246")], "17.3"),
            d("2024-01-01"),
            d("2024-01-01"),
            vec![],
        )
        .expect("analysed");
        assert_eq!(data.reconciliation.counts().differs, 1);
        assert_eq!(data.reconciliation.rows[0].status, ReconcileStatus::Differs);
    }

    #[test]
    fn the_daily_grid_has_a_cell_per_reconciled_value() {
        let mut usage = response(vec![point(T1, "17.2"), point(T2, "17.246")], "17.3");
        usage.summary[0].values.push(bec_usage::SummaryValue {
            resource: "EIP".into(),
            average: "3".parse().expect("decimal"),
        });
        let data =
            Analysed::new(usage, d("2024-01-01"), d("2024-01-01"), vec![]).expect("analysed");
        let grid = data.view(1).daily_grid();
        assert_eq!(grid.dates, [d("2024-01-01")]);
        assert_eq!(grid.resources, ["CPU", "EIP"]);
        let cpu = grid.cell(0, 0).expect("CPU cell");
        assert_eq!(
            data.reconciliation.rows[cpu].status,
            ReconcileStatus::Differs
        );
        let eip = grid.cell(0, 1).expect("EIP cell");
        assert_eq!(
            data.reconciliation.rows[eip].status,
            ReconcileStatus::MissingInData
        );
        assert_eq!(grid.cell(0, 2), None);
        assert_eq!(grid.cell(1, 0), None);
    }

    #[test]
    fn sorting_by_time_is_stable() {
        let mut points: Vec<DataPoint> = [5, 3, 9, 3, 1, 8, 3, 0, 7]
            .iter()
            .enumerate()
            .map(|(i, t)| point(*t, &i.to_string()))
            .collect();
        let mut expected = points.clone();
        expected.sort_by_key(|p| p.timestamp_ms);
        sort_by_time(&mut points);
        assert_eq!(points, expected);
        let mut one = vec![point(1, "1")];
        sort_by_time(&mut one);
        assert_eq!(one, vec![point(1, "1")]);
    }

    #[test]
    fn span_is_beijing_days() {
        let (start, end) = span_ms(d("2024-01-01"), d("2024-01-01"));
        assert_eq!(start, 1_704_038_400_000); // 2023-12-31T16:00Z
        assert_eq!(end - start, DAY_MS);
    }

    #[test]
    fn raw_json_is_the_bodies_as_received() {
        let make = |raw: Vec<String>| {
            Analysed::new(
                response(vec![point(T1, "1")], "1"),
                d("2024-01-01"),
                d("2024-01-01"),
                raw,
            )
            .expect("analysed")
        };
        assert_eq!(make(vec!["{\"a\":1}".into()]).raw_json(), "{\"a\":1}");
        assert_eq!(
            make(vec!["{\"a\":1}\n".into(), "{\"b\":2}".into()]).raw_json(),
            "[{\"a\":1},\n{\"b\":2}]\n"
        );
        let written = make(vec![]).raw_json();
        assert_eq!(
            bec_usage::json::parse_usage(&written).expect("valid JSON"),
            make(vec![]).response
        );
    }

    #[test]
    fn empty_resources_have_no_stats() {
        let data = Analysed::new(
            response(vec![], "1"),
            d("2024-01-01"),
            d("2024-01-01"),
            vec![],
        )
        .expect("analysed");
        let view = data.view(1);
        assert!(view.is_empty());
        assert_eq!(data.stats, vec![None]);
        assert_eq!(view.min_max(0), None);
        assert_eq!(view.amount_scale(0), 0);
        assert_eq!(data.reconciliation.counts().missing_in_data, 1);
    }
}
