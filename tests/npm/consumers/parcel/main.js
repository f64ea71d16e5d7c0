// A page's module, built by `parcel build` and served by `parcel serve`, with no config.
import * as api from "bec-usage";
import { runProbe, showResult } from "../probe.mjs";

showResult(() => runProbe(api));
