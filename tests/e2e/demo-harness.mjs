// End-to-end tests of one demo app (www/vue or www/react) in headless
// Chromium, registered with node:test by `demoSuite(name, …)`.
//
// The suite builds the demo (npm ci when needed, the strict type-check, vite
// build against the dev API server's port), serves the build with the dev
// server's static listener, and drives it as a user would: log in, open the
// protected page, log out; then checks what logout must leave behind. It also
// checks the demo under `vite dev`, and a logout with the API stopped (last:
// it stops the server).
//
// The demos expose their state to the tests through data-testid elements only.
// The helpers the suite is made of (a watched page, waiting for a text, the
// dev server's request record) are exported for a demo's own tests, which
// `more` registers (vue-session.mjs).
// Environment: SOCIAPP_DEVSERVER, SOCIAPP_PKG_DIR, CHROMIUM (see pkg.test.mjs);
// DEMO_DEBUG=1 logs the pages' requests and navigations to stderr.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMOS, build, install, typecheck } from './demo-build.mjs';
import {
  CHROMIUM, EMAIL, LOGOUT_TIMELINE, PASSWORD, PKG_DIR, SERVER_BIN, freePort, launchChromium, logoutTimeline, startProcess,
  startServer, tearDown,
} from './support.mjs';

export { EMAIL, PASSWORD };

// Chromium's console line for an HTTP error answer or a refused connection:
// expected where a test provokes one, a failure anywhere else.
export const HTTP_401 = /Failed to load resource: the server responded with a status of 401/;
const REFUSED = /net::ERR_CONNECTION_REFUSED/;

export const byTestId = (id) => `[data-testid="${id}"]`;

/** The dev server's record of requests (`--test-faults`), those after `since` (a `seq`). */
export async function serverRecord(api, since = 0) {
  const response = await fetch(`${api}/__test/requests?since=${since}`);
  assert.equal(response.status, 200, 'GET /__test/requests');
  return response.json();
}

export const lastSeq = (records) => records.reduce((max, r) => Math.max(max, r.seq), 0);

/**
 * A page in a new context of `browser` (own storage and cookies), watched:
 * page errors always land in `problems`; console errors and failed requests
 * do unless one of `allow` (RegExps) matches their text (for a console
 * message, also tried on its text followed by a space and the URL it names,
 * e.g. the resource that answered an error status); console warnings are
 * pushed to `warnings`. DEMO_DEBUG=1 logs requests and navigations.
 */
