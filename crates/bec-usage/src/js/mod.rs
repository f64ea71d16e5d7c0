//! The JavaScript bindings: what the npm package `bec-usage` exports from WebAssembly.
//!
//! The contract, with its documentation, is `js/index.d.ts`; this module only converts
//! JavaScript values to the core's types and back, and turns [`crate::Error`]s into
//! `BecUsageError` objects (see `errors`). The hand-written JavaScript in `js/*.mjs`
//! re-exports these functions and the `Usage` class unchanged.
//!
//! Exported items carry `//` comments rather than `///` docs on purpose: wasm-bindgen
//! copies doc comments into the generated JavaScript glue, and the glue's size is
//! budgeted; the docs live in `js/index.d.ts`.
//!
//! Building the package's module (BUILD: the commands the npm build script runs):
//!
//! ```sh
//! cargo build -p bec-usage --lib --target wasm32-unknown-unknown --features js --profile wasm-release
//! wasm-bindgen --target web    --weak-refs --no-typescript --out-dir pkg/web  target/wasm32-unknown-unknown/wasm-release/bec_usage.wasm
//! wasm-bindgen --target nodejs --weak-refs --no-typescript --out-dir pkg/node target/wasm32-unknown-unknown/wasm-release/bec_usage.wasm
//! wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
//!     pkg/web/bec_usage_bg.wasm -o pkg/web/bec_usage_bg.wasm   # and the same for pkg/node
//! ```

mod analysis;
mod dates;
mod errors;
mod signing;
mod sys;
mod time;
mod usage;
mod values;

pub use dates::{split_range, validate_range};
pub use errors::parse_service_error;
pub use signing::sign_request;
pub use usage::{merge_usage, parse_usage, Usage};

use wasm_bindgen::prelude::*;

// The allocator: Talc instead of Rust's default dlmalloc, about 7 KB smaller in the module
// (3 KB gzipped) and faster. Without realloc-in-place (a growing vector is moved instead),
// which saves more code; the parser sizes its vectors ahead, so little is reallocated.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// `version()`: the crate version, which the package's `version` constant holds.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
