// The session lifecycle across tabs, in headless Chromium: two pages of one
// browser context (one origin, shared localStorage and cookies) running the
// release package from pkg/. A login in one tab is seen by the other; a
// logout in one signs the other out (over BroadcastChannel, and with it
// removed, over storage events) without a second server call; a page
// restored from the back/forward cache after a logout elsewhere shows the
// signed-out state at once; a failed server logout is retried after a
// reload, with no refresh. Waits are on page state and events, never sleeps.
//
// Run by `make test-pkg` (after `make pkg` and `cargo build -p
// sociapp-devserver`) as part of `node --test tests/e2e/`.
// Environment:
//   SOCIAPP_DEVSERVER  the dev server binary (default target/debug/sociapp-devserver)
//   SOCIAPP_PKG_DIR    the package folder (default pkg/)
//   CHROMIUM           the browser binary (default /usr/bin/chromium)
// The dev server's output is kept in target/devserver-lifecycle.log.

import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, EMAIL, PASSWORD, PKG_DIR, SERVER_BIN, devserverApi, launchChromium, startServer, tearDown } from './support.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// Upper bounds, so that a hung page or server fails the run instead of stalling it.
const TEST_TIMEOUT = { timeout: 60_000 };
const HOOK_TIMEOUT = { timeout: 90_000 };
const WAIT = { timeout: 20_000 };

const FIXTURE = '/lifecycle-fixture.html';
const AWAY = '/lifecycle-away.html';
const NO_BROADCAST_CHANNEL = () => {
  delete window.BroadcastChannel;
};
// A page without Web Locks (as in a page that is not a secure context): the
// SDK's refresh lock falls back to localStorage.
const NO_WEB_LOCKS = () => {
  Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
};
const REFRESH_LOCK = 'sociapp-auth:access_token:refresh';

let stage;
let server;
let browser;
let api;
let site;
/** Pages opened by the current test, with what Playwright saw go wrong in them. */
let opened = [];

process.once('exit', () => server?.kill());

/** The dev server's test switches. */
const testApi = (method, path, body) => devserverApi(api).call(method, path, body);

/** The requests the API received (preflights left out), as "METHOD path". */
const received = async () => (await devserverApi(api).requests()).map((e) => `${e.method} ${e.path}`);

/** A new browser context (a fresh profile: storage and cookies of its own). */
async function newContext({ broadcastChannel = true, webLocks = true } = {}) {
  const context = await browser.newContext();
  if (!broadcastChannel) await context.addInitScript(NO_BROADCAST_CHANNEL);
  if (!webLocks) await context.addInitScript(NO_WEB_LOCKS);
  return context;
}

/** Opens the fixture in a new page of `context` and waits for its client (`timeout`: its timeoutMs). */
async function openFixture(context, name, { timeout, debug } = {}) {
  const page = await context.newPage();
  const seen = { name, page, errors: [] };
  page.on('pageerror', (e) => seen.errors.push(`page error: ${e.stack ?? e.message}`));
  page.on('console', (msg) => {
    // The browser logs each non-2xx answer and failed request as an error of
    // the page; those are the tests' doing. Anything else is a problem.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource:')) {
      seen.errors.push(`console error: ${msg.text()}`);
    }
  });
  opened.push(seen);
  const query = `?api=${encodeURIComponent(api)}${timeout ? `&timeout=${timeout}` : ''}${debug ? '&debug' : ''}`;
  const response = await page.goto(`${site}${FIXTURE}${query}`);
  assert.equal(response?.status(), 200);
  await ready(page);
  return page;
}

const ready = (page) => page.waitForFunction(() => window.__state?.ready === true, null, WAIT);
const state = (page) => page.evaluate(() => window.__state);
const token = (page) => page.evaluate(() => window.__auth.getAccessToken() ?? null);
const snapshot = (page) => page.evaluate(() => {
  const s = window.__auth.getSnapshot();
  return { status: s.status, reason: s.reason, email: s.user?.email ?? null };
});

