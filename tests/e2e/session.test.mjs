// The session as a real app lives it, in headless Chromium with the release
// package from pkg/: a session kept in memory comes back after a reload,
// and a new tab with sessionStorage restores its own, each with one refresh
// from the HttpOnly cookie and no token in Web Storage; a visitor's page
// makes no request; a logout the server did not confirm is not undone on
// the next load; a page using the real axios package through its fetch
// adapter over auth.fetch; methods called back from a listener and from an
// onLogout hook through the package's JavaScript API. Waits are on page
// state and on the dev server's record, never sleeps.
//
// Run by `make test-pkg` as part of `node --test tests/e2e/`. Environment:
// SOCIAPP_DEVSERVER, SOCIAPP_PKG_DIR, CHROMIUM (see support.mjs). The dev
// server's output is kept in target/devserver-session.log.

import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, EMAIL, PASSWORD, PKG_DIR, ROOT, SERVER_BIN, devserverApi, launchChromium, startServer, tearDown } from './support.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const AXIOS = join(ROOT, 'tests/node_modules/axios/dist/esm/axios.min.js');
const TEST_TIMEOUT = { timeout: 60_000 };
const WAIT = { timeout: 20_000 };

let stage;
let server;
let browser;
let api;
let site;
/** Pages opened by the current test, with what Playwright saw go wrong in them. */
let opened = [];

process.once('exit', () => server?.kill());

const testApi = (method, path, body) => devserverApi(api).call(method, path, body);

/** The requests the API received (preflights left out), with their Authorization. */
const received = () => devserverApi(api).requests();

const calls = async (method, path) => (await received()).filter((e) => e.method === method && e.path === path).length;

/** Opens the fixture with `query` in a new page of `context` and waits until its client is ready. */
async function openFixture(context, query = '') {
  const page = await context.newPage();
  const seen = { page, errors: [] };
  page.on('pageerror', (e) => seen.errors.push(`page error: ${e.stack ?? e.message}`));
  page.on('console', (msg) => {
    // The browser logs each non-2xx answer as an error of the page; those are the tests' doing.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource:')) seen.errors.push(`console error: ${msg.text()}`);
  });
  opened.push(seen);
  await page.goto(`${site}/session-fixture.html?api=${encodeURIComponent(api)}${query}`);
  await ready(page);
  return page;
}

const ready = (page) => page.waitForFunction(() => window.__state?.ready === true, null, WAIT);
const snapshot = (page) => page.evaluate(() => {
  const s = window.__auth.getSnapshot();
  return { status: s.status, reason: s.reason, email: s.user?.email ?? null };
});
const token = (page) => page.evaluate(() => window.__auth.getAccessToken() ?? null);
const login = (page) => page.evaluate(([email, password]) => window.__auth.login({ email, password }).then((s) => s.status), [EMAIL, PASSWORD]);
const webStorage = (page) => page.evaluate(() => {
  const all = (area) => Object.keys(area).map((k) => [k, area.getItem(k)]);
  return { local: all(localStorage), session: all(sessionStorage) };
});

async function assertNoPageProblems() {
  for (const { page, errors } of opened) {
    const inPage = page.isClosed() ? [] : await page.evaluate(() => window.__state?.problems ?? []).catch(() => []);
    assert.deepEqual([...errors, ...inPage], []);
  }
}

