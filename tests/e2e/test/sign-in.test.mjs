// (e) A server a team puts on its network: sign-in with a users file, sign-out, a session
// that survives a reload or ends, the wait after too many failures, a single-sign-on proxy
// in front (the page never asks), and two named accounts (the README's team set-up in
// demo mode: each account has data of its own). Screenshots of the sign-in form and of
// the header with the account picker go to tests/artifacts/.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ARTIFACTS, launchBrowser, newPage, scan, startProxy, userLine, waitForState } from "../lib/harness.mjs";

const USAGE = "/v1/usage/computing";
let dir;
let single; // a users file, one unnamed account
let team; // a users file and two named accounts; alice reads both, bob only "test"
let sso; // a single-sign-on proxy in front names the user
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "bec-sign-in-"));
  const users = join(dir, "users");
  writeFileSync(users, userLine("alice", "alice-password") + userLine("bob", "bob-password"));
  for (const name of ["production", "test"]) {
    writeFileSync(
      join(dir, `${name}.env`),
      `BCE_ACCESS_KEY_ID=${name}-access-key-id\nBCE_SECRET_ACCESS_KEY=${name}-secret-access-key\n`,
    );
  }
  const config = join(dir, "team.toml");
  writeFileSync(
    config,
    [
      `users-file = ${JSON.stringify(users)}`,
      `default-account = "production"`,
      "",
      "[accounts.production]",
      `keys-file = ${JSON.stringify(join(dir, "production.env"))}`,
      `users = ["alice"]`,
      "",
      "[accounts.test]",
      `keys-file = ${JSON.stringify(join(dir, "test.env"))}`,
      "",
    ].join("\n"),
  );
  [single, team, sso] = await Promise.all([
    startProxy(["--demo", "--users-file", users]),
    startProxy(["--demo", "--config", config]),
    startProxy(["--demo", "--trust-user-header", "X-Forwarded-User", "--trusted-proxy", "127.0.0.1/32"]),
  ]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([single?.stop(), team?.stop(), sso?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Records the paths of the page's usage requests (any account). */
function usagePaths(page) {
  const paths = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith(USAGE)) paths.push(url.pathname);
  });
  return paths;
}

async function signIn(page, user, password) {
  await page.fill("[data-testid=sign-in-user]", user);
  await page.fill("[data-testid=sign-in-password]", password);
  await page.click("[data-testid=sign-in-submit]");
}

/** The text of every chart's statistics: different data, different text. */
const chartStats = (page) => page.$$eval("[data-testid=chart] dl", (ls) => ls.map((l) => l.textContent).join("|"));

