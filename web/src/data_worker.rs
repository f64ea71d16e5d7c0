//! The page's side of the data worker (issue 23): adopts the worker web/boot.js started
//! (`data-worker.js`, a classic worker from the page's origin, allowed by
//! `worker-src 'self'`), or starts it; sends it [`ToWorker`] messages and turns its
//! [`FromWorker`] answers into [`Dataset`]s and answers to questions.
//!
//! A load of a slot supersedes the slot's older one: the page aborts it (the worker is told
//! to `Cancel`), and an answer nobody waits for is dropped. A worker that does not start
//! or crashes ends every load and question with an error the error panel shows: the page
//! has no second copy of the engine to fall back on.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Float64Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, MessageEvent, MessagePort, Worker};

use crate::dataset::{Dataset, Drawn};
use crate::dom;
use crate::wire::{
    start_plan, FromWorker, LoadError, Plan, Question, Slot, Timings, ToWorker, Told, ANY_ID,
    START_ID,
};
use bec_usage::analysis::Sensitivity;

/// The worker's script, relative to the page (web/data-worker.js; trunk names the worker's
/// files without a hash).
const WORKER_URL: &str = "./data-worker.js";

/// The field of a failure [`fail_all`] writes beside `id` and `error`: whether a new worker
/// may do the load again.
const RESTART: &str = "restart";

/// Where the page's messages go: the data worker, or (component tests only) the engine on
/// the page's thread through a `MessageChannel` ([`use_engine_on_this_thread`]).
#[derive(Clone)]
enum Port {
    Worker(Worker),
    Channel(MessagePort),
}

impl Port {
    fn post(&self, value: &JsValue) -> Result<(), JsValue> {
        match self {
            Port::Worker(worker) => worker.post_message(value),
            Port::Channel(port) => port.post_message(value),
        }
    }
}

/// For the component tests, which have no worker script: the engine runs on this thread,
/// behind a `MessageChannel`, so the views talk to it exactly as to the worker. The page
/// never calls this: a browser whose worker fails shows the error instead.
pub fn use_engine_on_this_thread() {
    if WORKER.with_borrow(Option::is_some) {
        return;
    }
    let Ok(channel) = web_sys::MessageChannel::new() else {
        return;
    };
    crate::worker::serve_on(channel.port2());
    let port = channel.port1();
    let on_message =
        Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| receive(event.data()));
    port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    WORKER.set(Some(Port::Channel(port)));
}

/// What the page does when the data shown went with a crashed worker
/// ([`when_data_lost`]).
type OnLost = Rc<dyn Fn(Option<String>)>;

/// A load waiting for its answer.
struct Waiting {
    id: u32,
    slot: Slot,
    resolve: Function,
    on_progress: Option<Function>,
}

thread_local! {
    static WORKER: RefCell<Option<Port>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(START_ID + 1) };
    /// The loads waiting for an answer.
    static LOADS: RefCell<Vec<Waiting>> = const { RefCell::new(Vec::new()) };
    /// The questions waiting for an answer: their number and the promise's resolve.
    static QUESTIONS: RefCell<Vec<(u32, Function)>> = const { RefCell::new(Vec::new()) };
    static NEXT_QUESTION: Cell<u32> = const { Cell::new(1) };
    /// The messages posted before the worker said `Ready`; `None` once it has.
    static HELD: RefCell<Option<Vec<JsValue>>> = const { RefCell::new(Some(Vec::new())) };
    /// The plan the boot script had the worker start on (load [`START_ID`]), until the
    /// page's first load looks at it.
    static STARTED: RefCell<Option<Plan>> = const { RefCell::new(None) };
    /// The answer to [`START_ID`] when it came before the page's first load asked for it.
    static EARLY: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    /// Whether the boot script's worker was adopted (or found missing): later workers are
    /// the page's own.
    static ADOPTED: Cell<bool> = const { Cell::new(false) };
    /// What the page does when a worker holding the data shown crashed between loads.
    static ON_LOST: RefCell<Option<OnLost>> = const { RefCell::new(None) };
    /// How many times the data shown was loaded again for a crash ([`when_data_lost`]).
    static RELOADS: Cell<u32> = const { Cell::new(0) };
}

/// How many times a page loads the data shown again after a crash before it says so: a
/// worker that crashes each time it is asked something (a bug, not the engine's rare
/// fault) must not reload forever.
const MAX_RELOADS: u32 = 3;

