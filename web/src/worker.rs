//! The data worker's side (issue 23): answers [`ToWorker`] messages with [`FromWorker`]
//! ones. It loads (the demo generator, the proxy, keys: [`crate::fetch`]), analyses
//! ([`Analysed`]), keeps the data of the page's two slots (the data shown and the
//! previous period) and answers the page's questions about them. Points go to the page
//! as transferable `Float64Array`s, exports as `Blob`s.

use std::cell::RefCell;

use bec_usage::analysis::Sensitivity;
use js_sys::{Array, Float64Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{AbortController, DedicatedWorkerGlobalScope, MessageEvent, MessagePort};

use crate::dataset::Drawn;
use crate::engine::Analysed;
use crate::proxy_status::ProxyStatus;
use crate::state::ViewState;
use crate::wire::{
    drawn_points, main_width_of_viewport, query_of, start_plan, FromWorker, LoadError, Plan,
    Question, Slot, Timings, ToWorker, Told, ANY_ID, START_ID,
};

/// A load's data, kept for the page's questions.
struct Held {
    id: u32,
    data: Analysed,
}

/// A load in progress.
struct InFlight {
    id: u32,
    controller: AbortController,
}

/// Where the engine's messages go: the worker's scope (to the page), or, for the
/// component tests, one end of a `MessageChannel` whose other end the page holds.
#[derive(Clone)]
enum Port {
    Scope(DedicatedWorkerGlobalScope),
    Channel(MessagePort),
}

impl Port {
    fn post(&self, value: &JsValue, transfer: &Array) {
        let _ = match self {
            Port::Scope(scope) => scope.post_message_with_transfer(value, transfer),
            Port::Channel(port) => port.post_message_with_transferable(value, transfer),
        };
    }
}

thread_local! {
    /// Where to post.
    static PORT: RefCell<Option<Port>> = const { RefCell::new(None) };
    /// The data of each slot (current, previous).
    static HELD: RefCell<[Option<Held>; 2]> = const { RefCell::new([None, None]) };
    /// The load in progress of each slot.
    static IN_FLIGHT: RefCell<[Option<InFlight>; 2]> = const { RefCell::new([None, None]) };
}

fn index(slot: Slot) -> usize {
    match slot {
        Slot::Current => 0,
        Slot::Previous => 1,
    }
}

fn now() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Whether load `id` is still the one wanted in `slot`.
fn wanted(slot: Slot, id: u32) -> bool {
    IN_FLIGHT.with_borrow(|f| f[index(slot)].as_ref().is_some_and(|f| f.id == id))
}

/// Starts answering the page's messages, in the data worker.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    serve(Port::Scope(scope));
}

/// Starts the engine on the page's thread, answering on `port` (one end of a
/// `MessageChannel`): for the component tests only, which have no worker script to load.
/// The page itself never does this (see the module's notes in `data_worker`).
pub fn serve_on(port: MessagePort) {
    serve(Port::Channel(port));
}

fn serve(port: Port) {
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        match serde_wasm_bindgen::from_value::<ToWorker>(event.data()) {
            Ok(ToWorker::Start {
                url,
                now,
                health,
                width,
            }) => {
                let proxy = match health.as_deref() {
                    None => ProxyStatus::Checking,
                    Some(body) => crate::api::proxy_status_of(Some(body).filter(|b| !b.is_empty())),
                };
                if let Some(plan) = start_plan(&url, now, &proxy) {
                    let sensitivity = ViewState::from_query(query_of(&url)).sensitivity;
                    let points = drawn_points(main_width_of_viewport(width));
                    begin(START_ID, Slot::Current, plan, points, sensitivity);
                }
            }
            Ok(ToWorker::Load {
                id,
                slot,
                plan,
                points,
                sensitivity,
            }) => begin(id, slot, plan, points, sensitivity),
            Ok(ToWorker::Cancel { id }) => cancel(id),
            Ok(ToWorker::Ask { q, id, question }) => answer(q, id, question),
            // A message the worker does not know: the page and the worker are of two builds.
            Err(error) => post(
                &FromWorker::Failed {
                    id: ANY_ID,
                    error: LoadError::Local {
                        message: format!("the data worker could not read a message: {error}"),
                    },
                },
                &[],
            ),
        }
    });
    match &port {
        Port::Scope(scope) => scope.set_onmessage(Some(on_message.as_ref().unchecked_ref())),
        Port::Channel(channel) => channel.set_onmessage(Some(on_message.as_ref().unchecked_ref())),
    }
    on_message.forget();
    PORT.set(Some(port));
    post(&FromWorker::Ready, &[]);
}

