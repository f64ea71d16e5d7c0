// The reference: the installed package in Node, whose result every other row must equal.
import * as api from "bec-usage";
import { runProbe } from "../probe.mjs";

console.log(JSON.stringify(runProbe(api)));
