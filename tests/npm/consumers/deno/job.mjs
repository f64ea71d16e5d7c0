// A Deno script importing bec-usage from the project's node_modules (package.json).
import * as api from "bec-usage";
import { runProbe } from "../probe.mjs";

console.log(JSON.stringify(runProbe(api)));