before(async () => {
  assert.ok(existsSync(SERVER_BIN), `${SERVER_BIN} is missing: run 'cargo build -p sociapp-devserver'`);
  assert.ok(existsSync(join(PKG_DIR, 'index.js')), `${PKG_DIR} is incomplete: run 'make pkg'`);
  assert.ok(existsSync(AXIOS), `${AXIOS} is missing: run 'make setup'`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'make setup'`);
  stage = mkdtempSync(join(tmpdir(), 'sociapp-session-'));
  cpSync(PKG_DIR, join(stage, 'pkg'), { recursive: true });
  cpSync(join(HERE, 'session-fixture.html'), join(stage, 'session-fixture.html'));
  cpSync(AXIOS, join(stage, 'axios.js'));
  server = startServer(stage, ['--test-faults']);
  ({ api, site } = await server.ready);
  browser = await launchChromium();
}, { timeout: 90_000 });

beforeEach(async () => {
  opened = [];
  await testApi('POST', '/__test/reset');
});

after(() => tearDown({ browser, server, stage, logName: 'devserver-session.log' }), { timeout: 60_000 });

test('memory storage: a reload restores the session with one refresh, and no token ever reaches Web Storage', TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await openFixture(context, '&storage=memory');
  assert.equal(await login(page), 'signedIn');
  const before = await token(page);
  const beforeReload = await webStorage(page);
  assert.deepEqual(beforeReload, { local: [['access_token:signed_in', '1']], session: [] }, 'only the hint');

  await testApi('POST', '/__test/reset');
  await page.reload();
  await ready(page);
  // createAuthClient resolved after the restore: the first snapshot is the truth.
  assert.deepEqual((await page.evaluate(() => window.__state.snapshots))[0], { status: 'signedIn', reason: null, email: EMAIL });
  const after = await token(page);
  assert.match(after ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.deepEqual((await received()).map((e) => `${e.method} ${e.path}`), ['POST /auth/refresh'], 'one refresh, nothing else');
  // The hint, and the refresh lock's release stamp: no token.
  const stored = await webStorage(page);
  assert.deepEqual(stored.local.map(([k]) => k).sort(), ['access_token:signed_in', 'sociapp-auth:access_token:refresh:released']);
  assert.deepEqual(stored.session, []);
  assert.ok(![before, after].some((t) => JSON.stringify(stored).includes(t)));
  assert.ok(!/[\w-]+\.[\w-]+\.[\w-]+/.test(JSON.stringify(stored)), 'nothing like a JWT');
  assert.deepEqual(await page.evaluate(() => window.__state.events.slice(0, 4)), ['restore:start', 'refresh:start', 'refresh:lock held', 'refresh:end ok']);
  const me = await page.evaluate(() => window.__auth.me().then((u) => u.email));
  assert.equal(me, EMAIL);
  await assertNoPageProblems();
  await context.close();
});

test('session storage: a new tab restores a token of its own with one refresh; the first tab keeps its session', TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const first = await openFixture(context, '&storage=session');
  assert.equal(await login(first), 'signedIn');
  await testApi('POST', '/__test/reset');
  const second = await openFixture(context, '&storage=session');
  assert.deepEqual(await snapshot(second), { status: 'signedIn', reason: null, email: EMAIL });
  const tab2 = await webStorage(second);
  assert.equal(tab2.session.length, 1);
  assert.equal(tab2.session[0][1], await token(second), 'its own sessionStorage holds its token');
  assert.equal(await calls('POST', '/auth/refresh'), 1);
  // The first tab's token still works: the server keeps no session.
  assert.equal(await first.evaluate(() => window.__auth.me().then((u) => u.email)), EMAIL);
  await assertNoPageProblems();
  await context.close();
});

test("a visitor's page makes no request at start", TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  for (const storage of ['local', 'session', 'memory']) {
    const page = await openFixture(context, `&storage=${storage}`);
    assert.deepEqual(await snapshot(page), { status: 'signedOut', reason: null, email: null });
  }
  assert.deepEqual(await received(), []);
  await assertNoPageProblems();
  await context.close();
});

test('a logout the server did not confirm is not undone by the next load: no refresh, the logout is retried', TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await openFixture(context, '&storage=memory');
  assert.equal(await login(page), 'signedIn');
  await testApi('POST', '/__test/fault', { path: '/auth/logout', kind: 'status', status: 503 });
  const result = await page.evaluate(() => window.__auth.logout().then((r) => r.server));
  assert.equal(result, 'failed');
  await testApi('POST', '/__test/reset');
  await page.reload();
  await ready(page);
  assert.deepEqual(await snapshot(page), { status: 'signedOut', reason: null, email: null });
  await page.waitForFunction(() => localStorage.getItem('access_token:logged_out') === null, null, WAIT);
  assert.deepEqual((await received()).map((e) => `${e.method} ${e.path}`), ['POST /auth/logout'], 'the retried logout, no refresh');
  await assertNoPageProblems();
  await context.close();
});

test('axios through its fetch adapter over auth.fetch: the token, one renewal on a 401, none after logout', TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await openFixture(context, '&axios');
  assert.equal(await login(page), 'signedIn');
  const bearer = `Bearer ${await token(page)}`;
  const get = () => page.evaluate(() => window.__api.get('/auth/me').then((r) => `${r.status} ${r.data.email}`, (e) => `${e.response?.status ?? e.code}`));
  assert.equal(await get(), `200 ${EMAIL}`);
  let me = (await received()).filter((e) => e.path === '/auth/me');
  assert.deepEqual(me.map((e) => e.authorization), [bearer]);

  // A refused token: one refresh, and axios sees the retried answer.
  await testApi('POST', '/__test/reset');
  await testApi('POST', '/__test/fault', { path: '/auth/me', kind: 'status', status: 401 });
  assert.equal(await get(), `200 ${EMAIL}`);
  const renewed = `Bearer ${await token(page)}`;
  assert.deepEqual((await received()).map((e) => `${e.method} ${e.path}`), ['GET /auth/me', 'POST /auth/refresh', 'GET /auth/me']);
  assert.equal((await received()).at(-1).authorization, renewed);

  await page.evaluate(() => window.__auth.logout());
  await testApi('POST', '/__test/reset');
  assert.equal(await get(), '401');
  me = (await received()).filter((e) => e.path === '/auth/me');
  assert.deepEqual(me.map((e) => e.authorization), [null], 'no Authorization after logout');
  await assertNoPageProblems();
  await context.close();
});

test('a listener that logs out while a login finishes: the logout wins and completes', TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await openFixture(context, '&reenter=listener');
  assert.equal(await login(page), 'signedIn', 'the login resolves with its own snapshot');
  await page.waitForFunction(() => window.__state.nested !== null, null, WAIT);
  assert.equal(await page.evaluate(() => window.__state.nested.server), 'ok');
  assert.deepEqual(await snapshot(page), { status: 'signedOut', reason: 'logout', email: null });
  assert.equal(await page.evaluate(() => localStorage.getItem('access_token')), null);
  assert.equal(await calls('POST', '/auth/logout'), 1);
  await assertNoPageProblems();
  await context.close();
});

test("an onLogout hook that logs out: both settle, with one logout", TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await openFixture(context, '&reenter=hook');
  assert.equal(await login(page), 'signedIn');
  const result = await page.evaluate(() => window.__auth.logout());
  assert.deepEqual(result, { server: 'ok', status: 200, errors: [] });
  assert.deepEqual(await page.evaluate(() => window.__state.nested), { server: 'ok', status: 200, errors: [] });
  assert.deepEqual(await page.evaluate(() => window.__state.log), ['onLogout']);
  assert.equal(await calls('POST', '/auth/logout'), 1);
  await assertNoPageProblems();
  await context.close();
});

test('bad arguments reject naming the field, with one rejection each', TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await openFixture(context);
  const messages = await page.evaluate(async () => {
    const auth = window.__auth;
    const calls = [auth.login({}), auth.verifyEmail({ email: 'a@b.c' }), auth.resendCode(null), auth.register(5), auth.setSession({})];
    const settled = await Promise.allSettled(calls);
    return settled.map((s) => `${s.reason?.code}: ${s.reason?.message}`);
  });
  assert.deepEqual(messages, [
    'invalid_argument: email must be a string',
    'invalid_argument: code must be a string',
    'invalid_argument: email must be a string',
    "invalid_argument: member must be an object of the member's fields",
    'invalid_argument: access_token must be a JWT whose exp is in the future',
  ]);
  assert.deepEqual(await received(), [], 'nothing was sent');
  await assertNoPageProblems();
  await context.close();
});

test('a client call the module does not know is an error, not another call', TEST_TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await openFixture(context);
  const answer = await page.evaluate(async () => {
    // The glue's one export, as index.js calls it, with a number no call has.
    const { clientCall } = await import('/pkg/sociapp_auth.js');
    const at = window.__auth.getSnapshot() && 1;
    const p = clientCall(at, 999);
    return p instanceof Promise ? p.then(() => 'resolved', (e) => `${e.code}: ${e.message}`) : `returned ${typeof p}`;
  });
  assert.equal(answer, 'invalid_argument: call is not a client call');
  await assertNoPageProblems();
  await context.close();
});
