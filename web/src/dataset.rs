//! A loaded response, ready to show: the points sorted by time, and per resource the
//! exact statistics; the daily averages reconciled with `summary`; the data-quality notes.
//!
//! It is computed once per load, off the reactive graph, and shared by every view: the
//! charts index into it, nothing copies its half a million points.

use bec_usage::analysis::{
    estimate_cost, find_anomalies, forecast, reconcile, series_stats, usage_hours, Anomaly,
    AnomalyOptions, CostEstimate, Forecast, ForecastOptions, PriceSheet, ReconcileOptions,
    Reconciliation, ResourceForecast, Sensitivity, SeriesStats, UsageHours,
};
use bec_usage::json::{parse_price_sheet, write_usage};
use bec_usage::quality::{quality_notes, QualityNote};
use bec_usage::query::beijing_offset;
use bec_usage::{Result, UsageResponse};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::geometry::amount_f64;
use bec_usage::query::{BEIJING_OFFSET_MS, DAY_MS};

/// A response with everything the page shows of it.
///
/// The data worker (src/worker.rs) sends it to the page without its points (which go as
/// typed arrays, downsampled) and with the unusual stretches it found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Dataset {
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
    /// The bodies as received, one per chunk; empty when the data was made in the page.
    pub raw: Vec<String>,
    /// The number of points of all resources.
    pub point_count: usize,
    /// The resource-hours of each resource, per day and over the range.
    pub hours: UsageHours,
    /// Each resource's forecast to the end of the last day's month.
    pub forecast: Forecast,
    /// The unusual stretches the data worker found, at its sensitivity: `anomalies` at
    /// that sensitivity returns them (its points are downsampled, so it cannot look again).
    #[serde(skip)]
    pub found: Option<(Sensitivity, Vec<Anomaly>)>,
    /// The data worker's request that loaded it: it sends the unusual stretches after the
    /// data (`data_worker::anomalies`).
    #[serde(skip)]
    pub worker_request: Option<u32>,
}

impl Dataset {
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
    ) -> Result<Dataset> {
        Dataset::new_timed(response, begin, end, raw, &|| 0.0).map(|(data, _)| data)
    }

    /// [`Dataset::new`], also returning how long the usage analyses (resource-hours and
    /// the forecast) took by `clock` (milliseconds).
    pub fn new_timed(
        response: UsageResponse,
        begin: NaiveDate,
        end: NaiveDate,
        raw: Vec<String>,
        clock: &dyn Fn() -> f64,
    ) -> Result<(Dataset, f64)> {
        Dataset::build(response, begin, end, raw, true, clock)
    }

    /// The previous period, for comparison: it is only drawn beside the data, so its
    /// resource-hours and forecast are left empty rather than computed (about 100 ms of
    /// the page's time for a month of 1-minute data).
    pub fn for_comparison(
        response: UsageResponse,
        begin: NaiveDate,
        end: NaiveDate,
        raw: Vec<String>,
    ) -> Result<Dataset> {
        Dataset::build(response, begin, end, raw, false, &|| 0.0).map(|(data, _)| data)
    }

    fn build(
        mut response: UsageResponse,
        begin: NaiveDate,
        end: NaiveDate,
        raw: Vec<String>,
        with_answers: bool,
        clock: &dyn Fn() -> f64,
    ) -> Result<(Dataset, f64)> {
        // Notes first: they report unsorted series, which sorting would hide.
        let notes = quality_notes(&response, beijing_offset());
        let mut stats = Vec::with_capacity(response.resources.len());
        for series in &mut response.resources {
            sort_by_time(&mut series.points);
            stats.push(series_stats(series)?);
        }
        let reconciliation = reconcile(&response, &ReconcileOptions::default())?;
        let point_count = response.resources.iter().map(|r| r.points.len()).sum();
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
        let data = Dataset {
            begin,
            end,
            response,
            stats,
            reconciliation,
            notes,
            raw,
            point_count,
            hours,
            forecast,
            found: None,
            worker_request: None,
        };
        Ok((data, took))
    }

    /// The forecast of resource `name`, when it has forecast days.
    pub fn forecast_of(&self, name: &str) -> Option<&ResourceForecast> {
        self.forecast
            .resources
            .iter()
            .find(|f| f.resource == name && !f.days.is_empty())
    }

    /// The month the forecast ends in (year, month), when there are forecast days.
    pub fn forecast_month(&self) -> Option<(i32, u32)> {
        use chrono::Datelike;
        let last = self
            .forecast
            .resources
            .iter()
            .filter_map(|f| f.days.last())
            .map(|d| d.date)
            .max()?;
        Some((last.year(), last.month()))
    }

    /// The unusual stretches at `sensitivity`.
    pub fn anomalies(&self, sensitivity: Sensitivity) -> Result<Vec<Anomaly>> {
        if let Some((found_at, found)) = &self.found {
            if *found_at == sensitivity {
                return Ok(found.clone());
            }
        }
        find_anomalies(&self.response, &AnomalyOptions { sensitivity })
    }

    /// The cost of the data under the price sheet `text`; the error is the core's message
    /// (it names the entry at fault).
    pub fn cost(&self, text: &str) -> std::result::Result<(PriceSheet, CostEstimate), String> {
        let sheet = parse_price_sheet(text).map_err(|e| e.message().to_owned())?;
        let estimate = estimate_cost(&self.hours, &sheet).map_err(|e| e.message().to_owned())?;
        Ok((sheet, estimate))
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

    /// The period shown, in epoch milliseconds: Beijing midnight of `begin` to Beijing
    /// midnight after `end`.
    pub fn span_ms(&self) -> (i64, i64) {
        span_ms(self.begin, self.end)
    }

    /// The number of days of the period.
    pub fn days(&self) -> i64 {
        (self.end - self.begin).num_days() + 1
    }

    /// The most decimal places among the extreme and last amounts of resource `index`
    /// (how precise its amounts are, for rounding its mean).
    pub fn amount_scale(&self, index: usize) -> u32 {
        self.stats
            .get(index)
            .and_then(Option::as_ref)
            .map_or(0, |s| {
                s.min
                    .amount
                    .scale()
                    .max(s.max.amount.scale())
                    .max(s.last.amount.scale())
            })
    }

    /// The smallest and largest amount of resource `index`, as pixels' floats.
    pub fn min_max(&self, index: usize) -> Option<(f64, f64)> {
        let stats = self.stats.get(index)?.as_ref()?;
        Some((amount_f64(stats.min.amount), amount_f64(stats.max.amount)))
    }

    /// The points of resource `index`, sorted by time; empty for an unknown index.
    pub fn points(&self, index: usize) -> &[bec_usage::DataPoint] {
        self.response
            .resources
            .get(index)
            .map_or(&[], |r| r.points.as_slice())
    }

    /// The index of the resource called `name`.
    pub fn resource_index(&self, name: &str) -> Option<usize> {
        self.response.resources.iter().position(|r| r.name == name)
    }

    /// Whether no resource has a point.
    pub fn is_empty(&self) -> bool {
        self.point_count == 0
    }

    /// The raw JSON to export: the one body as received; several chunks' bodies as a JSON
    /// array of them, each as received; the service's JSON written from the data when it
    /// was made in the page.
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

/// The reconciliation laid out as the page's daily table: a row per day, a column per
/// resource, each cell the index of its row in [`Reconciliation::rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyGrid {
    /// The days, ascending.
    pub dates: Vec<NaiveDate>,
    /// The resources: the response's, then those only `summary` names.
    pub resources: Vec<String>,
    /// Row-major: the cell of day `d` and resource `r` is at `d * resources.len() + r`.
    cells: Vec<Option<usize>>,
}

