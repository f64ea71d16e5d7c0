//! The data worker's side (issue 23): answers [`ToWorker`] messages with [`FromWorker`]
//! ones. For the spike, only the demo plan: the core's generator, chunk by chunk as the
//! page did (yielding between chunks, so that a `Cancel` or a newer `Load` is seen), the
//! analyses of [`Dataset`], the unusual stretches, and each series downsampled by the
//! core's LTTB, its points posted as transferable `Float64Array`s.

use std::cell::Cell;

use bec_usage::analysis::lttb_series;
use bec_usage::fetch_plan::{merge_parts, plan_range};
use bec_usage::synthetic::{generate, SyntheticOptions};
use bec_usage::DataPoint;
use js_sys::{Array, Float64Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::dataset::Dataset;
use crate::geometry::amount_f64;
use crate::wire::{Answer, DemoPlan, FromWorker, ToWorker, ANY_ID, START_ID};

thread_local! {
    /// The request being worked on; `None` once cancelled.
    static CURRENT: Cell<Option<u32>> = const { Cell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Resolves on the next turn of the worker's event loop (messages are handled meanwhile).
async fn next_turn() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(promise).await;
}

fn wanted(id: u32) -> bool {
    CURRENT.get() == Some(id)
}

/// The plan of the boot script's [`ToWorker::Start`]: the page's URL and boot time, and
/// `/healthz`'s answer when the URL names no source. The page works its first plan out
/// with this function too ([`crate::data_worker`]), and takes the worker's answer to the
/// start when its own plan is the same.
pub fn start_plan(url: &str, now: f64, health: Option<&str>) -> Option<DemoPlan> {
    let default_source = health.and_then(|body| {
        crate::api::proxy_status_of(Some(body).filter(|b| !b.is_empty())).default_source()
    });
    DemoPlan::at_start(url, now as i64, default_source)
}

/// Starts answering the page's messages.
pub fn start() {
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<ToWorker>(event.data()) {
            Ok(ToWorker::Start { url, now, health }) => {
                if let Some(plan) = start_plan(&url, now, health.as_deref()) {
                    CURRENT.set(Some(START_ID));
                    spawn_local(async move { load(START_ID, plan).await });
                }
            }
            Ok(ToWorker::Load { id, plan }) => {
                CURRENT.set(Some(id));
                spawn_local(async move { load(id, plan).await });
            }
            Ok(ToWorker::Cancel { id }) => {
                if wanted(id) {
                    CURRENT.set(None);
                }
            }
            // A message the worker does not know: the page and the worker are of two builds.
            Err(error) => post(
                &FromWorker::Failed {
                    id: ANY_ID,
                    message: format!("the data worker could not read a message: {error}"),
                },
                None,
            ),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Ready, None);
}

fn post(message: &FromWorker, points: Option<(Array, Array)>) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = match serde::Serialize::serialize(message, &serializer) {
        Ok(value) => value,
        Err(error) => {
            let failed = FromWorker::Failed {
                id: message.id(),
                message: format!("the data worker could not write its answer: {error}"),
            };
            serde::Serialize::serialize(&failed, &serializer).unwrap_or(JsValue::NULL)
        }
    };
    let transfer = Array::new();
    if let Some((xs, ys)) = points {
        for array in xs.iter().chain(ys.iter()) {
            transfer.push(&array.unchecked_into::<Float64Array>().buffer());
        }
        let _ = js_sys::Reflect::set(&value, &"xs".into(), &xs);
        let _ = js_sys::Reflect::set(&value, &"ys".into(), &ys);
    }
    let _ = scope().post_message_with_transfer(&value, &transfer);
}

async fn load(id: u32, plan: DemoPlan) {
    match work(id, &plan).await {
        Ok(Some((answer, xs, ys, kept))) => {
            let mut data = answer.data.clone();
            post(
                &FromWorker::Loaded {
                    id,
                    answer: Box::new(answer),
                },
                Some((xs, ys)),
            );
            // Then the unusual stretches, in all the points (the page draws meanwhile).
            for (series, points) in data.response.resources.iter_mut().zip(kept) {
                series.points = points;
            }
            next_turn().await;
            if wanted(id) {
                let started = now();
                let anomalies = data.anomalies(plan.sensitivity).unwrap_or_default();
                let ms = now() - started;
                let sensitivity = plan.sensitivity;
                post(
                    &FromWorker::Found {
                        id,
                        sensitivity,
                        anomalies,
                        ms,
                    },
                    None,
                );
            }
        }
        // Cancelled: the page no longer waits for it.
        Ok(None) => {}
        Err(message) => post(&FromWorker::Failed { id, message }, None),
    }
    if wanted(id) {
        CURRENT.set(None);
    }
}

/// The answer, its points (`xs`, `ys`), and every series' points, kept for the anomalies.
type Work = Option<(Answer, Array, Array, Vec<Vec<DataPoint>>)>;

async fn work(id: u32, plan: &DemoPlan) -> Result<Work, String> {
    let started = now();
    let seed: u64 = plan
        .seed
        .parse()
        .map_err(|_| format!("bad seed {}", plan.seed))?;
    let chunks = plan_range(plan.begin, plan.end).map_err(|e| e.message().to_owned())?;
    let mut parts = Vec::with_capacity(chunks.len());
    for chunk in &chunks {
        next_turn().await;
        if !wanted(id) {
            return Ok(None);
        }
        let options = SyntheticOptions::new(chunk.begin_date(), chunk.end_date())
            .with_seed(seed)
            .with_step_seconds(plan.step_seconds)
            .with_resource_count(plan.resources);
        parts.push(generate(&options).map_err(|e| e.message().to_owned())?);
    }
    let response = merge_parts(parts).map_err(|e| e.message().to_owned())?;
    let generated = now();
    next_turn().await;
    if !wanted(id) {
        return Ok(None);
    }
    let (mut data, usage_ms) = Dataset::new_timed(response, plan.begin, plan.end, vec![], &now)
        .map_err(|e| e.message().to_owned())?;
    let mut kept = Vec::with_capacity(data.response.resources.len());
    let xs = Array::new();
    let ys = Array::new();
    for series in &mut data.response.resources {
        let drawn = lttb_series(series, plan.drawn_points.max(3));
        let x: Vec<f64> = drawn.iter().map(|p| p.timestamp_ms as f64).collect();
        let y: Vec<f64> = drawn.iter().map(|p| amount_f64(p.amount)).collect();
        xs.push(&Float64Array::from(x.as_slice()));
        ys.push(&Float64Array::from(y.as_slice()));
        kept.push(std::mem::take(&mut series.points));
    }
    let answer = Answer {
        plan: plan.clone(),
        data,
        anomalies: Vec::new(),
        generate_ms: generated - started,
        analyse_ms: now() - generated,
        usage_ms,
        anomalies_ms: 0.0,
    };
    Ok(Some((answer, xs, ys, kept)))
}
