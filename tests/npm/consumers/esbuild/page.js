// A page's module, bundled by esbuild for the browser (--format=esm and, as a classic
// script, the default iife).
import * as api from "bec-usage";
import { runProbe, showResult } from "../probe.mjs";

showResult(() => runProbe(api));
