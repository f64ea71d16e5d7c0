//! The page's side of the data worker (issue 23): starts it (`bec-usage-data_loader.js`,
//! a classic worker from the page's origin, allowed by `worker-src 'self'`), sends it
//! [`ToWorker`] messages and turns its [`FromWorker`] answers into a [`Dataset`] whose
//! series hold the downsampled points the charts draw.
//!
//! One request at a time: a new load cancels the one in flight (`Cancel`), and an answer
//! whose id is not the latest request's is dropped.

use std::cell::{Cell, RefCell};

use bec_usage::DataPoint;
use js_sys::{Array, Float64Array, Function, Promise};
use rust_decimal::Decimal;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, MessageEvent, Worker};

use crate::api::LoadError;
use crate::dataset::Dataset;
use crate::dom;
use crate::wire::{Answer, DemoPlan, FromWorker, ToWorker, ANY_ID, START_ID};
use crate::worker::start_plan;
use bec_usage::analysis::{Anomaly, Sensitivity};

/// The worker's script, relative to the page (trunk names workers without a hash).
const WORKER_URL: &str = "./bec-usage-data_loader.js";

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(START_ID + 1) };
    /// The latest request and the promise's resolve function waiting for its answer.
    static WAITING: RefCell<Option<(u32, Function)>> = const { RefCell::new(None) };
    /// The messages posted before the worker said `Ready`; `None` once it has.
    static HELD: RefCell<Option<Vec<JsValue>>> = const { RefCell::new(Some(Vec::new())) };
    /// The plan the boot script had the worker start on (request [`START_ID`]), until the
    /// page's first load looks at it.
    static STARTED: RefCell<Option<DemoPlan>> = const { RefCell::new(None) };
    /// The unusual stretches of the latest request, once the worker sent them.
    static FOUND: RefCell<Option<(u32, Sensitivity, Vec<Anomaly>)>> = const { RefCell::new(None) };
    /// The request whose stretches the page waits for, and the promise's resolve function.
    static FOUND_WAITING: RefCell<Option<(u32, Function)>> = const { RefCell::new(None) };
    /// The answer to [`START_ID`] when it came before the page's first load asked for it.
    static EARLY: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// What web/boot.js left in `window.__BEC_WORKER__`: the worker it started as the page
/// began, whether it said `Ready`, the messages held until then and those received since.
fn boot_worker() -> Option<JsValue> {
    let boot = js_sys::Reflect::get(&js_sys::global(), &"__BEC_WORKER__".into()).ok()?;
    boot.is_object().then_some(boot)
}

fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn start_failed(message: &str) -> LoadError {
    LoadError::Local {
        message: format!(
            "the data worker did not start (this browser may not allow workers here): {message}"
        ),
    }
}

/// An answer of the worker (or the boot script's record of one).
fn receive(data: JsValue) {
    let kind = field(&data, "type").as_string();
    if kind.as_deref() == Some("Ready") {
        let held = HELD.take().unwrap_or_default();
        if let Some(worker) = WORKER.with_borrow(Clone::clone) {
            for message in held {
                let _ = worker.post_message(&message);
            }
        }
        return;
    }
    let id = field(&data, "id").as_f64().map_or(ANY_ID, |id| id as u32);
    if kind.as_deref() == Some("Found") {
        if let Ok(FromWorker::Found {
            sensitivity,
            anomalies,
            ms,
            ..
        }) = serde_wasm_bindgen::from_value(data)
        {
            dom::set_metric("workerAnomaliesMs", JsValue::from_f64(ms));
            FOUND.set(Some((id, sensitivity, anomalies)));
        }
        let waiting = FOUND_WAITING.with_borrow_mut(|w| {
            if w.as_ref().is_some_and(|(wanted, _)| *wanted == id) {
                w.take()
            } else {
                None
            }
        });
        if let Some((_, resolve)) = waiting {
            let _ = resolve.call0(&JsValue::NULL);
        }
        return;
    }
    if id == ANY_ID {
        // The worker failed: nothing more will be found.
        if let Some((_, resolve)) = FOUND_WAITING.take() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }
    // Only the latest request's answer is taken; a late one is dropped.
    let waiting = WAITING.with_borrow_mut(|w| {
        if w.as_ref()
            .is_some_and(|(latest, _)| *latest == id || id == ANY_ID)
        {
            w.take()
        } else {
            None
        }
    });
    if let Some((_, resolve)) = waiting {
        let _ = resolve.call1(&JsValue::NULL, &data);
    } else if id == START_ID && STARTED.with_borrow(Option::is_some) {
        // The start's answer, before the page's first load: kept for it.
        EARLY.set(Some(data));
    }
}

