// A 94-byte module on which JavaScriptCore 2.50.6 (Debian 12's WebKitGTK, `jsc` of
// libjavascriptcoregtk-4.0-bin) computes a wrong number every time: a loop carries one
// f64 (a loop parameter) and multiplies it by 1.0 a million times. When the loop moves
// from the interpreter (IPInt) to the baseline JIT (BBQ) in mid-run ("loop OSR entry"),
// the f64 is handed over as its bits read as an integer: 2.718281828459045 comes back as
// 4613303445314886000 (0x4005BF0A8B145769). Fixed upstream by WebKit 302112@main
// ("[JSC] Wasm: Fix loop OSR entry to BBQ with live FPRs", 2025-10-24), which 2.50.6 does
// not have. It is the same hand-over that breaks the dashboard's demo in WebKit now and
// then (docs/dashboard.md, "WebKit"), though that fault is another: Rust's code has no
// loop parameters, and it needs the concurrent compiler.
//
//   jsc tests/e2e/webkit-repro/loop-osr.js            # prints "wrong: ..." on 2.50.6
//   JSC_useBBQJIT=false jsc tests/e2e/webkit-repro/loop-osr.js    # prints "right: ..."
//
// The module, as text:
//   (module
//     (global $factor (mut f64) (f64.const 1.0))
//     (func (export "test") (param $iterations i32) (result f64)
//       (local $counter i32)
//       (local.set $counter (i32.const 0))
//       (f64.const 2.718281828459045)
//       (loop $continue (param f64) (result f64)
//         (global.get $factor)
//         (f64.mul)
//         (local.set $counter (i32.add (local.get $counter) (i32.const 1)))
//         (i32.lt_u (local.get $counter) (local.get $iterations))
//         (if (param f64) (result f64) (then (br $continue)) (else)))))
const bytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7c,
  0x60, 0x01, 0x7c, 0x01, 0x7c, 0x03, 0x02, 0x01, 0x00, 0x06, 0x0d, 0x01, 0x7c, 0x01, 0x44, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, 0x0b, 0x07, 0x08, 0x01, 0x04, 0x74, 0x65, 0x73, 0x74,
  0x00, 0x00, 0x0a, 0x2a, 0x01, 0x28, 0x01, 0x01, 0x7f, 0x41, 0x00, 0x21, 0x01, 0x44, 0x69, 0x57,
  0x14, 0x8b, 0x0a, 0xbf, 0x05, 0x40, 0x03, 0x01, 0x23, 0x00, 0xa2, 0x20, 0x01, 0x41, 0x01, 0x6a,
  0x21, 0x01, 0x20, 0x01, 0x20, 0x00, 0x49, 0x04, 0x01, 0x0c, 0x01, 0x0b, 0x0b, 0x0b,
]);
const expected = 2.718281828459045;
const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
const got = exports.test(1_000_000);
print(`${got === expected ? "right" : "wrong"}: expected ${expected}, got ${got}`);