test("without a session the page asks for a sign-in, with a labelled form, and loads nothing", async () => {
  assert.equal(single.health.signIn, "password");
  assert.equal(single.health.user, null);
  const page = await newPage(browser);
  const paths = usagePaths(page);
  await page.goto(`${single.origin}/?range=7d&lang=en`);
  assert.equal(await waitForState(page, ["signin", "ready", "error"]), "signin");
  const form = page.locator("[data-testid=sign-in] form");
  assert.ok(await form.isVisible());
  assert.equal(await page.getAttribute("[data-testid=sign-in-user]", "autocomplete"), "username");
  assert.equal(await page.getAttribute("[data-testid=sign-in-password]", "autocomplete"), "current-password");
  assert.equal(await page.getAttribute("[data-testid=sign-in-password]", "type"), "password");
  // Each field has its label, and the name field has the focus.
  assert.equal(await page.getByLabel("User name").getAttribute("id"), "sign-in-user");
  assert.equal(await page.getByLabel("Password").getAttribute("id"), "sign-in-password");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "sign-in-user");
  assert.equal(await page.getAttribute("[data-testid=sign-in-error]", "role"), "alert");
  // Nothing else: no data request, no charts, no toolbar, nobody in the header.
  assert.deepEqual(paths, []);
  assert.equal(await page.locator("[data-testid=charts]").count(), 0);
  assert.ok(await page.locator(".toolbar").isHidden());
  assert.ok(await page.locator("[data-testid=user]").isHidden());
  assert.ok(await page.locator("[data-testid=account-picker]").isHidden());
  await page.screenshot({ path: join(ARTIFACTS, "sign-in-form.png") });
  const { bad, report } = await scan(page);
  assert.equal(bad.length, 0, report);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a wrong password: the server's message in place, the name kept, the password cleared", async () => {
  const page = await newPage(browser);
  await page.goto(`${single.origin}/?range=7d&lang=en`);
  await waitForState(page, ["signin"]);
  const answer = page.waitForResponse((r) => r.url().endsWith("/auth/login"));
  await signIn(page, "alice", "not-her-password");
  const refused = await answer;
  assert.equal(refused.status(), 401);
  const { message } = await refused.json();
  const error = page.locator("[data-testid=sign-in-error]");
  await page.waitForFunction(() => document.querySelector("[data-testid=sign-in-error]").textContent !== "");
  assert.equal(await error.textContent(), message);
  assert.match(message, /wrong user name or password/);
  assert.equal(await page.inputValue("[data-testid=sign-in-user]"), "alice");
  assert.equal(await page.inputValue("[data-testid=sign-in-password]"), "");
  assert.equal(await page.getAttribute("[data-testid=sign-in-password]", "aria-invalid"), "true");
  // Ready for another try.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "sign-in-password");
  assert.ok(await page.isEnabled("[data-testid=sign-in-submit]"));
  await page.screenshot({ path: join(ARTIFACTS, "sign-in-refused.png") });
  assert.equal(await page.getAttribute("[data-testid=app]", "data-state"), "signin");
  assert.equal(await page.locator("[data-testid=charts]").count(), 0);
  await page.close();
});