impl DailyGrid {
    /// The reconciliation row of day `date_index` and resource `resource_index`.
    pub fn cell(&self, date_index: usize, resource_index: usize) -> Option<usize> {
        if resource_index >= self.resources.len() {
            return None;
        }
        *self
            .cells
            .get(date_index * self.resources.len() + resource_index)?
    }
}

impl Dataset {
    /// The daily table of the reconciliation.
    pub fn daily_grid(&self) -> DailyGrid {
        let rows = &self.reconciliation.rows;
        let mut resources: Vec<String> = self
            .response
            .resources
            .iter()
            .map(|r| r.name.clone())
            .collect();
        let mut dates: Vec<NaiveDate> = Vec::new();
        for row in rows {
            if dates.last() != Some(&row.date) {
                dates.push(row.date);
            }
            if !resources.contains(&row.resource) {
                resources.push(row.resource.clone());
            }
        }
        // Reconciliation rows come ordered by day, so `dates` is sorted without repeats.
        let mut cells = vec![None; dates.len() * resources.len()];
        for (index, row) in rows.iter().enumerate() {
            let (Ok(d), Some(r)) = (
                dates.binary_search(&row.date),
                resources.iter().position(|name| *name == row.resource),
            ) else {
                continue;
            };
            cells[d * resources.len() + r].get_or_insert(index);
        }
        DailyGrid {
            dates,
            resources,
            cells,
        }
    }
}

/// Sorts points by timestamp, stably (equal timestamps keep their order), with the core's
/// one sort; points are almost always sorted already, which one pass checks first.
pub fn sort_by_time(points: &mut [bec_usage::DataPoint]) {
    if points
        .windows(2)
        .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms)
    {
        return;
    }
    bec_usage::sort::sort_by_key(points, |p| p.timestamp_ms);
}

/// Beijing midnight of `begin` to Beijing midnight after `end`, in epoch milliseconds.
pub fn span_ms(begin: NaiveDate, end: NaiveDate) -> (i64, i64) {
    let midnight = |date: NaiveDate| {
        date.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis())
            - BEIJING_OFFSET_MS
    };
    (midnight(begin), midnight(end) + DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bec_usage::analysis::ReconcileStatus;
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
        let data = Dataset::new(
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
        assert_eq!(data.amount_scale(0), 3);
        assert_eq!(data.min_max(0), Some((17.2, 17.246)));
        assert_eq!(data.point_count, 2);
        assert!(data.reconciliation.is_consistent());
        assert!(data
            .notes
            .iter()
            .any(|n| n.kind == bec_usage::quality::QualityNoteKind::UnsortedTimestamps));
    }

    #[test]
    fn a_differing_summary_is_found() {
        let data = Dataset::new(
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
        let data = Dataset::new(usage, d("2024-01-01"), d("2024-01-01"), vec![]).expect("analysed");
        let grid = data.daily_grid();
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
            Dataset::new(
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
        let data = Dataset::new(
            response(vec![], "1"),
            d("2024-01-01"),
            d("2024-01-01"),
            vec![],
        )
        .expect("analysed");
        assert!(data.is_empty());
        assert_eq!(data.stats, vec![None]);
        assert_eq!(data.min_max(0), None);
        assert_eq!(data.amount_scale(0), 0);
        assert_eq!(data.reconciliation.counts().missing_in_data, 1);
    }
}
