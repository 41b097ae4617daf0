// The server-rendered apps (www/nuxt, www/next) end to end: each installs the
// built package as an app would, is built once with its own CLI (nuxi build,
// next build) and served by its own production server on loopback, against
// the dev API server. Then, in headless Chromium: the server's HTML arrives
// signed out (loading), the page hydrates with no console error or warning,
// login → the protected page (the API saw the Bearer token) → logout leaves
// no token, an empty sessionStorage and no refresh cookie, and lands on the
// login page; a reload stays signed out.
//
// Environment: SOCIAPP_DEVSERVER, SOCIAPP_PKG_DIR, CHROMIUM (see support.mjs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAMEWORK_APPS, buildFramework, install, serveCommand } from './demo-build.mjs';
import {
  EMAIL, LOGOUT_TIMELINE, PASSWORD, PKG_DIR, SERVER_BIN, freePort, launchChromium, logoutTimeline, startProcess,
  startServer, tearDown,
} from './support.mjs';

const byTestId = (id) => `[data-testid="${id}"]`;

let stage;
let server;
let api;
let browser;
const apps = {};

before(async () => {
  assert.ok(existsSync(SERVER_BIN), `${SERVER_BIN} is missing: run 'cargo build -p sociapp-devserver'`);
  assert.ok(existsSync(join(PKG_DIR, 'index.js')), `${PKG_DIR} is missing: run 'make pkg'`);
  stage = mkdtempSync(join(tmpdir(), 'sociapp-frameworks-'));
  server = startServer(stage, ['--test-faults']);
  ({ api } = await server.ready);
  browser = await launchChromium();
}, { timeout: 60_000 });

after(async () => {
  for (const app of Object.values(apps)) await app.process?.stop();
  await tearDown({ browser, server, stage, logName: 'devserver-frameworks.log' });
}, { timeout: 60_000 });

async function requestsSince(seq) {
  const response = await fetch(`${api}/__test/requests?since=${seq}`);
  assert.equal(response.status, 200, 'GET /__test/requests');
  return response.json();
}

for (const name of Object.keys(FRAMEWORK_APPS)) {
  test(`${name} app: installs the package, builds with its own CLI`, { timeout: 300_000 }, (t) => {
    const did = install(name, PKG_DIR);
    buildFramework(name);
    t.diagnostic(`${name}: ${did}, built`);
  });

  test(`${name} app: its production server renders signed out, not ready`, { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { command, args, options } = serveCommand(name, port, api);
    const process = startProcess(command, args, options, (lines) => lines.some(FRAMEWORK_APPS[name].listening), name);
    apps[name] = { process, url: `http://127.0.0.1:${port}` };
    await process.ready;
    const response = await fetch(`${apps[name].url}/profile`);
    assert.equal(response.status, 200);
    const html = await response.text();
    // The server has no session: it renders the loading state, no user.
    assert.match(html, /data-testid="auth-status"[^>]*>loading</);
    assert.match(html, /data-testid="profile-loading"/);
    assert.doesNotMatch(html, /data-testid="auth-user"/);
  });

  test(`${name} app: hydrates, logs in, calls the API with the token, logs out`, { timeout: 90_000 }, async () => {
    const { url } = apps[name];
    assert.ok(url, 'the server test ran first');
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e.message}`));
    page.on('console', (msg) => {
      // A hydration mismatch is a console error (React) or warning (Vue).
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('requestfailed', (r) => {
      // Next.js cancels its route prefetches (`?_rsc=`) when a navigation starts.
      if (r.failure()?.errorText === 'net::ERR_ABORTED' && new URL(r.url()).searchParams.has('_rsc')) return;
      problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().startsWith(api)) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
    });
    const status = () => page.locator(byTestId('auth-status')).textContent();
    const waitStatus = (expected) =>
      page.waitForFunction(
        ([sel, text]) => document.querySelector(sel)?.textContent === text,
        [byTestId('auth-status'), expected],
      );
    try {
      // A signed-out visitor of the protected page ends on the login page.
      await page.goto(`${url}/profile`);
      await page.waitForURL(/\/login\?redirect=%2Fprofile$|\/login\?redirect=\/profile$/);
      await waitStatus('signedOut');

      await page.fill(byTestId('login-email'), EMAIL);
      await page.fill(byTestId('login-password'), PASSWORD);
      const before = (await requestsSince(0)).reduce((max, r) => Math.max(max, r.seq), 0);
      await page.click(byTestId('login-submit'));
      await page.waitForURL(/\/profile$/);
      await page.locator(byTestId('profile-email')).filter({ hasText: EMAIL }).waitFor();
      assert.equal(await page.locator(byTestId('profile-name')).textContent(), 'Demo Usuario');
      assert.equal(await status(), 'signedIn');
      const me = (await requestsSince(before)).filter((r) => r.method === 'GET' && r.path === '/auth/me');
      assert.ok(me.length >= 1, 'GET /auth/me reached the API');
      assert.ok(me.every((r) => /^Bearer \S+/.test(r.authorization ?? '')), 'every /auth/me carried the Bearer token');

      // Something of the session's in sessionStorage, for logout to clear.
      await page.evaluate(() => sessionStorage.setItem('draft', 'unsent'));
      assert.ok((await context.cookies()).some((c) => c.name === 'refresh_token'), 'logged in: refresh cookie');

      await page.click(byTestId('logout'));
      await page.waitForURL(/\/login$/);
      await waitStatus('signedOut');
      const left = await page.evaluate(() => ({ token: localStorage.getItem('access_token'), session: sessionStorage.length }));
      assert.deepEqual(left, { token: null, session: 0 });
      assert.deepEqual((await context.cookies()).filter((c) => c.name === 'refresh_token'), []);
      // The debug panel shows the session, storage and each step, in order.
      await page.waitForFunction(
        ([sel, want]) => document.querySelector(sel)?.textContent.includes(want),
        [byTestId('panel-session'), 'signedOut (logout)'],
      );
      assert.equal(await page.locator(byTestId('panel-token')).textContent(), 'none');
      assert.equal(await page.locator(byTestId('panel-session-storage')).textContent(), 'empty');
      assert.deepEqual((await logoutTimeline(page, name)).steps, LOGOUT_TIMELINE);

      await page.reload();
      await waitStatus('signedOut');
      assert.equal(await page.evaluate(() => localStorage.getItem('access_token')), null);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}
