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
//! Building the package's module (the npm build script, `scripts/build-npm.sh`, runs these):
//!
//! ```sh
//! cargo build -p bec-usage --lib --target wasm32-unknown-unknown --features js --profile wasm-release
//! WASM=target/wasm32-unknown-unknown/wasm-release/bec_usage.wasm
//! wasm-bindgen --target web    --weak-refs --no-typescript --out-dir pkg/web  "$WASM"
//! wasm-bindgen --target nodejs --weak-refs --no-typescript --out-dir pkg/node "$WASM"
//! # wasm-opt from npm binaryen@132 (never Debian's binaryen, which miscompiles this output);
//! # the --enable flags name the features wasm-bindgen's output uses.
//! wasm-opt -Oz --low-memory-unused --converge --strip-debug --strip-producers \
//!     --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
//!     --enable-mutable-globals pkg/web/bec_usage_bg.wasm -o pkg/web/bec_usage_bg.wasm
//! ```
//!
//! The `wasm-release` profile (root `Cargo.toml`) is `release` with `opt-level = "z"` and
//! `panic = "abort"`: the module is about 9% smaller gzipped than with `"s"` (and 20% than
//! with 3), and still parses a month of minute data faster than `JSON.parse`. Only `sha2`
//! is compiled at `opt-level = 3` (SHA-256 is most of a signature's time). On wasm32 the
//! crate also uses the Talc allocator (see `Cargo.toml`).

mod analysis;
mod costs;
mod dates;
mod errors;
mod fetch_plan;
mod signing;
mod sys;
mod time;
mod usage;
mod values;

pub use costs::{parse_price_sheet, round_money_text, write_price_sheet_text};
pub use dates::{split_range, validate_range};
pub use errors::parse_service_error;
pub use fetch_plan::{clock_offset_ms, error_hint, plan_range, FetchAttempts};
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