/// How many times a load is asked again in a new worker after the one doing it crashed.
/// JavaScriptCore's fault strikes a fresh module at random, and under load it once struck
/// twice in the same load (the first of a test command's 30 WebKit loads, 2026-12-05);
/// a crash that repeats every time still reaches the error panel after three workers.
const LOAD_RESTARTS: u32 = 2;

/// Has `lost` called when a worker crashes while no load of the data shown is waiting:
/// the data shown went with it (the crosshair, tables and exports ask for it). With
/// `None` the page loads it again in a new worker; after [`MAX_RELOADS`] reloads it is
/// called with the crash's message instead, for the error panel (whose Retry loads again).
pub fn when_data_lost(lost: impl Fn(Option<String>) + 'static) {
    ON_LOST.set(Some(Rc::new(lost)));
}

fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The variant of a message as serde writes an enum (`"Ready"`, `{"Loaded": {...}}`) and
/// its fields.
fn variant(data: &JsValue) -> (String, JsValue) {
    if let Some(unit) = data.as_string() {
        return (unit, JsValue::UNDEFINED);
    }
    let Some(object) = data.dyn_ref::<js_sys::Object>() else {
        return (String::new(), JsValue::UNDEFINED);
    };
    let name = js_sys::Object::keys(object)
        .iter()
        .filter_map(|key| key.as_string())
        .find(|key| !matches!(key.as_str(), "xs" | "ys" | "blob"))
        .unwrap_or_default();
    let fields = field(data, &name);
    (name, fields)
}

/// Ends everything waiting: the worker failed (`message` says how). It is let go; the next
/// load starts a new one. `restart`: it had started, so a load it was doing is tried once
/// more in a new worker ([`load`]) before the error panel says anything.
fn fail_all(message: String, restart: bool) {
    // As the worker would write FromWorker::Failed for no load in particular.
    let error = serde_wasm_bindgen::to_value(&LoadError::Local {
        message: message.clone(),
    })
    .unwrap_or(JsValue::NULL);
    let fields = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&fields, &"id".into(), &JsValue::from(ANY_ID));
    let _ = js_sys::Reflect::set(&fields, &"error".into(), &error);
    let _ = js_sys::Reflect::set(&fields, &RESTART.into(), &JsValue::from(restart));
    let failed = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&failed, &"Failed".into(), &fields);
    if let Some(Port::Worker(worker)) = WORKER.take() {
        worker.terminate();
    }
    HELD.set(Some(Vec::new()));
    let waiting = LOADS.take();
    let reloads_itself = waiting.iter().any(|w| w.slot == Slot::Current);
    for waiting in waiting {
        let _ = waiting.resolve.call1(&JsValue::NULL, &failed);
    }
    for (_, resolve) in QUESTIONS.take() {
        let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
    }
    if restart {
        count_restart();
        if !reloads_itself {
            if let Some(lost) = ON_LOST.with_borrow(Clone::clone) {
                let reloads = RELOADS.get() + 1;
                RELOADS.set(reloads);
                lost((reloads > MAX_RELOADS).then_some(message));
            }
        }
    }
}

/// Counts a worker that crashed after starting, in `__BEC_METRICS__.workerRestarts` (the
/// WebKit checks print it).
fn count_restart() {
    let restarts = dom::metric("workerRestarts").unwrap_or(0.0) + 1.0;
    dom::set_metric("workerRestarts", JsValue::from(restarts));
}

