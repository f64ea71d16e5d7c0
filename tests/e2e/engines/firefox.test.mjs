// The end-to-end checks in Debian's Firefox ESR (puppeteer-core, WebDriver BiDi): see
// scenarios.mjs.
import { engineSuite } from "./scenarios.mjs";

engineSuite("firefox");
