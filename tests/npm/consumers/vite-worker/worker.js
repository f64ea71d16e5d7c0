// The module worker: imports bec-usage and posts the probe to the page.
import * as api from "bec-usage";
import { runProbe } from "../probe.mjs";

try {
  postMessage(runProbe(api));
} catch (error) {
  postMessage({ pageError: String(error?.stack ?? error) });
}