fn crashed(event: web_sys::Event) {
    // An ErrorEvent (a script or wasm error in the worker) says what; a plain Event (its
    // script did not load) does not.
    let said = field(&event, "message")
        .as_string()
        .filter(|m| !m.is_empty());
    let failed = FromWorker::Failed {
        id: ANY_ID,
        message: match said {
            Some(said) => format!("the data worker failed: {said}"),
            None => "the data worker failed to start or crashed".to_owned(),
        },
    };
    receive(serde_wasm_bindgen::to_value(&failed).unwrap_or(JsValue::NULL));
}

/// The worker web/boot.js started, adopted: its handlers replaced by the page's, what it
/// held and received taken over. `Ok(None)`: no boot script ran (the component tests).
fn adopt() -> Result<Option<Worker>, LoadError> {
    let Some(boot) = boot_worker() else {
        return Ok(None);
    };
    // From now on the page talks to the worker: the boot script no longer posts `Start`.
    let _ = js_sys::Reflect::set(&boot, &"adopted".into(), &JsValue::TRUE);
    if let Some(message) = field(&boot, "failed").as_string() {
        return Err(start_failed(&message));
    }
    let Ok(worker) = field(&boot, "worker").dyn_into::<Worker>() else {
        return Ok(None);
    };
    let ready = field(&boot, "ready").is_truthy();
    let held: Vec<JsValue> = field(&boot, "held")
        .dyn_into::<Array>()
        .map(|held| held.iter().collect())
        .unwrap_or_default();
    HELD.set((!ready).then_some(held));
    let start = field(&boot, "start");
    if start.is_object() {
        let url = field(&start, "url").as_string().unwrap_or_default();
        let now = field(&start, "now").as_f64().unwrap_or_default();
        let health = field(&start, "health").as_string();
        STARTED.set(start_plan(&url, now, health.as_deref()));
    }
    if let Ok(received) = field(&boot, "received").dyn_into::<Array>() {
        for message in received.iter() {
            receive(message);
        }
    }
    Ok(Some(worker))
}

fn worker() -> Result<Worker, LoadError> {
    if let Some(worker) = WORKER.with_borrow(Clone::clone) {
        return Ok(worker);
    }
    let worker = match adopt()? {
        Some(worker) => worker,
        None => Worker::new(WORKER_URL).map_err(|e| start_failed(&js_message(&e)))?,
    };
    let on_message =
        Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| receive(event.data()));
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(crashed);
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_message.forget();
    on_error.forget();
    WORKER.set(Some(worker.clone()));
    Ok(worker)
}

/// Starts the worker now (it compiles its wasm while the page builds its view).
pub fn warm_up() {
    let _ = worker();
}

