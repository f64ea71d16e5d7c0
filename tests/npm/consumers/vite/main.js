// A page's module, built by `vite build` with no config.
import * as api from "bec-usage";
import { runProbe, showResult } from "../probe.mjs";

showResult(() => runProbe(api));