/// A message of the worker (or the boot script's record of one).
fn receive(data: JsValue) {
    let (kind, fields) = variant(&data);
    let id = field(&fields, "id").as_f64().map_or(ANY_ID, |id| id as u32);
    match kind.as_str() {
        "Ready" => {
            let held = HELD.take().unwrap_or_default();
            if let Some(worker) = WORKER.with_borrow(Clone::clone) {
                for message in held {
                    let _ = worker.post(&message);
                }
            }
        }
        "Told" => {
            let q = field(&fields, "q").as_f64().map_or(0, |q| q as u32);
            let waiting = QUESTIONS.with_borrow_mut(|w| {
                let at = w.iter().position(|(number, _)| *number == q)?;
                Some(w.swap_remove(at).1)
            });
            if let Some(resolve) = waiting {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        }
        "Progress" => {
            let on_progress = LOADS.with_borrow(|w| {
                w.iter()
                    .find(|w| w.id == id)
                    .and_then(|w| w.on_progress.clone())
            });
            if let Some(on_progress) = on_progress {
                let _ = on_progress.call2(
                    &JsValue::NULL,
                    &field(&fields, "done"),
                    &field(&fields, "total"),
                );
            }
        }
        _ if id == ANY_ID => {
            // The worker failed: nothing waiting will be answered.
            let message = serde_wasm_bindgen::from_value::<LoadError>(field(&fields, "error"))
                .ok()
                .and_then(|error| match error {
                    LoadError::Local { message } => Some(message),
                    _ => None,
                })
                .unwrap_or_else(|| "the data worker failed".to_owned());
            fail_all(message, true);
        }
        _ => {
            let waiting = LOADS.with_borrow_mut(|w| {
                let at = w.iter().position(|w| w.id == id)?;
                Some(w.swap_remove(at))
            });
            match waiting {
                Some(waiting) => {
                    let _ = waiting.resolve.call1(&JsValue::NULL, &data);
                }
                // The start's answer, before the page's first load asked for it.
                None if id == START_ID && STARTED.with_borrow(Option::is_some) => {
                    EARLY.set(Some(data))
                }
                None => {}
            }
        }
    }
}

fn crashed(event: web_sys::Event) {
    // The page says what happened (a new worker, or the error panel): not the console too.
    event.prevent_default();
    // Only the current worker's: one already let go may still have errors on their way
    // (each question it was asked before it ended can fail), which must not count against
    // the worker that replaced it.
    let from_current = WORKER.with_borrow(|port| match (port, event.target()) {
        (Some(Port::Worker(worker)), Some(target)) => {
            js_sys::Object::is(worker.as_ref(), target.as_ref())
        }
        _ => false,
    });
    if !from_current {
        return;
    }
    // An ErrorEvent (a script or wasm error in the worker) says what; a plain Event (its
    // script did not load) does not.
    let said = field(&event, "message")
        .as_string()
        .filter(|m| !m.is_empty());
    let started = HELD.with_borrow(Option::is_none);
    fail_all(failure_text(said.as_deref(), started), started);
}

/// What the error panel says of a worker that failed: `said`, its error event's message;
/// `started`, whether it had said `Ready`.
fn failure_text(said: Option<&str>, started: bool) -> String {
    match (said, started) {
        (Some(said), true) => format!("the data worker failed: {said}"),
        (Some(said), false) => format!(
            "the data worker did not start (this browser may not allow workers here): {said}"
        ),
        (None, true) => "the data worker stopped".to_owned(),
        (None, false) => {
            "the data worker did not start (this browser may not allow workers here, or its \
             script data-worker.js is missing)"
                .to_owned()
        }
    }
}

/// The worker web/boot.js started, adopted: its handlers replaced by the page's, what it
/// held and received taken over. `Ok(None)`: no boot script ran (the component tests), or
/// its worker crashed after starting (the caller starts a new one).
fn adopt() -> Result<Option<Worker>, LoadError> {
    if ADOPTED.replace(true) {
        return Ok(None);
    }
    let Some(boot) = js_sys::Reflect::get(&js_sys::global(), &"__BEC_WORKER__".into())
        .ok()
        .filter(JsValue::is_object)
    else {
        return Ok(None);
    };
    // From now on the page talks to the worker: the boot script no longer posts `Start`.
    let _ = js_sys::Reflect::set(&boot, &"adopted".into(), &JsValue::TRUE);
    let ready = field(&boot, "ready").is_truthy();
    if let Some(message) = field(&boot, "failed").as_string() {
        if !ready {
            return Err(LoadError::Local {
                message: failure_text(Some(&message), ready),
            });
        }
        // It started, then crashed before the page was up (JavaScriptCore's fault, most
        // likely, in its first load): the page starts a new one, as for a later crash.
        if let Ok(worker) = field(&boot, "worker").dyn_into::<Worker>() {
            worker.terminate();
        }
        count_restart();
        return Ok(None);
    }
    let Ok(worker) = field(&boot, "worker").dyn_into::<Worker>() else {
        return Ok(None);
    };
    let held: Vec<JsValue> = field(&boot, "held")
        .dyn_into::<Array>()
        .map(|held| held.iter().collect())
        .unwrap_or_default();
    HELD.set((!ready).then_some(held));
    let start = field(&field(&boot, "start"), "Start");
    if start.is_object() {
        let url = field(&start, "url").as_string().unwrap_or_default();
        let now = field(&start, "now").as_f64().unwrap_or_default();
        let proxy = match field(&start, "health").as_string() {
            None => crate::proxy_status::ProxyStatus::Checking,
            Some(body) => {
                crate::api::proxy_status_of(Some(body.as_str()).filter(|b| !b.is_empty()))
            }
        };
        STARTED.set(start_plan(&url, now, &proxy));
    }
    if let Ok(received) = field(&boot, "received").dyn_into::<Array>() {
        for message in received.iter() {
            receive(message);
        }
    }
    Ok(Some(worker))
}

fn worker() -> Result<Port, LoadError> {
    if let Some(worker) = WORKER.with_borrow(Clone::clone) {
        return Ok(worker);
    }
    let worker = match adopt()? {
        Some(worker) => worker,
        None => {
            HELD.set(Some(Vec::new()));
            Worker::new(WORKER_URL).map_err(|e| LoadError::Local {
                message: failure_text(Some(&js_message(&e)), false),
            })?
        }
    };
    let on_message =
        Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| receive(event.data()));
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(crashed);
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_message.forget();
    on_error.forget();
    let port = Port::Worker(worker);
    WORKER.set(Some(port.clone()));
    Ok(port)
}