test("the right password draws the charts without a reload; a reload keeps the session", async () => {
  const page = await newPage(browser);
  await page.goto(`${single.origin}/?range=7d&lang=en`);
  await waitForState(page, ["signin"]);
  await page.evaluate(() => (window.__sameDocument = true));
  const paths = usagePaths(page);
  await signIn(page, "alice", "alice-password");
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was reloaded");
  assert.ok((await page.locator("[data-testid=chart]").count()) > 0);
  assert.ok(paths.length >= 1 && paths.every((p) => p === USAGE), paths.join(" "));
  assert.equal(await page.textContent("[data-testid=user-name]"), "alice");
  assert.ok(await page.isVisible("[data-testid=sign-out]"));
  assert.equal(await page.locator("[data-testid=sign-in]").count(), 0);
  // The session is an HttpOnly cookie the page cannot read.
  const cookies = await page.context().cookies();
  assert.ok(cookies.some((c) => c.httpOnly && c.sameSite === "Strict"), JSON.stringify(cookies));
  assert.equal(await page.evaluate(() => document.cookie), "");

  await page.reload();
  assert.equal(await waitForState(page, ["ready", "signin", "error"]), "ready");
  assert.equal(await page.textContent("[data-testid=user-name]"), "alice");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("sign-out asks again and leaves no data on the page", async () => {
  const page = await newPage(browser);
  await page.goto(`${single.origin}/?range=7d&lang=en`);
  await waitForState(page, ["signin"]);
  await signIn(page, "alice", "alice-password");
  assert.equal(await waitForState(page, ["ready"]), "ready");
  const loggedOut = page.waitForResponse((r) => r.url().endsWith("/auth/logout"));
  await page.click("[data-testid=sign-out]");
  assert.equal((await loggedOut).status(), 200);
  assert.equal(await waitForState(page, ["signin"]), "signin");
  for (const gone of ["chart", "charts", "daily-table", "account"]) {
    assert.equal(await page.locator(`[data-testid=${gone}]`).count(), 0, `${gone} is still on the page`);
  }
  assert.ok(await page.locator("[data-testid=user]").isHidden());
  assert.equal(await page.textContent("[data-testid=user-name]"), "");
  assert.equal(await page.locator("[data-action=export]:enabled").count(), 0);
  assert.ok(!(await page.textContent("body")).includes("alice"));
  assert.equal(await page.inputValue("[data-testid=sign-in-password]"), "");
  // The server ended the session: the cookie is gone and data is refused.
  assert.deepEqual(await page.context().cookies(), []);
  const refused = await page.evaluate(async (path) => {
    const answer = await fetch(`${path}?beginDate=2025-01-01&endDate=2025-01-01`);
    return [answer.status, (await answer.json()).code];
  }, USAGE);
  assert.deepEqual(refused, [401, "SignInRequired"]);
  await page.close();
});

test("a session that ends while the page is open: the next load asks again, then goes on", async () => {
  const page = await newPage(browser);
  await page.goto(`${single.origin}/?range=7d&lang=en`);
  await waitForState(page, ["signin"]);
  await signIn(page, "alice", "alice-password");
  assert.equal(await waitForState(page, ["ready"]), "ready");
  // As when the session expires: the browser no longer has the cookie.
  await page.context().clearCookies();
  // A request asked from now on, not the response to one still in flight from the 7-day
  // view (its previous period can still be loading once the charts are drawn; it was
  // sent with the cookie and answers 200).
  const asked = page.waitForRequest((r) => r.url().includes(USAGE));
  await page.click("[data-action=preset][data-value='31d']");
  assert.equal((await (await asked).response()).status(), 401);
  assert.equal(await waitForState(page, ["signin", "error"]), "signin");
  assert.match(await page.textContent("[data-testid=sign-in-note]"), /ended/);
  assert.equal(await page.locator("[data-testid=charts]").count(), 0);
  await signIn(page, "alice", "alice-password");
  assert.equal(await waitForState(page, ["ready"]), "ready");
  assert.match(await page.evaluate(() => location.search), /range=31d/);
  await page.close();
});

test("too many failed sign-ins: the page says how long to wait", async () => {
  const page = await newPage(browser);
  await page.goto(`${single.origin}/?range=7d&lang=en`);
  await waitForState(page, ["signin"]);
  // Five failures for a name, then the server asks to wait (429 with Retry-After).
  let answer;
  for (let i = 0; i < 6 && answer?.status() !== 429; i++) {
    const next = page.waitForResponse((r) => r.url().endsWith("/auth/login"));
    await signIn(page, "mallory", `guess-${i}`);
    answer = await next;
    await page.waitForSelector("[data-testid=sign-in-submit]:enabled");
  }
  assert.equal(answer.status(), 429);
  const wait = Number(answer.headers()["retry-after"]);
  assert.ok(wait > 0, `Retry-After ${wait}`);
  assert.equal(
    await page.textContent("[data-testid=sign-in-error]"),
    `Too many failed sign-ins: try again in ${wait} s.`,
  );
  await page.close();
});

test("behind a single-sign-on proxy the page never asks: the user is the proxy's", async () => {
  assert.equal(sso.health.signIn, "proxy");
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-User": "carol" } });
  const page = await context.newPage();
  await page.goto(`${sso.origin}/?range=7d&lang=en`);
  assert.equal(await waitForState(page, ["ready", "signin", "error"]), "ready");
  assert.equal(await page.textContent("[data-testid=user-name]"), "carol");
  // The proxy in front signs people out, not the page.
  assert.ok(await page.locator("[data-testid=sign-out]").isHidden());
  await context.close();

  // Without the header the data is refused, and the page says so: no form to fill in.
  const bare = await newPage(browser);
  await bare.goto(`${sso.origin}/?range=7d&lang=en`);
  assert.equal(await waitForState(bare, ["error", "signin", "ready"]), "error");
  assert.equal(await bare.textContent("[data-testid=error-code]"), "SignInRequired");
  assert.equal(await bare.locator("[data-testid=sign-in]").count(), 0);
  await bare.close();
});

test("two accounts: a picker; the URL, the requests, the data and the export follow the choice", async () => {
  const page = await newPage(browser);
  const paths = usagePaths(page);
  await page.goto(`${team.origin}/?range=7d&cmp=0&lang=en`);
  assert.equal(await waitForState(page, ["signin"]), "signin");
  // Nobody signed in sees no account names.
  assert.ok(await page.locator("[data-testid=account-picker]").isHidden());
  assert.equal(await page.locator("[data-testid=account-picker] option").count(), 0);
  await signIn(page, "alice", "alice-password");
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  const picker = page.getByLabel("Account");
  assert.equal(await picker.getAttribute("data-testid"), "account-picker");
  assert.deepEqual(await picker.locator("option").allTextContents(), ["production", "test"]);
  assert.equal(await picker.inputValue(), "production");
  // The default account, by name.
  assert.ok(paths.length >= 1 && paths.every((p) => p === `/accounts/production${USAGE}`), paths.join(" "));
  const production = await chartStats(page);
  await page.locator("header.top").screenshot({ path: join(ARTIFACTS, "header-account-picker.png") });
  await page.screenshot({ path: join(ARTIFACTS, "dashboard-account-picker.png") });
  const { bad, report } = await scan(page);
  assert.equal(bad.length, 0, report);

  paths.length = 0;
  await picker.selectOption("test");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("account") === "test");
  await page.waitForFunction((before) => {
    const app = document.querySelector("[data-testid=app]");
    const stats = [...document.querySelectorAll("[data-testid=chart] dl")].map((l) => l.textContent).join("|");
    return app.dataset.state === "ready" && stats !== before;
  }, production);
  assert.ok(paths.length >= 1 && paths.every((p) => p === `/accounts/test${USAGE}`), paths.join(" "));
  assert.notEqual(await chartStats(page), production);
  // The export's file name carries the account.
  const download = page.waitForEvent("download");
  await page.click("[data-action=export][data-value=series]");
  assert.match((await download).suggestedFilename(), /^bec-usage_test_\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d_series\.csv$/);

  // The URL is the view: a reload shows the same account.
  await page.reload();
  assert.equal(await waitForState(page, ["ready"]), "ready");
  assert.equal(await page.getByLabel("Account").inputValue(), "test");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("an account the server does not list falls back to the default, with a note", async () => {
  const page = await newPage(browser);
  const paths = usagePaths(page);
  await page.goto(`${team.origin}/?range=7d&cmp=0&lang=en&account=staging`);
  assert.equal(await waitForState(page, ["signin"]), "signin");
  // Kept until the server says what this user may read.
  assert.match(await page.evaluate(() => location.search), /account=staging/);
  await signIn(page, "alice", "alice-password");
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  const note = await page.textContent("[data-testid=account-note]");
  assert.ok(note.includes("staging") && note.includes("production"), note);
  assert.equal(await page.getByLabel("Account").inputValue(), "production");
  assert.ok(paths.every((p) => p === `/accounts/production${USAGE}`), paths.join(" "));
  assert.doesNotMatch(await page.evaluate(() => location.search), /account=/);
  await page.close();
});

test("one account that is not the default: no picker, loaded by name", async () => {
  const page = await newPage(browser);
  const paths = usagePaths(page);
  await page.goto(`${team.origin}/?range=7d&cmp=0&lang=en`);
  await waitForState(page, ["signin"]);
  await signIn(page, "bob", "bob-password");
  assert.equal(await waitForState(page, ["ready", "error"]), "ready");
  assert.ok(await page.locator("[data-testid=account-picker]").isHidden());
  assert.ok(await page.locator("[data-testid=account-note]").isHidden());
  assert.ok(paths.length >= 1 && paths.every((p) => p === `/accounts/test${USAGE}`), paths.join(" "));
  await page.close();
});
