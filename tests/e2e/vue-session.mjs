// The Vue demo (www/vue) as SociApp's own Vue frontend is shaped, end to end
// in headless Chromium: one axios instance whose fetch adapter goes through
// the auth store's `fetch`, a profile store fed from GET /auth/me through it,
// and the sign-up flow (register → the mailed code → verify-email, which
// signs the new member in).
//
// Registered by vue.test.mjs in the Vue demo's suite (demo-harness.mjs),
// which builds the demo against a dev server started with --test-faults and
// serves the build. The test registers a new member, reads the
// mailed code from GET /__test/code, tries a wrong code, asks for a new one,
// verifies and lands on the profile; then a reload keeps the session, a
// refused access token is renewed once and the profile request retried, a
// logout leaves no token and the next axios request carries none, and the
// same email cannot register twice. It waits on the page and on the dev
// server's record of requests only, each wait bounded.
//
// Environment: SOCIAPP_DEVSERVER, SOCIAPP_PKG_DIR, CHROMIUM (see support.mjs);
// DEMO_DEBUG=1 logs the page's requests and navigations to stderr.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { byTestId, lastSeq, serverRecord, text, waitText, watchPage } from './demo-harness.mjs';

// The HTTP error answers this test provokes, each from the one endpoint that
// gives it (Chromium's console line names the resource): a wrong code, a
// refused access token and a request after logout, an email registered twice.
const PROVOKED = [
  /status of 401 \(Unauthorized\) http:\/\/127\.0\.0\.1:\d+\/auth\/verify-email$/,
  /status of 401 \(Unauthorized\) http:\/\/127\.0\.0\.1:\d+\/auth\/me$/,
  /status of 409 \(Conflict\) http:\/\/127\.0\.0\.1:\d+\/auth\/register$/,
];

// axios's default Accept header: a request that carries it was made by axios.
const AXIOS_ACCEPT = 'application/json, text/plain, */*';
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const RECORD_WAIT_MS = 10_000;

// The dev server's URL, set as the test starts.
let api;

// The dev server's record after `since`, without CORS preflights.
async function requestsSince(since) {
  return (await serverRecord(api, since)).filter((r) => r.method !== 'OPTIONS');
}

