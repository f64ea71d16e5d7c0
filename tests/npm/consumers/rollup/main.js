// A page's module, bundled by Rollup with only @rollup/plugin-node-resolve.
import * as api from "bec-usage";
import { runProbe, showResult } from "../probe.mjs";

showResult(() => runProbe(api));