/// Posts `message` with `beside` set on it (typed arrays, whose buffers are transferred,
/// or a Blob).
fn post(message: &FromWorker, beside: &[(&str, JsValue)]) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = match serde::Serialize::serialize(message, &serializer) {
        Ok(value) => value,
        Err(error) => {
            let failed = FromWorker::Failed {
                id: message.id(),
                error: LoadError::Local {
                    message: format!("the data worker could not write its answer: {error}"),
                },
            };
            serde::Serialize::serialize(&failed, &serializer).unwrap_or(JsValue::NULL)
        }
    };
    let transfer = Array::new();
    for (name, extra) in beside {
        if let Ok(arrays) = extra.clone().dyn_into::<Array>() {
            for array in arrays.iter() {
                transfer.push(&array.unchecked_into::<Float64Array>().buffer());
            }
        }
        let _ = js_sys::Reflect::set(&value, &(*name).into(), extra);
    }
    if let Some(port) = PORT.with_borrow(Clone::clone) {
        port.post(&value, &transfer);
    }
}

/// The drawn series as the two arrays of typed arrays posted beside a message.
fn arrays(drawn: Vec<Drawn>) -> [(&'static str, JsValue); 2] {
    let xs = Array::new();
    let ys = Array::new();
    for series in drawn {
        xs.push(&Float64Array::from(series.xs.as_slice()));
        ys.push(&Float64Array::from(series.ys.as_slice()));
    }
    [("xs", xs.into()), ("ys", ys.into())]
}

fn begin(id: u32, slot: Slot, plan: Plan, points: usize, sensitivity: Sensitivity) {
    let Ok(controller) = AbortController::new() else {
        return;
    };
    let signal = controller.signal();
    let replaced =
        IN_FLIGHT.with_borrow_mut(|f| f[index(slot)].replace(InFlight { id, controller }));
    if let Some(old) = replaced {
        old.controller.abort();
    }
    spawn_local(async move {
        load(id, slot, plan, points, sensitivity, signal).await;
        IN_FLIGHT.with_borrow_mut(|f| {
            if f[index(slot)].as_ref().is_some_and(|f| f.id == id) {
                f[index(slot)] = None;
            }
        });
    });
}

/// Holds `data` as load `id` of `slot`, as if the worker had loaded it, and returns what
/// the page shows of it drawn at `points`: for the component tests, which mount views of
/// data made in the test.
pub fn hold(id: u32, slot: Slot, data: Analysed, points: usize) -> crate::dataset::Dataset {
    let view = data.view_drawn(id, points);
    HELD.with_borrow_mut(|held| held[index(slot)] = Some(Held { id, data }));
    view
}

fn cancel(id: u32) {
    let cancelled = IN_FLIGHT.with_borrow_mut(|f| {
        f.iter_mut()
            .find(|f| f.as_ref().is_some_and(|f| f.id == id))
            .and_then(Option::take)
    });
    if let Some(cancelled) = cancelled {
        cancelled.controller.abort();
    }
}

async fn load(
    id: u32,
    slot: Slot,
    plan: Plan,
    points: usize,
    sensitivity: Sensitivity,
    signal: web_sys::AbortSignal,
) {
    let started = now();
    let on_progress = |done, total| post(&FromWorker::Progress { id, done, total }, &[]);
    let loaded = crate::fetch::load_range(&plan, &signal, &on_progress).await;
    if !wanted(slot, id) {
        return;
    }
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return post(&FromWorker::Failed { id, error }, &[]),
    };
    let fetched = now();
    let discarded_runs = loaded.discarded_runs;
    let analysed = match slot {
        Slot::Current => {
            Analysed::new_timed(loaded.response, plan.begin, plan.end, loaded.raw, &now)
        }
        Slot::Previous => {
            Analysed::for_comparison(loaded.response, plan.begin, plan.end, loaded.raw)
                .map(|data| (data, 0.0))
        }
    };
    let (data, usage_ms) = match analysed {
        Ok(analysed) => analysed,
        Err(error) => {
            let error = LoadError::Local {
                message: error.message().to_owned(),
            };
            return post(&FromWorker::Failed { id, error }, &[]);
        }
    };
    let mut view = data.view(id);
    view.drawn_points = points;
    let beside = arrays(data.drawn(points));
    let timings = Timings {
        fetch_ms: fetched - started,
        analyse_ms: now() - fetched,
        usage_ms,
        discarded_runs,
    };
    // The older data of the slot goes: questions about it are answered `Gone`.
    HELD.with_borrow_mut(|held| held[index(slot)] = Some(Held { id, data }));
    post(
        &FromWorker::Loaded {
            id,
            plan,
            data: Box::new(view),
            timings,
        },
        &beside,
    );
    // Then the unusual stretches at the sensitivity of the moment, while the page draws:
    // its question for them is answered from what is found here.
    if slot == Slot::Current {
        HELD.with_borrow_mut(|held| {
            if let Some(held) = held[0].as_mut().filter(|h| h.id == id) {
                let _ = held.data.anomalies(sensitivity);
            }
        });
    }
}

