// The end-to-end checks in WebKitGTK's MiniBrowser (WebKitWebDriver, selenium-webdriver,
// under Xvfb): see scenarios.mjs.
import { engineSuite } from "./scenarios.mjs";

engineSuite("webkit");