fn js_message(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn send(worker: &Port, message: &ToWorker) -> Result<(), LoadError> {
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
    worker.post(&value).map_err(|e| LoadError::Local {
        message: js_message(&e),
    })
}

/// The typed arrays `xs`/`ys` beside a message, as drawn series.
fn drawn_beside(value: &JsValue) -> Vec<Drawn> {
    let arrays = |name| {
        field(value, name)
            .dyn_into::<Array>()
            .map(|a| {
                a.iter()
                    .map(|a| a.unchecked_into::<Float64Array>().to_vec())
                    .collect()
            })
            .unwrap_or_else(|_| Vec::<Vec<f64>>::new())
    };
    arrays("xs")
        .into_iter()
        .zip(arrays("ys"))
        .map(|(xs, ys)| Drawn { xs, ys })
        .collect()
}

/// Reads a message of the worker, but for what is beside it (serde cannot read a typed
/// array or a Blob: they are taken off first).
fn read(value: &JsValue) -> Result<FromWorker, LoadError> {
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for name in ["xs", "ys", "blob"] {
            let _ = js_sys::Reflect::delete_property(object, &name.into());
        }
    }
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| LoadError::Local {
        message: format!("the data worker's answer could not be read: {e}"),
    })
}

/// Loads `plan` into `slot` in the worker, its series drawn at `points`; the unusual
/// stretches at `sensitivity` are found next (ask for them with [`ask`]).
/// `on_progress(done, total)` hears of the chunks.
///
/// A worker that crashes during the load (a wasm trap: JavaScriptCore's fault of
/// docs/dashboard.md, "WebKit", or a panic) is replaced and the load asked again in the
/// new one, which compiles a fresh module (`__BEC_METRICS__.workerRestarts` counts the
/// crashes), up to [`LOAD_RESTARTS`] times. One crash more, or a worker that never
/// started, goes to the error panel.
pub async fn load(
    plan: Plan,
    slot: Slot,
    points: usize,
    sensitivity: Sensitivity,
    signal: &AbortSignal,
    on_progress: Option<&Function>,
) -> Result<(Dataset, Timings), LoadError> {
    load_in_worker(
        plan,
        slot,
        points,
        sensitivity,
        signal,
        on_progress,
        LOAD_RESTARTS,
    )
    .await
}