fn js_message(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn send(worker: &Worker, message: &ToWorker) -> Result<(), LoadError> {
    let value = serde_wasm_bindgen::to_value(message).map_err(|e| LoadError::Local {
        message: e.to_string(),
    })?;
    let held = HELD.with_borrow_mut(|held| match held {
        Some(held) => {
            held.push(value.clone());
            true
        }
        None => false,
    });
    if held {
        return Ok(());
    }
    worker.post_message(&value).map_err(|e| LoadError::Local {
        message: js_message(&e),
    })
}

/// The unusual stretches of request `id` at `sensitivity`, as the worker sends them after
/// the data (it has all the points; the page only the drawn ones). `None`: not at that
/// sensitivity, or no longer coming (a newer request, a crash).
pub async fn anomalies(id: u32, sensitivity: Sensitivity) -> Option<Vec<Anomaly>> {
    let found = |id| {
        FOUND.with_borrow(|f| {
            f.as_ref()
                .filter(|(found, _, _)| *found == id)
                .map(|(_, at, anomalies)| (*at == sensitivity).then(|| anomalies.clone()))
        })
    };
    if let Some(found) = found(id) {
        return found;
    }
    let sent = Promise::new(&mut |resolve, _| {
        if let Some((_, old)) = FOUND_WAITING.replace(Some((id, resolve))) {
            let _ = old.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(sent).await;
    found(id).flatten()
}

/// Loads `plan` in the worker: the data with its analyses, every series downsampled; the
/// unusual stretches at the plan's sensitivity follow ([`anomalies`] of the dataset's
/// `worker_request`).
pub async fn load(plan: DemoPlan, signal: &AbortSignal) -> Result<(Dataset, Answer), LoadError> {
    let worker = worker()?;
    // The first load takes the boot script's start when it is of the same plan; else the
    // start is cancelled (its answer, if any, dropped).
    let started = STARTED.take();
    let adopted = started.as_ref() == Some(&plan);
    let early = EARLY.take();
    if started.is_some() && !adopted {
        let _ = send(&worker, &ToWorker::Cancel { id: START_ID });
    }
    let id = if adopted {
        START_ID
    } else {
        let id = NEXT_ID.get();
        NEXT_ID.set(id + 1);
        id
    };
    let answered = Promise::new(&mut |resolve, _reject| {
        // A newer request supersedes the one waiting: it is cancelled in the worker, and
        // its promise resolves to nothing (the page dropped that load already).
        if let Some((old, old_resolve)) = WAITING.replace(Some((id, resolve.clone()))) {
            let _ = send(&worker, &ToWorker::Cancel { id: old });
            let _ = old_resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
        // The start answered already.
        if let Some(early) = early.clone().filter(|_| adopted) {
            WAITING.set(None);
            let _ = resolve.call1(&JsValue::NULL, &early);
        }
    });
    // An abort (a newer plan of another source) cancels it too.
    let on_abort = Closure::<dyn Fn()>::new({
        let worker = worker.clone();
        move || {
            let cancelled = WAITING.with_borrow_mut(|w| {
                if w.as_ref().is_some_and(|(latest, _)| *latest == id) {
                    w.take()
                } else {
                    None
                }
            });
            if let Some((_, resolve)) = cancelled {
                let _ = send(&worker, &ToWorker::Cancel { id });
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
        }
    });
    signal.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    if !adopted {
        send(
            &worker,
            &ToWorker::Load {
                id,
                plan: plan.clone(),
            },
        )?;
    }
    dom::mark(if adopted {
        "worker-start-adopted"
    } else {
        "worker-load-sent"
    });
    let value = JsFuture::from(answered).await.unwrap_or(JsValue::NULL);
    signal.set_onabort(None);
    drop(on_abort);
    if value.is_null() || signal.aborted() {
        return Err(LoadError::Aborted);
    }
    // The points first: serde reads the rest (it cannot read a Float64Array).
    let xs: Array = js_sys::Reflect::get(&value, &"xs".into())
        .ok()
        .filter(|a| !a.is_undefined())
        .map(JsCast::unchecked_into)
        .unwrap_or_default();
    let ys: Array = js_sys::Reflect::get(&value, &"ys".into())
        .ok()
        .filter(|a| !a.is_undefined())
        .map(JsCast::unchecked_into)
        .unwrap_or_default();
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        let _ = js_sys::Reflect::delete_property(object, &"xs".into());
        let _ = js_sys::Reflect::delete_property(object, &"ys".into());
    }
    let message: FromWorker =
        serde_wasm_bindgen::from_value(value.clone()).map_err(|e| LoadError::Local {
            message: format!("the data worker's answer could not be read: {e}"),
        })?;
    let answer = match message {
        FromWorker::Loaded { answer, .. } => *answer,
        FromWorker::Failed { message, .. } => return Err(LoadError::Local { message }),
        FromWorker::Ready | FromWorker::Found { .. } => return Err(LoadError::Aborted),
    };
    if answer.plan != plan {
        // The start's plan was not the page's after all: load the page's (boxed: async
        // recursion). Only once, since the first load alone can take the start.
        return Box::pin(load(plan, signal)).await;
    }
    let mut data = answer.data.clone();
    for (index, series) in data.response.resources.iter_mut().enumerate() {
        let x = xs
            .get(index as u32)
            .unchecked_into::<Float64Array>()
            .to_vec();
        let y = ys
            .get(index as u32)
            .unchecked_into::<Float64Array>()
            .to_vec();
        series.points = x
            .iter()
            .zip(&y)
            .map(|(t, v)| DataPoint {
                timestamp_ms: *t as i64,
                amount: Decimal::from_f64_retain(*v).unwrap_or_default(),
            })
            .collect();
    }
    // Amounts as exact as the series' own (the floats only carried them).
    for index in 0..data.response.resources.len() {
        let scale = data.amount_scale(index);
        for point in &mut data.response.resources[index].points {
            point.amount = point.amount.round_dp(scale).normalize();
        }
    }
    data.worker_request = Some(id);
    Ok((data, answer))
}