// Asks the record after `since` again (each ask a round trip) until
// `done(records)` holds; fails after RECORD_WAIT_MS.
async function waitRecord(since, done, what) {
  const deadline = Date.now() + RECORD_WAIT_MS;
  for (;;) {
    const records = await requestsSince(since);
    if (done(records)) return records;
    if (Date.now() > deadline) {
      assert.fail(`${what}: not in the record within ${RECORD_WAIT_MS} ms: ${records.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    }
  }
}

const only = (records, method, path) => records.filter((r) => r.method === method && r.path === path);
const seqNow = async () => lastSeq(await serverRecord(api));

// The code the dev server "mailed" to `email` last.
async function mailedCode(email) {
  const response = await fetch(`${api}/__test/code?email=${encodeURIComponent(email)}`);
  assert.equal(response.status, 200, `GET /__test/code for ${email}`);
  const { code } = await response.json();
  assert.match(code, /^\d{6}$/);
  return code;
}

const storedToken = (page) => page.evaluate(() => localStorage.getItem('access_token'));

async function fillRegistration(page, member) {
  await page.fill(byTestId('register-email'), member.email);
  await page.fill(byTestId('register-nombre'), member.nombre);
  await page.fill(byTestId('register-apellidos'), member.apellidos);
  await page.fill(byTestId('register-password'), member.password);
  await page.selectOption(byTestId('register-categoria'), member.categoria);
}

/**
 * Registers the session test of the Vue demo. `suite` gives what the demo's
 * suite set up, once its `before` ran: `api()`, `site()` (the build is served
 * at site()/vue/), `browser()`, and the `warnings` list it reports.
 */
export function vueSessionTests(suite) {
  test('vue demo (session): register, verify with the mailed code, axios through auth.fetch, renewal, logout', { timeout: 180_000 }, async (t) => {
    api = suite.api();
    const site = suite.site();
    const { context, page, problems } = await watchPage(suite.browser(), { allow: PROVOKED, warnings: suite.warnings });
    // GET /auth/me as the page sent it: axios's Accept header tells who made it.
    const meRequests = [];
    page.on('request', (request) => {
      if (request.method() === 'GET' && request.url() === `${api}/auth/me`) meRequests.push(request);
    });
    const headersOf = (request) => request?.allHeaders() ?? {};
    const member = {
      email: `new.member.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}@sociapp.dev`,
      nombre: 'Lucía',
      apellidos: 'Fernández Ruiz',
      password: 'a-new-password',
      categoria: 'Monitor',
    };

    try {
      await t.test('register: the form posts the member row and leads to the code page, signed out', async () => {
        await page.goto(`${site}/vue/`);
        await page.waitForURL(/#\/login(\?|$)/);
        await waitText(page, 'auth-status', 'signedOut');
        await page.click(byTestId('login-register-link'));
        await page.waitForURL(/#\/register$/);
        const since = await seqNow();
        await fillRegistration(page, member);
        await page.click(byTestId('register-submit'));
        await page.waitForURL(/#\/verify\?email=/);
        assert.equal(await page.inputValue(byTestId('verify-email')), member.email);
        const records = await requestsSince(since);
        assert.equal(only(records, 'POST', '/auth/register').length, 1, 'one POST /auth/register');
        assert.deepEqual(records.filter((r) => r.authorization !== null).map((r) => `${r.method} ${r.path}`), []);
        assert.equal(await text(page, 'auth-status'), 'signedOut');
        assert.equal(await storedToken(page), null);
      });

      await t.test("a wrong code: the server's message, still signed out", async () => {
        const code = await mailedCode(member.email);
        const wrong = `${(Number(code[0]) + 1) % 10}${code.slice(1)}`;
        await page.fill(byTestId('verify-code'), wrong);
        await page.click(byTestId('verify-submit'));
        await waitText(page, 'verify-error', /Wrong or expired code: Código de verificación incorrecto/);
        assert.match(page.url(), /#\/verify\?email=/);
        assert.equal(await text(page, 'auth-status'), 'signedOut');
        assert.equal(await storedToken(page), null);
      });

      let code;
      await t.test('send a new code: the page says so, the server mailed one', async () => {
        const since = await seqNow();
        await page.click(byTestId('verify-resend'));
        await waitText(page, 'verify-message', /A new code was sent to/);
        assert.equal(only(await requestsSince(since), 'POST', '/auth/resend-code').length, 1, 'one POST /auth/resend-code');
        code = await mailedCode(member.email);
        assert.equal(await page.locator(byTestId('verify-error')).count(), 0);
      });

      await t.test('the new code signs the member in: the profile comes from /auth/me through axios with the token', async () => {
        const since = await seqNow();
        await page.fill(byTestId('verify-code'), code);
        await page.click(byTestId('verify-submit'));
        await page.waitForURL(/#\/profile$/);
        await waitText(page, 'auth-status', 'signedIn');
        await waitText(page, 'auth-user', member.email);
        await waitText(page, 'profile-email', member.email);
        await waitText(page, 'profile-name', `${member.nombre} ${member.apellidos}`);
        await waitText(page, 'profile-categoria', member.categoria);
        await waitText(page, 'profile-admin', 'yes');
        const records = await waitRecord(since, (r) => only(r, 'GET', '/auth/me').length > 0, 'GET /auth/me');
        assert.equal(only(records, 'POST', '/auth/verify-email').length, 1, 'one POST /auth/verify-email');
        assert.match(only(records, 'GET', '/auth/me').at(-1).authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        assert.match((await storedToken(page)) ?? '', JWT);
        const cookies = (await context.cookies()).map((c) => c.name);
        assert.ok(cookies.includes('refresh_token'), 'verify-email set the refresh cookie');
        const sent = await headersOf(meRequests.at(-1));
        assert.equal(sent.accept, AXIOS_ACCEPT, 'GET /auth/me was made by axios');
        assert.match(sent.authorization ?? '', /^Bearer /);
      });

      await t.test('a reload keeps the session and loads the profile again', async () => {
        const since = await seqNow();
        await page.reload();
        await waitText(page, 'auth-status', 'signedIn');
        await waitText(page, 'profile-email', member.email);
        await waitText(page, 'profile-state', 'loaded');
        assert.match(page.url(), /#\/profile$/);
        const me = only(await requestsSince(since), 'GET', '/auth/me');
        assert.ok(me.length > 0, 'the profile asked GET /auth/me');
        assert.match(me.at(-1).authorization ?? '', /^Bearer /);
      });

      await t.test('a refused access token: one refresh, the retried /auth/me succeeds, the profile shows', async () => {
        const before = await storedToken(page);
        const fault = await fetch(`${api}/__test/fault`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ path: '/auth/me', kind: 'status', status: 401 }),
        });
        assert.equal(fault.status, 200, 'POST /__test/fault');
        const since = await seqNow();
        await page.click(byTestId('profile-reload'));
        await waitRecord(since, (r) => only(r, 'GET', '/auth/me').length >= 2, 'the retried GET /auth/me');
        await waitText(page, 'profile-state', 'loaded');
        await waitText(page, 'profile-email', member.email);
        await waitText(page, 'auth-status', 'signedIn');
        const all = await requestsSince(since);
        const me = only(all, 'GET', '/auth/me');
        const refresh = only(all, 'POST', '/auth/refresh');
        assert.equal(me.length, 2, 'GET /auth/me, refused, then retried');
        assert.equal(refresh.length, 1, 'one POST /auth/refresh');
        assert.ok(me[0].seq < refresh[0].seq && refresh[0].seq < me[1].seq, 'refused, renewed, retried');
        assert.ok(refresh[0].cookie, 'the refresh carried the refresh cookie');
        assert.equal(me[0].authorization, `Bearer ${before}`);
        // The renewed token (identical to the refused one when both were issued within the same second).
        const after = await storedToken(page);
        assert.match(after ?? '', JWT);
        assert.equal(me[1].authorization, `Bearer ${after}`, 'the retry carried the renewed token');
        await waitText(page, 'timeline', /refresh:end outcome=ok/);
      });

      let beforeLogout;
      await t.test('logout: no token left, and the next axios request carries no Authorization', async () => {
        beforeLogout = await seqNow();
        await page.click(byTestId('logout'));
        await page.waitForURL(/#\/login(\?|$)/);
        await waitText(page, 'auth-status', 'signedOut');
        await waitText(page, 'logout-result', /server: ok/);
        await waitText(page, 'panel-token', 'none');
        assert.equal(await storedToken(page), null);
        const cookies = (await context.cookies()).map((c) => c.name);
        assert.ok(!cookies.includes('refresh_token'), `cookies left: ${cookies.join(', ')}`);
        await waitText(page, 'profile-state', 'idle');

        const sentBefore = meRequests.length;
        await page.click(byTestId('whoami'));
        await waitText(page, 'whoami-result', '401: not signed in');
        const since = await requestsSince(beforeLogout);
        assert.equal(only(since, 'POST', '/auth/logout').length, 1, 'one POST /auth/logout');
        assert.equal(only(since, 'GET', '/auth/me').length, 1, 'one GET /auth/me after logout');
        assert.deepEqual(
          since.filter((r) => r.authorization !== null).map((r) => `${r.method} ${r.path}`),
          [],
          'no request after logout carried an Authorization header',
        );
        const sent = meRequests.slice(sentBefore);
        assert.equal(sent.length, 1, 'the page sent one GET /auth/me');
        const headers = await headersOf(sent[0]);
        assert.equal(headers.accept, AXIOS_ACCEPT, 'the request after logout was made by axios');
        assert.equal(headers.authorization, undefined);
      });

      await t.test('registering the same email again: the conflict message', async () => {
        await page.click(byTestId('login-register-link'));
        await page.waitForURL(/#\/register$/);
        const since = await seqNow();
        await fillRegistration(page, { ...member, nombre: 'Otra', apellidos: 'Persona' });
        await page.click(byTestId('register-submit'));
        await waitText(page, 'register-error', /registered already/);
        assert.match(page.url(), /#\/register$/);
        assert.equal(only(await requestsSince(since), 'POST', '/auth/register').length, 1, 'one POST /auth/register');
        assert.equal(await text(page, 'auth-status'), 'signedOut');
      });
    } finally {
      await context.close();
    }
    assert.deepEqual(problems, []);
  });

}
