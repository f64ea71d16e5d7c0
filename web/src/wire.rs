//! The messages between the page and its data worker (issue 23): one enum each way,
//! serialised with serde (serde-wasm-bindgen in the browser), each with a request id. A
//! newer id supersedes an older one: the page drops a late answer, the worker stops work
//! it was told to cancel.
//!
//! The spike covers the Demo source: the worker generates the month with the core's
//! generator, analyses it ([`crate::dataset::Dataset`]), finds the unusual stretches and
//! downsamples every series; the points go beside the message as transferable
//! `Float64Array`s (`xs`, `ys`: one pair per resource), not through serde.

use bec_usage::analysis::{Anomaly, Sensitivity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;

/// The points the worker keeps of each series for the charts (at most): wider than any
/// chart's plot, which downsamples again to its own width.
pub const DRAWN_POINTS: usize = 1_200;

/// What to load: for the spike, the demo month as the page makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPlan {
    /// The first day.
    pub begin: NaiveDate,
    /// The last day (inclusive).
    pub end: NaiveDate,
    /// The generator's seed (a string: a `u64` is not a JavaScript number).
    pub seed: String,
    /// Seconds between points.
    pub step_seconds: u32,
    /// The number of resources.
    pub resources: usize,
    /// The points kept per series.
    pub drawn_points: usize,
    /// The sensitivity to find unusual stretches at.
    pub sensitivity: Sensitivity,
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToWorker {
    /// Load `plan`, answering with id `id`.
    Load {
        /// The request id.
        id: u32,
        /// What to load.
        plan: DemoPlan,
    },
    /// Stop request `id` (the page wants something else); no answer.
    Cancel {
        /// The request id.
        id: u32,
    },
}

/// What the worker made of a load, but for its points (see the module's notes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The analysed data; each series' `points` empty (they are in `xs`/`ys`).
    pub data: Dataset,
    /// The unusual stretches at the plan's sensitivity.
    pub anomalies: Vec<Anomaly>,
    /// Milliseconds the worker took to generate the data.
    pub generate_ms: f64,
    /// Milliseconds it took to analyse, find the stretches and downsample.
    pub analyse_ms: f64,
    /// Of which the resource-hours and the forecast.
    pub usage_ms: f64,
    /// Of which the unusual stretches.
    pub anomalies_ms: f64,
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FromWorker {
    /// The worker is listening (sent once, when its module has started): messages posted
    /// before it would find no handler, so the page holds them until then.
    Ready,
    /// Request `id` is done.
    Loaded {
        /// The request id.
        id: u32,
        /// The answer.
        answer: Box<Answer>,
    },
    /// Request `id` failed.
    Failed {
        /// The request id.
        id: u32,
        /// The core's message.
        message: String,
    },
}

impl FromWorker {
    /// The request id answered.
    pub fn id(&self) -> u32 {
        match self {
            FromWorker::Loaded { id, .. } | FromWorker::Failed { id, .. } => *id,
            FromWorker::Ready => 0,
        }
    }
}