async fn load_in_worker(
    plan: Plan,
    slot: Slot,
    points: usize,
    sensitivity: Sensitivity,
    signal: &AbortSignal,
    on_progress: Option<&Function>,
    restarts_left: u32,
) -> Result<(Dataset, Timings), LoadError> {
    let worker = worker()?;
    // The first load of the data shown takes the boot script's start when it is of the
    // same plan; else the start is cancelled (its answer, if any, dropped).
    let (adopted, early) = if slot == Slot::Current {
        let started = STARTED.take();
        let adopted = started.as_ref() == Some(&plan);
        if started.is_some() && !adopted {
            let _ = send(&worker, &ToWorker::Cancel { id: START_ID });
        }
        (adopted, EARLY.take().filter(|_| adopted))
    } else {
        (false, None)
    };
    let id = if adopted {
        START_ID
    } else {
        let id = NEXT_ID.get();
        NEXT_ID.set(id + 1);
        id
    };
    let answered = Promise::new(&mut |resolve, _reject| match &early {
        Some(early) => {
            let _ = resolve.call1(&JsValue::NULL, early);
        }
        None => LOADS.with_borrow_mut(|w| {
            w.push(Waiting {
                id,
                slot,
                resolve,
                on_progress: on_progress.cloned(),
            })
        }),
    });
    // An abort (the page wants something else) cancels it in the worker; its promise
    // resolves to nothing.
    let on_abort = Closure::<dyn Fn()>::new({
        let worker = worker.clone();
        move || {
            let cancelled = LOADS.with_borrow_mut(|w| {
                let at = w.iter().position(|w| w.id == id)?;
                Some(w.swap_remove(at))
            });
            if let Some(cancelled) = cancelled {
                let _ = send(&worker, &ToWorker::Cancel { id });
                let _ = cancelled.resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
        }
    });
    signal.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    if !adopted {
        send(
            &worker,
            &ToWorker::Load {
                id,
                slot,
                plan: plan.clone(),
                points,
                sensitivity,
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
    // The load asked again (boxed: async recursion), by `restarts_left` more crashes.
    let ask_again = |restarts_left| {
        let again = load_in_worker(
            plan.clone(),
            slot,
            points,
            sensitivity,
            signal,
            on_progress,
            restarts_left,
        );
        Box::pin(again)
    };
    if restarts_left > 0 && field(&field(&value, "Failed"), RESTART).is_truthy() {
        return ask_again(restarts_left - 1).await;
    }
    let drawn = drawn_beside(&value);
    let (answered_plan, mut data, timings) = match read(&value)? {
        FromWorker::Loaded {
            plan,
            data,
            timings,
            ..
        } => (plan, *data, timings),
        FromWorker::Failed { error, .. } => return Err(error),
        _ => return Err(LoadError::Aborted),
    };
    if answered_plan != plan {
        // The start's plan was not the page's after all (a worker of another build): load
        // the page's. Only once, since only the first load can take the start.
        return ask_again(restarts_left).await;
    }
    for (resource, drawn) in data.resources.iter_mut().zip(drawn) {
        resource.drawn = drawn;
    }
    Ok((data, timings))
}

/// Asks the worker `question` about load `load`. The answer, with the message it came in
/// (for what is beside it: [`drawn_beside`], a `blob`); [`Told::Gone`] when the worker no
/// longer holds the load or failed.
pub async fn ask(load: u32, question: Question) -> (Told, JsValue) {
    let Ok(worker) = worker() else {
        return (Told::Gone, JsValue::NULL);
    };
    let q = NEXT_QUESTION.get();
    NEXT_QUESTION.set(q.wrapping_add(1));
    let answered = Promise::new(&mut |resolve, _reject| {
        QUESTIONS.with_borrow_mut(|w| w.push((q, resolve)));
    });
    if send(
        &worker,
        &ToWorker::Ask {
            q,
            id: load,
            question,
        },
    )
    .is_err()
    {
        QUESTIONS.with_borrow_mut(|w| w.retain(|(number, _)| *number != q));
        return (Told::Gone, JsValue::NULL);
    }
    let value = JsFuture::from(answered).await.unwrap_or(JsValue::NULL);
    if value.is_null() {
        return (Told::Gone, value);
    }
    let beside = js_sys::Object::new();
    for name in ["xs", "ys", "blob"] {
        let _ = js_sys::Reflect::set(&beside, &name.into(), &field(&value, name));
    }
    match read(&value) {
        Ok(FromWorker::Told { told, .. }) => (told, beside.into()),
        Ok(_) => (Told::Gone, JsValue::NULL),
        Err(error) => (
            Told::Failed {
                message: match error {
                    LoadError::Local { message } => message,
                    _ => "the data worker's answer could not be read".to_owned(),
                },
            },
            JsValue::NULL,
        ),
    }
}

/// Every series of load `load` drawn at `points`; `None` when the worker no longer holds it.
pub async fn drawn(load: u32, points: usize) -> Option<Vec<Drawn>> {
    match ask(load, Question::Drawn { points }).await {
        (Told::Drawn, beside) => Some(drawn_beside(&beside)),
        _ => None,
    }
}
