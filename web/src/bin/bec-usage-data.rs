//! The data worker (issue 23): a second wasm binary, built by trunk with
//! `data-type="worker"` (index.html), that the page starts as a classic worker
//! (`web/data-worker.js`, its entry: the glue, then the module).
//! See `bec_usage_web::worker`.

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    #[cfg(target_arch = "wasm32")]
    bec_usage_web::worker::start();
}
