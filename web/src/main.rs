//! The dashboard's entry point: trunk builds this binary for `wasm32-unknown-unknown`.

// Talc in place of the default dlmalloc: a few kilobytes less wasm, and as fast for the
// page's few large allocations (the series) and many small ones (the views).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    #[cfg(target_arch = "wasm32")]
    bec_usage_web::start();
}