export async function watchPage(browser, { allow = [], warnings = [] } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  const allowed = (...texts) => allow.some((re) => texts.some((t) => re.test(t)));
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e.message}`));
  page.on('console', (msg) => {
    const where = msg.location()?.url ?? '';
    if (msg.type() === 'error' && !allowed(msg.text(), `${msg.text()} ${where}`)) problems.push(`console error: ${msg.text()}`);
    else if (msg.type() === 'warning') warnings.push(msg.text());
  });
  page.on('requestfailed', (req) => {
    const text = `${req.method()} ${req.url()}: ${req.failure()?.errorText}`;
    if (!allowed(text)) problems.push(`request failed: ${text}`);
  });
  page.setDefaultTimeout(20_000);
  if (process.env.DEMO_DEBUG) {
    page.on('request', (r) => console.error(`${Date.now()} request ${r.method()} ${r.url()}`));
    page.on('requestfinished', (r) => console.error(`${Date.now()} finished ${r.method()} ${r.url()}`));
    page.on('framenavigated', (f) => console.error(`${Date.now()} navigated ${f.url()}`));
  }
  return { context, page, problems };
}

/** The text of the element with data-testid `id`. */
export const text = (page, id) => page.locator(byTestId(id)).textContent();

/** Waits until the element with data-testid `id` shows `expected` (a string, or a RegExp to match). */
export const waitText = (page, id, expected) =>
  page.waitForFunction(
    ([sel, exact, source]) => {
      const el = document.querySelector(sel);
      if (el === null) return false;
      return source === null ? el.textContent.trim() === exact : new RegExp(source).test(el.textContent);
    },
    [byTestId(id), String(expected), expected instanceof RegExp ? expected.source : null],
  );

/**
 * Registers the tests of the demo `name`. `resetState` maps data-testid to
 * the text it shows in the app's initial state, for the stores that logout
 * must reset (checked on the login page after logout). `more(suite)`, when
 * given, registers the demo's own tests against the same build and dev
 * server, before the last test stops the server: `suite` has `api()`,
 * `site()` and `browser()` (set once the suite's `before` ran) and the
 * `warnings` list the suite reports.
 */
export function demoSuite(name, { resetState, more }) {
  const { dir } = DEMOS[name];
  let stage;
  let server;
  let api;
  let site;
  let browser;
  const warnings = [];

  // A page in a new context (own storage and cookies). Page errors always
  // fail; console errors and failed requests fail unless `allow` matches.
  const openPage = (allow = []) => watchPage(browser, { allow, warnings });
  const onLoginPage = (page) => page.waitForURL(/#\/login(\?|$)/);

  async function logIn(page) {
    await page.goto(`${site}/${name}/`);
    await onLoginPage(page);
    await waitText(page, 'auth-status', 'signedOut');
    await page.fill(byTestId('login-email'), EMAIL);
    await page.fill(byTestId('login-password'), PASSWORD);
    await page.click(byTestId('login-submit'));
    await page.waitForURL(/#\/profile$/);
    await waitText(page, 'profile-email', EMAIL);
    // GET /auth/me's user row: the name is `nombre` and `apellidos`.
    await waitText(page, 'profile-name', 'Demo Usuario');
    await waitText(page, 'auth-status', 'signedIn');
  }

  before(async () => {
    assert.ok(existsSync(SERVER_BIN), `${SERVER_BIN} is missing: run 'cargo build -p sociapp-devserver'`);
    assert.ok(existsSync(join(PKG_DIR, 'vue.js')), `${PKG_DIR} has no adapters: run 'make pkg'`);
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'make setup'`);
    stage = mkdtempSync(join(tmpdir(), `sociapp-demo-${name}-`));
    server = startServer(stage, ['--test-faults']);
    ({ api, site } = await server.ready);
    browser = await launchChromium();
  }, { timeout: 60_000 });

  after(() => tearDown({ browser, server, stage, logName: `devserver-demo-${name}.log` }), { timeout: 60_000 });

  test(`${name} demo: installs the package and passes the strict type-check`, { timeout: 300_000 }, (t) => {
    const did = install(name, PKG_DIR);
    typecheck(name);
    t.diagnostic(`${name}: ${did}`);
  });

  test(`${name} demo: vite build emits the package's wasm as an asset`, { timeout: 180_000 }, (t) => {
    const report = build(name, { outDir: join(stage, name), apiUrl: api });
    if (report.trim()) t.diagnostic(report.trim());
    const assets = readdirSync(join(stage, name, 'assets'));
    assert.ok(assets.some((f) => /^sociapp_auth_bg-.*\.wasm$/.test(f)), `wasm among ${assets.join(', ')}`);
  });

  test(`${name} demo: under vite dev, the package loads and signs in`, { timeout: 90_000 }, async () => {
    const port = await freePort();
    const vite = startProcess(
      join(dir, 'node_modules', '.bin', 'vite'),
      ['--host', '127.0.0.1', '--port', String(port), '--strictPort', '--clearScreen', 'false'],
      { cwd: dir, env: { ...process.env, VITE_API_URL: api, NO_COLOR: '1' } },
      (lines) => lines.some((l) => l.includes(`http://127.0.0.1:${port}/`)),
    );
    const { context, page, problems } = await openPage();
    try {
      await vite.ready;
      await page.goto(`http://127.0.0.1:${port}/`);
      await onLoginPage(page);
      await waitText(page, 'auth-status', 'signedOut');
      await page.fill(byTestId('login-email'), EMAIL);
      await page.fill(byTestId('login-password'), PASSWORD);
      await page.click(byTestId('login-submit'));
      await waitText(page, 'profile-email', EMAIL);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await vite.stop();
    }
  });

  test(`${name} demo: logout leaves nothing of the session behind`, { timeout: 120_000 }, async (t) => {
    const { context, page, problems } = await openPage([HTTP_401]);
    await fetch(`${api}/__test/reset`, { method: 'POST' });

    await t.test('log in and load the protected page: the server sees a Bearer token', async () => {
      await logIn(page);
      const me = (await serverRecord(api)).filter((r) => r.method === 'GET' && r.path === '/auth/me');
      assert.ok(me.length > 0, 'the protected page called GET /auth/me');
      assert.match(me.at(-1).authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    });

    await t.test('before logout: token, refresh cookie and the app stores hold session data', async () => {
      await page.fill(byTestId('note-input'), 'remember the milk');
      await page.click(byTestId('note-add'));
      await waitText(page, 'notes-count', '1');
      await page.fill(byTestId('note-input'), 'an unsent draft');
      await page.waitForFunction(() => (sessionStorage.getItem('demo:notes') ?? '').includes('an unsent draft'));
      assert.match((await page.evaluate(() => localStorage.getItem('access_token'))) ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
      const cookies = await context.cookies();
      assert.ok(cookies.some((c) => c.name === 'refresh_token'), 'the refresh_token cookie is set');
    });

    let beforeLogout;
    await t.test('logout lands on the login page, signed out', async () => {
      beforeLogout = lastSeq(await serverRecord(api));
      await page.click(byTestId('logout'));
      await onLoginPage(page);
      await waitText(page, 'auth-status', 'signedOut');
      await waitText(page, 'logout-result', /server: ok/);
      assert.equal(await page.locator(byTestId('auth-user')).count(), 0);
      assert.equal(await page.locator(byTestId('login-form')).count(), 1);
    });

    await t.test('storage: no access_token, sessionStorage empty, no refresh_token cookie', async () => {
      const storage = await page.evaluate(() => ({
        token: localStorage.getItem('access_token'),
        session: Object.keys(sessionStorage),
      }));
      assert.deepEqual(storage, { token: null, session: [] });
      const cookies = (await context.cookies()).map((c) => c.name);
      assert.ok(!cookies.includes('refresh_token'), `cookies left: ${cookies.join(', ')}`);
    });

    await t.test("the debug panel's timeline shows each step of the logout, in order", async () => {
      await waitText(page, 'panel-session', /signedOut \(logout\)/);
      await waitText(page, 'panel-token', 'none');
      await waitText(page, 'panel-session-storage', 'empty');
      const { before, steps } = await logoutTimeline(page, name);
      assert.deepEqual(steps, LOGOUT_TIMELINE);
      assert.ok(before.some((l) => l.startsWith('login:end outcome=ok')), 'the login is on it too');
    });

    await t.test("the app's other stores are back to their initial state", async () => {
      for (const [id, initial] of Object.entries(resetState)) {
        assert.equal((await text(page, id))?.trim(), initial, `data-testid=${id}`);
      }
      assert.equal(await page.locator(byTestId('profile-email')).count(), 0);
    });

    await t.test('the next API call carries no Authorization header', async () => {
      await page.click(byTestId('whoami'));
      await waitText(page, 'whoami-result', '401: not signed in');
      const since = await serverRecord(api, beforeLogout);
      const logout = since.filter((r) => r.method === 'POST' && r.path === '/auth/logout');
      const me = since.filter((r) => r.method === 'GET' && r.path === '/auth/me');
      assert.equal(logout.length, 1, 'one POST /auth/logout');
      assert.equal(me.length, 1, 'one GET /auth/me after logout');
      assert.ok(me[0].seq > logout[0].seq);
      assert.deepEqual(
        since.filter((r) => r.authorization !== null).map((r) => `${r.method} ${r.path}`),
        [],
        'no request after logout carried an Authorization header',
      );
    });

    await t.test('a reload stays signed out', async () => {
      await page.reload();
      await waitText(page, 'auth-status', 'signedOut');
      await onLoginPage(page);
      assert.equal(await page.evaluate(() => localStorage.getItem('access_token')), null);
      assert.equal(await page.locator(byTestId('login-form')).count(), 1);
    });

    await t.test("Back does not show the protected page's data", async () => {
      await page.evaluate((sel) => {
        window.__sawProtected = false;
        new MutationObserver(() => {
          if (document.querySelector(sel)) window.__sawProtected = true;
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      }, byTestId('profile-email'));
      await page.goBack();
      await page.waitForURL(/#\/login\?redirect=/);
      await page.locator(byTestId('login-form')).waitFor();
      assert.equal(await page.evaluate(() => window.__sawProtected), false);
      assert.equal(await page.locator(byTestId('profile-email')).count(), 0);
      assert.equal(await text(page, 'auth-status'), 'signedOut');
    });

    await context.close();
    assert.deepEqual(problems, []);
  });

  more?.({ api: () => api, site: () => site, browser: () => browser, warnings });

  // Last: it stops the dev server (API and static files).
  test(`${name} demo: logout with the API stopped still signs out`, { timeout: 60_000 }, async () => {
    const { context, page, problems } = await openPage([REFUSED]);
    await logIn(page);
    await server.stop('SIGKILL');
    await page.click(byTestId('logout'));
    await onLoginPage(page);
    await waitText(page, 'auth-status', 'signedOut');
    await waitText(page, 'logout-result', /server: unreachable/);
    assert.equal(await page.evaluate(() => localStorage.getItem('access_token')), null);
    for (const [id, initial] of Object.entries(resetState)) {
      assert.equal((await text(page, id))?.trim(), initial, `data-testid=${id}`);
    }
    await context.close();
    assert.deepEqual(problems, []);
  });

  test(`${name} demo: console warnings are reported`, (t) => {
    // Reported, not failed: the SDK warns on purpose in some situations.
    for (const w of warnings) t.diagnostic(`console warning: ${w}`);
  });
}