/// Answers question `q` about load `id`.
fn answer(q: u32, id: u32, question: Question) {
    let mut beside: Vec<(&str, JsValue)> = Vec::new();
    let told = HELD.with_borrow_mut(|held| {
        let Some(Held { data, .. }) = held.iter_mut().flatten().find(|h| h.id == id) else {
            return Told::Gone;
        };
        match question {
            Question::Drawn { points } => {
                beside.extend(arrays(data.drawn(points)));
                Told::Drawn
            }
            Question::Point { resource, at } => Told::Point {
                point: data.point(resource, at),
            },
            Question::Table { resource, points } => Told::Table {
                points: data.table(resource, points),
            },
            Question::Anomalies { sensitivity } => {
                let started = now();
                match data.anomalies(sensitivity) {
                    Ok(anomalies) => Told::Anomalies {
                        anomalies,
                        ms: now() - started,
                    },
                    Err(error) => Told::Failed {
                        message: error.message().to_owned(),
                    },
                }
            }
            Question::Cost { sheet } => Told::Cost {
                cost: data.cost(&sheet, &now),
            },
            Question::Export {
                export,
                sheet,
                sensitivity,
            } => match data.export(export, sheet.as_deref(), sensitivity) {
                Ok((suffix, media_type, text)) => match blob(&text, media_type) {
                    Ok(blob) => {
                        beside.push(("blob", blob));
                        Told::Export {
                            suffix: suffix.to_owned(),
                        }
                    }
                    Err(message) => Told::Failed { message },
                },
                Err(error) => Told::Failed {
                    message: error.message().to_owned(),
                },
            },
        }
    });
    post(&FromWorker::Told { q, told }, &beside);
}

/// `text` as a Blob of `media_type`.
fn blob(text: &str, media_type: &str) -> Result<JsValue, String> {
    let parts = Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map(Into::into)
        .map_err(|_| "the data worker could not make the file".to_owned())
}
