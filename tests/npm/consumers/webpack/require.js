// The same page's script written as CommonJS: `require("bec-usage")`.
const api = require("bec-usage");
const { runProbe, showResult } = require("../probe.cjs");

showResult(() => runProbe(api));