async function login(page) {
  return page.evaluate(async ([email, password]) => {
    const s = await window.__auth.login({ email, password });
    return s.status;
  }, [EMAIL, PASSWORD]);
}

async function logout(page) {
  return page.evaluate(async () => {
    const r = await window.__auth.logout();
    return { server: r.server, status: r.status ?? null, errors: r.errors.map((e) => e.step) };
  });
}

/** Waits until the page's client is signed in (with no reload). */
const signedIn = (page) => page.waitForFunction(() => window.__auth?.getSnapshot().status === 'signedIn', null, WAIT);

/** Waits until the page's onLogout hook and navigation have both run. */
const tornDown = (page) => page.waitForFunction(
  () => window.__state.log.includes('onLogout') && window.__state.log.some((e) => e.startsWith('navigate:')),
  null,
  WAIT,
);

/** No uncaught exception or unhandled rejection in any page of the test. */
async function assertNoPageProblems() {
  for (const { name, page, errors } of opened) {
    const inPage = page.isClosed() ? [] : await page.evaluate(() => window.__state?.problems ?? []).catch(() => []);
    assert.deepEqual([...errors, ...inPage], [], `problems in page ${name}`);
  }
}

/**
 * Two tabs of one profile, both signed in by a login in the first. Over the
 * storage events B picks the login up while open; over BroadcastChannel it
 * does not always (see the login test below), so there B opens after the
 * login and restores the session from storage.
 */
async function twoSignedInTabs(options) {
  const channel = options?.broadcastChannel !== false;
  const context = await newContext(options);
  const a = await openFixture(context, 'A');
  let b = channel ? null : await openFixture(context, 'B');
  assert.equal(await login(a), 'signedIn');
  if (channel) b = await openFixture(context, 'B');
  await signedIn(b);
  for (const page of [a, b]) {
    assert.equal(await page.evaluate(() => typeof window.BroadcastChannel), channel ? 'function' : 'undefined');
  }
  assert.equal(await token(b), await token(a), 'B took the session A signed in with');
  return { context, a, b };
}

/** Logout in A signs B out: B runs its own hook and navigation, makes no call. */
async function crossTabLogout(options) {
  const { context, a, b } = await twoSignedInTabs(options);
  await testApi('POST', '/__test/reset');
  const result = await logout(a);
  assert.deepEqual(result, { server: 'ok', status: 200, errors: [] });
  await tornDown(b);
  const sb = await state(b);
  assert.deepEqual(sb.log, ['onLogout', 'navigate:/'], 'B ran its own hook, then its navigation, once each');
  assert.deepEqual(sb.snapshots.at(-1), { status: 'signedOut', reason: 'other_tab', email: null });
  assert.equal(await token(b), null);
  assert.deepEqual((await state(a)).log, ['onLogout', 'navigate:/']);
  assert.deepEqual(await snapshot(a), { status: 'signedOut', reason: 'logout', email: null });
  assert.equal(await a.evaluate(() => localStorage.getItem('access_token')), null);
  assert.deepEqual(await received(), ['POST /auth/logout'], 'only the tab that logged out called the server');
  await assertNoPageProblems();
  await context.close();
}

