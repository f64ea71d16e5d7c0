// Runs the demo generator of webkit_repro.wasm in N fresh modules (a page load compiles a
// fresh one too) and counts the answers; every run must give the same checksum.
//
//   jsc run.js -- path/to/webkit_repro.wasm [N=300] [days=31]
//
// In JavaScriptCore 2.50.6 (Debian 12), 1-8 % of runs fail ("a daily mean exceeded the
// range of a 96-bit decimal", "Out of bounds memory access", "Unreachable code should not
// be executed"): more when the machine is busy. JSC_useConcurrentJIT=false, or
// JSC_useWasmOSR=false, or both wasm JITs off make every run agree. Options are read from
// the environment, e.g. `JSC_useConcurrentJIT=false jsc run.js -- ...`.
const [file, n = "300", days = "31"] = arguments;
const bytes = readFile(file, "binary");
const counts = new Map();
for (let i = 0; i < Number(n); i++) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  let answer;
  try {
    answer = BigInt.asUintN(64, exports.run(7, Number(days))).toString(16);
    if (answer === "0") {
      const message = [];
      for (let b = 0; b < exports.last_error_len(); b++) message.push(exports.last_error_byte(b));
      answer = "error: " + String.fromCharCode(...message);
    }
  } catch (error) {
    answer = "trap: " + error;
  }
  counts.set(answer, (counts.get(answer) ?? 0) + 1);
}
const sorted = [...counts].sort((a, b) => b[1] - a[1]);
const failed = sorted.slice(1).reduce((sum, [, count]) => sum + count, 0);
print(`${n} runs, ${failed} disagreed with the most common answer`);
for (const [answer, count] of sorted) print(`  ${count} x ${answer}`);
