//! The few JavaScript built-ins the bindings call.
//!
//! Declared here rather than taken from `js-sys`: linking `js-sys` at all brings its
//! futures runtime (wakers and a family of closure shims reachable through the function
//! table) into the module, about 4 KB that nothing here uses, against a size budget.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A plain object, read and written by key.
    pub(crate) type Fields;

    /// `this[key] = value`.
    #[wasm_bindgen(method, structural, indexing_setter)]
    pub(crate) fn set(this: &Fields, key: &str, value: &JsValue);

    /// `this[key]`.
    #[wasm_bindgen(method, structural, indexing_getter)]
    pub(crate) fn get(this: &Fields, key: &str) -> JsValue;

    /// `this[key]`, the key a JavaScript string made once (see `signing::Keys`).
    #[wasm_bindgen(method, structural, indexing_getter)]
    pub(crate) fn get_by(this: &Fields, key: &JsValue) -> JsValue;

    /// `this[key] = value`, the key a JavaScript string made once.
    #[wasm_bindgen(method, structural, indexing_setter)]
    pub(crate) fn set_by(this: &Fields, key: &JsValue, value: &JsValue);

    /// `new Object()`: an empty plain object.
    #[wasm_bindgen(constructor, js_class = "Object")]
    pub(crate) fn new() -> Fields;

    /// `Object.entries(object)`: `[key, value]` pairs of own enumerable properties.
    #[wasm_bindgen(js_namespace = Object, js_name = entries)]
    pub(crate) fn entries(object: &JsValue) -> Array;

    /// `Reflect.get(target, key)`, with what it throws caught.
    #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
    pub(crate) fn reflect_get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;

    /// An array.
    pub(crate) type Array;

    /// `this.length`.
    #[wasm_bindgen(method, structural, getter)]
    pub(crate) fn length(this: &Array) -> u32;

    /// `this[index]`.
    #[wasm_bindgen(method, structural, indexing_getter)]
    pub(crate) fn at(this: &Array, index: u32) -> JsValue;

    /// `new Array()`: an empty array.
    #[wasm_bindgen(constructor, js_class = "Array")]
    pub(crate) fn new() -> Array;

    /// `this.push(value)`.
    #[wasm_bindgen(method)]
    pub(crate) fn push(this: &Array, value: &JsValue) -> u32;

    /// `Array.isArray(value)`.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray)]
    pub(crate) fn is_array(value: &JsValue) -> bool;

    /// A `Float64Array`.
    pub(crate) type Float64Array;

    /// `new Float64Array(values)`: a copy, owned by JavaScript.
    #[wasm_bindgen(constructor)]
    pub(crate) fn new(values: &[f64]) -> Float64Array;

    /// An `Error`.
    #[wasm_bindgen(js_name = Error, extends = Fields)]
    pub(crate) type ErrorObject;

    /// `new Error(message)`.
    #[wasm_bindgen(constructor, js_class = "Error")]
    pub(crate) fn new(message: &str) -> ErrorObject;

    /// A `Uint8Array`.
    #[wasm_bindgen(js_name = Uint8Array)]
    pub(crate) type Uint8Array;

    /// `this.length`.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn length(this: &Uint8Array) -> u32;

    /// `Uint8Array.prototype.set.call(target, source)`: copies `source` into `target`,
    /// which JavaScript sees as a view of WebAssembly memory.
    #[wasm_bindgen(js_namespace = ["Uint8Array", "prototype", "set"], js_name = call)]
    pub(crate) fn copy_bytes(target: &mut [u8], source: &Uint8Array);

    /// A `Date` (`dyn_ref` checks `instanceof Date`).
    pub(crate) type Date;

    /// `this.getTime()`: epoch milliseconds, `NaN` for an invalid date.
    #[wasm_bindgen(method, js_name = getTime)]
    pub(crate) fn get_time(this: &Date) -> f64;

    /// `JSON.parse(text)`, with what it throws caught.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub(crate) fn parse_json(text: &str) -> Result<JsValue, JsValue>;

    /// `JSON.stringify(value)`, with what it throws caught (a cycle, a `BigInt`); `undefined`
    /// for a value JSON has no text for.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    pub(crate) fn stringify_json(value: &JsValue) -> Result<JsValue, JsValue>;

    /// `String(value)`: how JavaScript writes a value (`2.5`, `NaN`).
    #[wasm_bindgen(js_name = String)]
    pub(crate) fn to_text(value: &JsValue) -> String;
}