before(async () => {
  assert.ok(existsSync(SERVER_BIN), `${SERVER_BIN} is missing: run 'cargo build -p sociapp-devserver'`);
  for (const file of ['index.js', 'sociapp_auth.js', 'sociapp_auth_bg.wasm']) {
    assert.ok(existsSync(join(PKG_DIR, file)), `${join(PKG_DIR, file)} is missing: run 'make pkg'`);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'make setup'`);

  stage = mkdtempSync(join(tmpdir(), 'sociapp-lifecycle-'));
  cpSync(PKG_DIR, join(stage, 'pkg'), { recursive: true });
  cpSync(join(HERE, 'lifecycle-fixture.html'), join(stage, FIXTURE));
  cpSync(join(HERE, 'lifecycle-away.html'), join(stage, AWAY));

  server = startServer(stage, ['--test-faults']);
  ({ api, site } = await server.ready);

  // Playwright turns the back/forward cache off by default; the bfcache
  // tests need it as browsers ship it.
  browser = await launchChromium([], { ignoreDefaultArgs: ['--disable-back-forward-cache'] });
}, HOOK_TIMEOUT);

beforeEach(async () => {
  opened = [];
  await testApi('POST', '/__test/reset');
});

after(() => tearDown({ browser, server, stage, logName: 'devserver-lifecycle.log' }), HOOK_TIMEOUT);

/**
 * Logs in in A `rounds` times (logging out in between) while B is open;
 * returns the rounds in which B did not pick the login up within `within` ms.
 */
async function loginRounds(options, rounds, within) {
  const context = await newContext(options);
  const a = await openFixture(context, 'A');
  const b = await openFixture(context, 'B');
  assert.deepEqual(await snapshot(b), { status: 'signedOut', reason: null, email: null });
  const missed = [];
  for (let round = 0; round < rounds; round += 1) {
    await testApi('POST', '/__test/reset');
    assert.equal(await login(a), 'signedIn');
    try {
      await b.waitForFunction(() => window.__auth.getSnapshot().status === 'signedIn', null, { timeout: within });
      assert.deepEqual(await snapshot(b), { status: 'signedIn', reason: null, email: EMAIL });
      assert.equal(await token(b), await token(a));
    } catch (e) {
      if (!(e instanceof Error && e.name === 'TimeoutError')) throw e;
      const stored = await b.evaluate(() => localStorage.getItem('access_token') !== null);
      missed.push(`round ${round}: B stayed signed out (B sees the token in localStorage: ${stored})`);
    }
    assert.deepEqual(await received(), ['POST /auth/login'], 'B made no request of its own');
    assert.equal((await logout(a)).server, 'ok');
    await b.waitForFunction(() => window.__auth.getSnapshot().status === 'signedOut', null, WAIT);
  }
  await assertNoPageProblems();
  await context.close();
  return missed;
}

test('a login in one tab is seen by the other without a reload (BroadcastChannel)', {
  ...TEST_TIMEOUT,
  // The 'login' message can reach the other tab before the token written
  // to localStorage is visible there (another renderer process; the two
  // travel separately); the storage event on the token key brings the tab
  // along once it is. 20 rounds make the overtaking show in almost every run.
}, async (t) => {
  const missed = await loginRounds({ broadcastChannel: true }, 20, 2_000);
  for (const m of missed) t.diagnostic(m);
  assert.deepEqual(missed, [], `B missed ${missed.length} of 20 logins`);
});

test('logout in one tab signs the other out over BroadcastChannel, with one server call', TEST_TIMEOUT, async () => {
  await crossTabLogout({ broadcastChannel: true });
});

test('without BroadcastChannel, storage events carry the logout to the other tab', TEST_TIMEOUT, async () => {
  await crossTabLogout({ broadcastChannel: false });
});

test('without BroadcastChannel, a login in one tab is seen by the other without a reload', TEST_TIMEOUT, async () => {
  // Over storage events the token is in B's localStorage when the event comes.
  const missed = await loginRounds({ broadcastChannel: false }, 5, WAIT.timeout);
  assert.deepEqual(missed, []);
});

/** Polls the dev server until `cond` holds (bounded; each poll is a round trip). */
async function until(what, cond) {
  for (let i = 0; i < 2_000; i += 1) {
    if (await cond()) return;
  }
  assert.fail(`gave up waiting for ${what}`);
}

/**
 * B's main thread is busy (blocked in synchronous requests) while A logs out
 * and at once signs in again; then B catches up on what it missed. Every tab
 * must end signed in with A's new session, and the new token must stay in
 * storage.
 */
async function reloginWhileTheOtherTabIsBusy(options) {
  const { context, a, b } = await twoSignedInTabs(options);
  await testApi('POST', '/__test/reset');
  const busy = b.evaluate((base) => {
    const get = (path) => {
      const x = new XMLHttpRequest();
      x.open('GET', base + path, false);
      x.send();
      return x.responseText;
    };
    get('/auth/me?b-busy');
    for (let i = 0; i < 5_000; i += 1) {
      if (get('/__test/requests').includes('/auth/me?a-done')) return true;
    }
    return false;
  }, api);
  await until('B to block', async () => (await received()).includes('GET /auth/me?b-busy'));
  const fresh = await a.evaluate(async ([base, email, password]) => {
    await window.__auth.logout();
    await window.__auth.login({ email, password });
    const t = window.__auth.getAccessToken();
    await fetch(`${base}/auth/me?a-done`);
    return t;
  }, [api, EMAIL, PASSWORD]);
  assert.equal(await busy, true, 'B was blocked until A was done');
  await tornDown(b);
  const settled = await b.waitForFunction(() => window.__auth.getSnapshot().status === 'signedIn', null, { timeout: 5_000 })
    .then(() => true, () => false);
  const outcome = {
    storedToken: (await a.evaluate(() => localStorage.getItem('access_token'))) === fresh ? 'the new one' : 'lost',
    a: (await snapshot(a)).status,
    b: settled ? ((await token(b)) === fresh ? 'signedIn with the new token' : 'signedIn with another token') : 'signedOut',
  };
  await a.reload();
  await ready(a);
  outcome.aAfterReload = (await snapshot(a)).status;
  assert.deepEqual(outcome, { storedToken: 'the new one', a: 'signedIn', b: 'signedIn with the new token', aAfterReload: 'signedIn' });
  await assertNoPageProblems();
  await context.close();
}

// A tab that hears of another tab's logout late, after that tab signed in
// again, must not remove the new token (it removes only the token it held)
// and must come along with the new login.
test('a tab that hears of a logout late keeps the login that followed it (storage events)', {
  ...TEST_TIMEOUT,
}, async () => {
  await reloginWhileTheOtherTabIsBusy({ broadcastChannel: false });
});

test('a tab that hears of a logout late keeps the login that followed it (BroadcastChannel)', {
  ...TEST_TIMEOUT,
}, async () => {
  await reloginWhileTheOtherTabIsBusy({ broadcastChannel: true });
});

/** Whether the static listener's answers keep pages out of the bfcache. */
async function staticCacheControl() {
  const page = await fetch(`${site}${FIXTURE}`);
  const wasm = await fetch(`${site}/pkg/sociapp_auth_bg.wasm`);
  await Promise.all([page.arrayBuffer(), wasm.arrayBuffer()]);
  return { page: page.headers.get('cache-control') ?? '', wasm: wasm.headers.get('cache-control') ?? '' };
}

/**
 * A (signed in) goes to another page of the app; B logs out; A goes Back.
 * Returns what A showed and why Chromium did not restore it, if it did not.
 */
async function backAfterLogoutElsewhere(options) {
  const { context, a, b } = await twoSignedInTabs(options);
  const cdp = await context.newCDPSession(a);
  await cdp.send('Page.enable');
  const notRestored = [];
  cdp.on('Page.backForwardCacheNotUsed', (e) => {
    for (const x of e.notRestoredExplanations ?? []) notRestored.push(`${x.reason} (${x.type})`);
  });
  // A link, as a user would leave: a navigation the page itself starts.
  await a.click('#away');
  await a.waitForURL(`**${AWAY}`, WAIT);
  await testApi('POST', '/__test/reset');
  assert.equal((await logout(b)).server, 'ok');
  // A restore fires no load event: wait for the commit, then for the page.
  await a.goBack({ waitUntil: 'commit', ...WAIT });
  await a.waitForFunction(
    () => window.__state?.ready === true
      && (window.__state.shows.some((s) => s.persisted)
        || performance.getEntriesByType('navigation')[0]?.type === 'back_forward'),
    null,
    WAIT,
  );
  const sa = await state(a);
  return { context, a, b, sa, notRestored, restored: sa.shows.some((s) => s.persisted) };
}

test('bfcache: a page restored after a logout in another tab is signed out at once (storage events)', TEST_TIMEOUT, async (t) => {
  // Without BroadcastChannel the other tab's logout reaches A only as a
  // change of localStorage, which a page in the bfcache does not hear: A
  // must notice on `pageshow` (persisted) and sign out then.
  const headers = await staticCacheControl();
  const { context, a, sa, notRestored, restored } = await backAfterLogoutElsewhere({ broadcastChannel: false });
  if (!restored) {
    t.diagnostic(`Chromium did not restore the page from the bfcache: ${notRestored.join(', ') || 'no reason given'}`);
    t.diagnostic(`the static listener answers with Cache-Control "${headers.page}" (page) and "${headers.wasm}" (wasm)`);
  }
  assert.equal(restored, true, `restored from the bfcache (not: ${notRestored.join(', ')})`);
  const shown = sa.shows.find((s) => s.persisted);
  assert.deepEqual(shown, { persisted: true, status: 'signedOut', reason: 'other_tab', token: false },
    'signed out by the time the pageshow event reached the page');
  await tornDown(a);
  assert.deepEqual((await state(a)).log, ['onLogout', 'navigate:/'], 'A ran its hook and navigation');
  assert.deepEqual(await received(), ['POST /auth/logout'], 'only B called the server');
  await assertNoPageProblems();
  await context.close();
});

test('bfcache: with BroadcastChannel, going Back after a logout elsewhere shows a signed-out page', TEST_TIMEOUT, async (t) => {
  // A message for a page in the bfcache evicts it (Chromium:
  // BroadcastChannelOnMessage), so Back loads A afresh; either way A must
  // never be shown signed in.
  const { context, a, sa, notRestored, restored } = await backAfterLogoutElsewhere({ broadcastChannel: true });
  t.diagnostic(restored ? 'restored from the bfcache' : `loaded afresh: ${notRestored.join(', ') || 'no reason given'}`);
  if (restored) {
    const shown = sa.shows.find((s) => s.persisted);
    assert.deepEqual(shown, { persisted: true, status: 'signedOut', reason: 'other_tab', token: false });
  } else {
    assert.equal(sa.snapshots[0].status, 'signedOut', 'the fresh page starts signed out');
    assert.equal(await token(a), null);
  }
  assert.deepEqual(await received(), ['POST /auth/logout'], 'only B called the server');
  await assertNoPageProblems();
  await context.close();
});

test('a failed server logout is retried after a reload, and nothing refreshes meanwhile', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const a = await openFixture(context, 'A');
  assert.equal(await login(a), 'signedIn');
  await testApi('POST', '/__test/fault', { path: '/auth/logout', kind: 'status', status: 500 });
  assert.deepEqual(await logout(a), { server: 'failed', status: 500, errors: [] });
  assert.equal(await a.evaluate(() => localStorage.getItem('access_token:logged_out')), '1', 'the marker stands');

  await a.reload();
  await ready(a);
  // The retry clears the marker once the server confirms.
  await a.waitForFunction(() => localStorage.getItem('access_token:logged_out') === null, null, WAIT);
  // A request to the API after the reload: 401 without a token, and no refresh.
  const status = await a.evaluate(async (base) => (await window.__auth.fetch(`${base}/auth/me?after-reload`)).status, api);
  assert.equal(status, 401);
  assert.deepEqual(await received(), [
    'POST /auth/login',
    'POST /auth/logout',
    'POST /auth/logout',
    'GET /auth/me?after-reload',
  ], 'the retried logout reached the server; no refresh was made');
  assert.deepEqual(await snapshot(a), { status: 'signedOut', reason: null, email: null });
  await assertNoPageProblems();
  await context.close();
});

test('logout wins over a login still pending in the same tab', {
  ...TEST_TIMEOUT,
  // The login's epoch is taken when it is called, so a logout called right
  // after it voids its answer.
}, async () => {
  const context = await newContext();
  const a = await openFixture(context, 'A');
  const outcome = await a.evaluate(async ([email, password]) => {
    const auth = window.__auth;
    const pending = auth.login({ email, password });
    const out = auth.logout();
    const [l, o] = await Promise.allSettled([pending, out]);
    return {
      login: l.status === 'rejected' ? l.reason?.code : `resolved ${l.value?.status}`,
      logout: o.value?.server,
      status: auth.getSnapshot().status,
      token: auth.getAccessToken() ?? null,
      stored: localStorage.getItem('access_token'),
    };
  }, [EMAIL, PASSWORD]);
  assert.deepEqual(outcome, { login: 'superseded', logout: 'ok', status: 'signedOut', token: null, stored: null });
  await assertNoPageProblems();
  await context.close();
});

// ---- One refresh across tabs -------------------------------------------
// The dev server rotates refresh tokens strictly (a refresh token works
// once): two tabs refreshing with the same cookie would sign one of them out.

/** A JWT the server refuses (its signature is wrong) that looks valid to the client. */
const forge = (token) => `${token.slice(0, token.lastIndexOf('.'))}.bm90LXRoZS1zaWduYXR1cmU`;

/**
 * `count` tabs of one profile signed in with a token the server refuses
 * (as if it had expired there): A logs in for real (the browser holds the
 * refresh cookie), the stored token is replaced by a forged one, and every
 * tab starts from storage.
 */
async function tabsWithARefusedToken(count, options) {
  const context = await newContext(options);
  const first = await openFixture(context, 'A', options);
  assert.equal(await login(first), 'signedIn');
  const real = await token(first);
  await first.evaluate((t) => localStorage.setItem('access_token', t), forge(real));
  await first.close();
  const tabs = [];
  for (let i = 0; i < count; i++) tabs.push(await openFixture(context, String.fromCharCode(66 + i), options));
  for (const tab of tabs) assert.equal(await token(tab), forge(real), 'every tab holds the refused token');
  await testApi('POST', '/__test/reset');
  return { context, tabs, refused: forge(real) };
}

/** In every tab at once: auth.fetch of /auth/me; the statuses. */
const fetchMeEverywhere = (tabs) =>
  Promise.all(tabs.map((tab, i) => tab.evaluate((url) => window.__auth.fetch(url).then((r) => r.status), `${api}/auth/me?tab=${i}`)));

/** Polls the dev server until `count` requests to `path` are held there (bounded). */
async function heldAt(path, count) {
  for (let i = 0; i < 500; i++) {
    if (((await testApi('GET', '/__test/held'))[path] ?? 0) >= count) return;
  }
  assert.fail(`${count} requests to ${path} were never held at once`);
}

async function oneRefreshAcrossTabs(count, options) {
  const { context, tabs, refused } = await tabsWithARefusedToken(count, { ...options, debug: true });
  // The server holds the first refresh until every tab has begun its own
  // (the others then wait for the lock).
  await testApi('POST', '/__test/fault', { path: '/auth/refresh', kind: 'hold' });
  let statuses;
  if (options?.webLocks === false) {
    // The lock in localStorage is an entry the other tabs see a moment after
    // it is written: it keeps out a tab that asks once another holds it, not
    // tabs that ask within the same few milliseconds (docs/architecture.md).
    // The first tab takes it (its refresh is held), then the others ask.
    const first = fetchMeEverywhere(tabs.slice(0, 1));
    await heldAt('/auth/refresh', 1);
    const rest = fetchMeEverywhere(tabs.slice(1));
    statuses = Promise.all([first, rest]).then((lists) => lists.flat());
  } else {
    // Web Locks: the server holds each tab's request, then answers all of
    // them (401: the token is refused) at the same moment: the tabs all need
    // a refresh at once.
    await testApi('POST', '/__test/fault', { path: '/auth/me', kind: 'hold', times: count });
    statuses = fetchMeEverywhere(tabs);
    await heldAt('/auth/me', count);
    await testApi('POST', '/__test/release', { path: '/auth/me' });
    await heldAt('/auth/refresh', 1);
  }
  for (const tab of tabs) {
    await tab.waitForFunction(() => window.__state.events.some((e) => e.type === 'refresh:start'), null, WAIT);
  }
  await testApi('POST', '/__test/release', { path: '/auth/refresh' });
  assert.deepEqual(await statuses, tabs.map(() => 200), 'every request succeeded');
  const refreshes = (await received()).filter((r) => r === 'POST /auth/refresh');
  assert.equal(refreshes.length, 1, 'one refresh for all the tabs');
  const tokens = await Promise.all(tabs.map(token));
  const stored = await tabs[0].evaluate(() => localStorage.getItem('access_token'));
  assert.notEqual(stored, refused);
  assert.deepEqual(tokens, tabs.map(() => stored), 'every tab uses the stored new token');
  for (const tab of tabs) assert.deepEqual(await snapshot(tab), { status: 'signedIn', reason: null, email: EMAIL });
  await assertNoPageProblems();
  await context.close();
}

for (const count of [2, 3]) {
  test(`${count} tabs whose token the server refuses make one refresh between them (Web Locks)`, TEST_TIMEOUT, () =>
    oneRefreshAcrossTabs(count));
  test(`${count} tabs whose token the server refuses make one refresh between them (lock in localStorage)`, TEST_TIMEOUT, () =>
    oneRefreshAcrossTabs(count, { webLocks: false }));
}

/** A page of the app that takes the refresh lock and never lets it go, as a tab that dies or hangs mid-refresh. */
async function lockHolder(context) {
  const holder = await context.newPage();
  await holder.goto(`${site}${AWAY}`);
  await holder.evaluate((name) => new Promise((held) => {
    navigator.locks.request(name, () => {
      held();
      return new Promise(() => {});
    });
  }), REFRESH_LOCK);
  return holder;
}

test('a tab closed while it holds the refresh lock does not stop another from refreshing', TEST_TIMEOUT, async () => {
  const { context, tabs } = await tabsWithARefusedToken(1);
  const [b] = tabs;
  const holder = await lockHolder(context);
  assert.equal(await b.evaluate(async (name) => (await navigator.locks.query()).held.filter((l) => l.name === name).length, REFRESH_LOCK), 1);
  await holder.close();
  assert.deepEqual(await fetchMeEverywhere([b]), [200]);
  assert.deepEqual((await received()).filter((r) => r === 'POST /auth/refresh'), ['POST /auth/refresh']);
  await assertNoPageProblems();
  await context.close();
});

test('a tab that holds the refresh lock and hangs delays another tab by timeoutMs at most', TEST_TIMEOUT, async () => {
  const timeout = 1500;
  const { context, tabs } = await tabsWithARefusedToken(1, { timeout });
  const [b] = tabs;
  const holder = await lockHolder(context);
  // B waits for the lock no longer than its timeoutMs, then refreshes without it.
  assert.deepEqual(await fetchMeEverywhere([b]), [200]);
  assert.deepEqual((await received()).filter((r) => r === 'POST /auth/refresh'), ['POST /auth/refresh']);
  assert.equal(await holder.evaluate(async (name) => (await navigator.locks.query()).held.filter((l) => l.name === name).length, REFRESH_LOCK), 1, 'the hung tab still holds it');
  await assertNoPageProblems();
  await context.close();
});

test('without Web Locks, a dead tab\'s lock entry expires after timeoutMs', TEST_TIMEOUT, async () => {
  const timeout = 1500;
  const { context, tabs } = await tabsWithARefusedToken(1, { timeout, webLocks: false });
  const [b] = tabs;
  // The entry a tab that died mid-refresh leaves behind.
  await b.evaluate(([name, ms]) => localStorage.setItem(name, `gone ${Date.now() + ms}`), [REFRESH_LOCK, timeout / 2]);
  assert.deepEqual(await fetchMeEverywhere([b]), [200]);
  assert.deepEqual((await received()).filter((r) => r === 'POST /auth/refresh'), ['POST /auth/refresh']);
  assert.equal(await b.evaluate((name) => localStorage.getItem(name), REFRESH_LOCK), null, 'the lock was let go');
  await assertNoPageProblems();
  await context.close();
});

// ---- Debug events across tabs -------------------------------------------

/** A page's debug events as "type fact…" lines (time and durations left out). */
const eventLines = (page) => page.evaluate(() => window.__state.events.map((e) => {
  const { type, time, ms, ...facts } = e;
  return [type, ...Object.values(facts)].join(' ');
}));

test('debug events: a logout in one tab, and the other tab\'s sign-out, step by step', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const a = await openFixture(context, 'A', { debug: true });
  assert.equal(await login(a), 'signedIn');
  const b = await openFixture(context, 'B', { debug: true });
  await signedIn(b);
  assert.deepEqual(await eventLines(a), ['login:start', 'tab:sent login', 'login:end ok 200']);
  await logout(a);
  await tornDown(b);
  assert.deepEqual(await eventLines(a), [
    'login:start', 'tab:sent login', 'login:end ok 200',
    'signout:start logout',
    'signout:step token true',
    'tab:sent logout',
    'logout:request ok 200',
    'signout:step sessionStorage true',
    'signout:step onLogout true 0',
    'signout:step navigate true',
    'signout:end logout',
  ]);
  // B hears the other tab (the channel's message, or first the token's
  // removal from storage) and tears down on its own, with no server call.
  await b.waitForFunction(() => window.__state.events.some((e) => e.type === 'tab:received'), null, WAIT);
  const heard = await eventLines(b);
  assert.deepEqual(heard.filter((l) => l === 'tab:received logout').length, 1);
  assert.deepEqual(heard.filter((l) => l !== 'tab:received logout'), [
    'signout:start other_tab',
    'signout:step token true',
    'signout:step sessionStorage true',
    'signout:step onLogout true 0',
    'signout:step navigate true',
    'signout:end other_tab',
  ]);
  for (const page of [a, b]) {
    const events = await page.evaluate(() => window.__state.events);
    assert.ok(events.every((e) => typeof e.time === 'number'), 'each event has a time');
    assert.deepEqual(JSON.parse(JSON.stringify(events)), events, 'plain, JSON-serialisable data');
  }
  await assertNoPageProblems();
  await context.close();
});

test('debug events: tabs refreshing together, one through the lock and one adopting its token', TEST_TIMEOUT, async () => {
  const { context, tabs } = await tabsWithARefusedToken(2, { debug: true });
  await testApi('POST', '/__test/fault', { path: '/auth/me', kind: 'hold', times: 2 });
  const statuses = fetchMeEverywhere(tabs);
  await heldAt('/auth/me', 2);
  await testApi('POST', '/__test/release', { path: '/auth/me' });
  assert.deepEqual(await statuses, [200, 200]);
  const lines = await Promise.all(tabs.map(async (tab) => (await eventLines(tab)).filter((l) => l.startsWith('refresh:'))));
  const refreshed = lines.filter((l) => l.includes('refresh:end ok 200'));
  const adopted = lines.filter((l) => l.includes('refresh:adopted'));
  // The second tab either adopted the token under the lock, or saw it stored
  // before its own 401 was handled (then it made no refresh at all).
  assert.equal(refreshed.length, 1, JSON.stringify(lines));
  assert.deepEqual(refreshed[0], ['refresh:start', 'refresh:lock held', 'refresh:end ok 200']);
  for (const other of lines.filter((l) => l !== refreshed[0])) {
    assert.ok(other.length === 0 || adopted.includes(other), JSON.stringify(lines));
    if (other.length) assert.deepEqual(other, ['refresh:start', 'refresh:lock held', 'refresh:adopted', 'refresh:end ok 0']);
  }
  await assertNoPageProblems();
  await context.close();
});
