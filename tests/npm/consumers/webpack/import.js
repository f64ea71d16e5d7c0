// A page's script, bundled by webpack (mode production, target web) from `import`.
import * as api from "bec-usage";
import { runProbe, showResult } from "../probe.mjs";

showResult(() => runProbe(api));
