// A Node script, bundled by esbuild --platform=node and run from another folder.
import * as api from "bec-usage";
import { runProbe } from "../probe.mjs";

console.log(JSON.stringify(runProbe(api)));
