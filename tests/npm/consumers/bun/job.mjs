// A Bun script: `bun run`, `bun build --target=bun` and `bun build --compile`.
import * as api from "bec-usage";
import { runProbe } from "../probe.mjs";

console.log(JSON.stringify(runProbe(api)));
