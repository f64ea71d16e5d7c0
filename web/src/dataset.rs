//! What the page shows of a load (issue 23): per resource its name, unit, statistics and
//! the points drawn at the charts' width; the daily averages reconciled with `summary`;
//! the resource-hours, the forecast and the data-quality notes.
//!
//! The data worker makes it ([`crate::engine::Analysed::view`]) and sends it to the page,
//! the drawn points beside the message as typed arrays; the half a million points it was
//! computed from stay in the worker, which the page asks for more ([`crate::wire::Question`]).
//! It is shared by every view: the charts index into it.

use bec_usage::analysis::{Forecast, Reconciliation, ResourceForecast, SeriesStats, UsageHours};
use bec_usage::quality::QualityNote;
use bec_usage::query::{BEIJING_OFFSET_MS, DAY_MS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::geometry::amount_f64;

/// One series as drawn: times (epoch milliseconds) and amounts, as pixel floats.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drawn {
    /// The times.
    pub xs: Vec<f64>,
    /// The amounts.
    pub ys: Vec<f64>,
}

impl Drawn {
    /// `points` as drawn, every one of them.
    pub fn of(points: &[bec_usage::DataPoint]) -> Drawn {
        Drawn {
            xs: points.iter().map(|p| p.timestamp_ms as f64).collect(),
            ys: points.iter().map(|p| amount_f64(p.amount)).collect(),
        }
    }

    /// The points as (time, amount) pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.xs.iter().copied().zip(self.ys.iter().copied())
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.xs.len().min(self.ys.len())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One resource of a load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceView {
    /// Its name.
    pub name: String,
    /// Its unit as the service wrote it.
    pub unit: String,
    /// How many points it has (in the worker).
    pub count: usize,
    /// Its statistics; `None` without points.
    pub stats: Option<SeriesStats>,
    /// The points drawn (sent beside the message, not through serde).
    #[serde(skip)]
    pub drawn: Drawn,
}

/// What the page shows of a load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The worker's load id: the page's questions about this data name it.
    pub load: u32,
    /// The first day asked for.
    pub begin: NaiveDate,
    /// The last day asked for (inclusive).
    pub end: NaiveDate,
    /// The account id the service named.
    pub account_id: String,
    /// The number of points of all resources.
    pub point_count: usize,
    /// The resources, in the response's order.
    pub resources: Vec<ResourceView>,
    /// The daily averages recomputed from the points, against `summary`.
    pub reconciliation: Reconciliation,
    /// What is sloppy about the response.
    pub notes: Vec<QualityNote>,
    /// The resource-hours of each resource, per day and over the range.
    pub hours: UsageHours,
    /// Each resource's forecast to the end of the last day's month.
    pub forecast: Forecast,
    /// The points each series was drawn at (0: not drawn).
    pub drawn_points: usize,
}

impl Dataset {
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

    /// The period shown, in epoch milliseconds: Beijing midnight of `begin` to Beijing
    /// midnight after `end`.
    pub fn span_ms(&self) -> (i64, i64) {
        span_ms(self.begin, self.end)
    }

    /// The number of days of the period.
    pub fn days(&self) -> i64 {
        (self.end - self.begin).num_days() + 1
    }

    /// The statistics of resource `index`.
    pub fn stats(&self, index: usize) -> Option<&SeriesStats> {
        self.resources.get(index)?.stats.as_ref()
    }

    /// The most decimal places among the extreme and last amounts of resource `index`
    /// (how precise its amounts are, for rounding its mean).
    pub fn amount_scale(&self, index: usize) -> u32 {
        self.stats(index).map_or(0, |s| {
            s.min
                .amount
                .scale()
                .max(s.max.amount.scale())
                .max(s.last.amount.scale())
        })
    }

    /// The smallest and largest amount of resource `index`, as pixels' floats.
    pub fn min_max(&self, index: usize) -> Option<(f64, f64)> {
        let stats = self.stats(index)?;
        Some((amount_f64(stats.min.amount), amount_f64(stats.max.amount)))
    }

    /// The points drawn of resource `index`; empty for an unknown index.
    pub fn drawn(&self, index: usize) -> &Drawn {
        static NONE: Drawn = Drawn {
            xs: Vec::new(),
            ys: Vec::new(),
        };
        self.resources.get(index).map_or(&NONE, |r| &r.drawn)
    }

    /// The index of the resource called `name`.
    pub fn resource_index(&self, name: &str) -> Option<usize> {
        self.resources.iter().position(|r| r.name == name)
    }

    /// Whether no resource has a point.
    pub fn is_empty(&self) -> bool {
        self.point_count == 0
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
        let mut resources: Vec<String> = self.resources.iter().map(|r| r.name.clone()).collect();
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

/// Beijing midnight of `begin` to Beijing midnight after `end`, in epoch milliseconds.
pub fn span_ms(begin: NaiveDate, end: NaiveDate) -> (i64, i64) {
    let midnight = |date: NaiveDate| {
        date.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis())
            - BEIJING_OFFSET_MS
    };
    (midnight(begin), midnight(end) + DAY_MS)
}
