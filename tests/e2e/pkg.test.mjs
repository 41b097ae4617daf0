// Smoke test of the release npm package (pkg/) in headless Chromium: the page
// is served by the dev server's static listener and talks to its API on
// another origin, as an app would. Also drives the minimal demo (www/minimal)
// on top of the same package.
//
// Run by `make test-pkg` (after `make pkg` and `cargo build -p
// sociapp-devserver`) as `node --test tests/e2e/pkg.test.mjs`.
// Environment:
//   SOCIAPP_DEVSERVER  the dev server binary (default target/debug/sociapp-devserver)
//   SOCIAPP_PKG_DIR    the package folder (default pkg/)
//   CHROMIUM           the browser binary (default /usr/bin/chromium)
// The dev server's output is kept in target/devserver-pkg-smoke.log.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, EMAIL, PASSWORD, PKG_DIR, ROOT, SERVER_BIN, launchChromium, startServer, tearDown } from './support.mjs';

// Upper bounds, so that a hung page or server fails the run instead of stalling it.
const STEP_TIMEOUT = { timeout: 30_000 };
const HOOK_TIMEOUT = { timeout: 90_000 };

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>sociapp-auth package smoke test</title>
</head>
<body><p>sociapp-auth package smoke test</p></body>
</html>
`;

let stage;
let server;
let browser;
let page;
let api;
let site;
const problems = [];
const warnings = [];

// A page in a context of its own (own localStorage) whose errors are recorded.
async function watchedPage() {
  const context = await browser.newContext();
  const p = await context.newPage();
  p.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e.message}`));
  p.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    else if (msg.type() === 'warning') warnings.push(msg.text());
  });
  p.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  return p;
}

// Also when the runner is interrupted or the process ends on an error.
process.once('exit', () => server?.kill());

before(async () => {
  assert.ok(existsSync(SERVER_BIN), `${SERVER_BIN} is missing: run 'cargo build -p sociapp-devserver'`);
  for (const file of ['index.js', 'sociapp_auth.js', 'sociapp_auth_bg.wasm', 'package.json']) {
    assert.ok(existsSync(join(PKG_DIR, file)), `${join(PKG_DIR, file)} is missing: run 'make pkg'`);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'make setup'`);

  stage = mkdtempSync(join(tmpdir(), 'sociapp-pkg-smoke-'));
  cpSync(PKG_DIR, join(stage, 'pkg'), { recursive: true });
  writeFileSync(join(stage, 'index.html'), PAGE);
  cpSync(join(ROOT, 'www/minimal'), join(stage, 'minimal'), { recursive: true });
  cpSync(PKG_DIR, join(stage, 'minimal/pkg'), { recursive: true });

  server = startServer(stage);
  ({ api, site } = await server.ready);

  browser = await launchChromium();
  page = await watchedPage();
  const response = await page.goto(`${site}/index.html`);
  assert.equal(response?.status(), 200, 'the test page loads from the static listener');
}, HOOK_TIMEOUT);

after(() => tearDown({ browser, server, stage, logName: 'devserver-pkg-smoke.log' }), HOOK_TIMEOUT);

test('the static listener serves the package with the right media types', STEP_TIMEOUT, async () => {
  const wasm = await fetch(`${site}/pkg/sociapp_auth_bg.wasm`);
  assert.equal(wasm.status, 200);
  assert.match(wasm.headers.get('content-type') ?? '', /^application\/wasm\b/);
  await wasm.arrayBuffer();
  const js = await fetch(`${site}/pkg/index.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /^(text|application)\/javascript\b/);
  await js.text();
});

test('importing the package in Node (no window) fetches nothing and defines no window', STEP_TIMEOUT, async () => {
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (...args) => {
    calls.push(String(args[0]));
    return realFetch(...args);
  };
  try {
    const entry = await import(pathToFileURL(join(PKG_DIR, 'index.js')).href);
    assert.equal(typeof entry.createAuthClient, 'function');
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.deepEqual(calls, [], 'no request at import time');
  assert.equal(typeof globalThis.window, 'undefined');
});

test('importing the package in a browser starts loading the .wasm before createAuthClient', STEP_TIMEOUT, async () => {
  const fresh = await watchedPage();
  await fresh.goto(`${site}/index.html`);
  const wasmRequest = fresh.waitForRequest((req) => req.url().endsWith('/pkg/sociapp_auth_bg.wasm'), { timeout: 10_000 });
  // Only the import: no client is created in this page.
  await fresh.evaluate(() => import('/pkg/index.js').then(() => undefined));
  const request = await wasmRequest;
  assert.equal(request.method(), 'GET');
  await (await request.response())?.finished();
  await fresh.context().close();
});

test('the release package signs in, reads the user and logs out in Chromium', { timeout: 120_000 }, async (t) => {
  await t.test('createAuthClient loads the module and makes a signed-out client', STEP_TIMEOUT, async () => {
    const result = await page.evaluate(async (baseUrl) => {
      const { createAuthClient } = await import('/pkg/index.js');
      window.__nav = undefined;
      window.__auth = await createAuthClient({ baseUrl, navigate: (p) => { window.__nav = p; } });
      window.__snapshots = [];
      window.__unsubscribe = window.__auth.subscribe((s) => window.__snapshots.push(s.status));
      // A listener removed at once hears nothing; ids differ.
      window.__removed = [];
      const first = window.__auth.addListener((s) => window.__removed.push(s.status));
      const second = window.__auth.addListener((s) => window.__removed.push(s.status));
      window.__auth.removeListener(first);
      window.__auth.removeListener(second);
      return {
        status: window.__auth.getSnapshot().status,
        token: window.__auth.getAccessToken() ?? null,
        ids: typeof first === 'number' && first !== second,
      };
    }, api);
    assert.deepEqual(result, { status: 'signedOut', token: null, ids: true });
  });

  await t.test('login with the demo credentials stores the access token', STEP_TIMEOUT, async () => {
    const result = await page.evaluate(async ([email, password]) => {
      const snapshot = await window.__auth.login({ email, password });
      return {
        status: snapshot.status,
        email: snapshot.user?.email ?? null,
        stored: localStorage.getItem('access_token'),
        inMemory: window.__auth.getAccessToken() ?? null,
        current: window.__auth.getSnapshot().status,
        seen: [...window.__snapshots],
        removed: [...window.__removed],
      };
    }, [EMAIL, PASSWORD]);
    assert.equal(result.status, 'signedIn');
    assert.equal(result.email, EMAIL);
    assert.equal(typeof result.stored, 'string');
    assert.match(result.stored, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'localStorage.access_token holds a JWT');
    assert.equal(result.inMemory, result.stored);
    assert.equal(result.current, 'signedIn');
    assert.ok(result.seen.includes('signedIn'), `subscribe saw the sign-in (saw ${JSON.stringify(result.seen)})`);
    assert.deepEqual(result.removed, [], 'removed listeners are not called');
  });

  await t.test("me() returns the demo user's row, as the public backend shapes it", STEP_TIMEOUT, async () => {
    const user = await page.evaluate(async () => {
      const u = await window.__auth.me();
      const s = window.__auth.getSnapshot();
      return {
        email: u.email,
        IdUsuario: u.IdUsuario,
        nombre: u.nombre,
        isVerified: u.isVerified,
        hasId: 'id' in u,
        hasPassword: 'password' in u,
        sessionUserId: s.user.id,
      };
    });
    assert.deepEqual(user, {
      email: EMAIL,
      IdUsuario: 1,
      nombre: 'Demo',
      isVerified: true,
      hasId: false,
      hasPassword: false,
      // The snapshot's id is the token's sub: IdUsuario.
      sessionUserId: 1,
    });
  });

  await t.test('logout reaches the server, clears the token and navigates to /', STEP_TIMEOUT, async () => {
    const result = await page.evaluate(async () => {
      const r = await window.__auth.logout();
      window.__unsubscribe();
      return {
        server: r.server,
        status: r.status ?? null,
        errors: r.errors.map((e) => e.step),
        stored: localStorage.getItem('access_token'),
        inMemory: window.__auth.getAccessToken() ?? null,
        nav: window.__nav ?? null,
        current: window.__auth.getSnapshot().status,
        seen: [...window.__snapshots],
      };
    });
    assert.equal(result.server, 'ok');
    assert.equal(result.status, 200);
    assert.deepEqual(result.errors, []);
    assert.equal(result.stored, null, 'no access_token left in localStorage');
    assert.equal(result.inMemory, null);
    assert.equal(result.nav, '/');
    assert.equal(result.current, 'signedOut');
    assert.equal(result.seen.at(-1), 'signedOut');
  });

  await t.test('a bad option rejects with code invalid_option naming the option', STEP_TIMEOUT, async () => {
    const result = await page.evaluate(async (baseUrl) => {
      const { createAuthClient } = await import('/pkg/index.js');
      try {
        await createAuthClient({ baseUrl, timeoutMs: -1 });
        return { rejected: false };
      } catch (e) {
        return { rejected: true, isError: e instanceof Error, name: e?.name, code: e?.code, message: String(e?.message) };
      }
    }, api);
    assert.equal(result.rejected, true, 'createAuthClient({ timeoutMs: -1 }) rejects');
    assert.equal(result.isError, true);
    assert.equal(result.name, 'AuthError');
    assert.equal(result.code, 'invalid_option');
    assert.match(result.message, /timeoutMs/);
  });

  await t.test('a bad function option is an AuthError naming it; what an option getter throws is passed on', STEP_TIMEOUT, async () => {
    const result = await page.evaluate(async (baseUrl) => {
      const { createAuthClient } = await import('/pkg/index.js');
      const outcome = (options) => createAuthClient(options).then(
        (client) => {
          client.free();
          return 'resolved';
        },
        (e) => (e instanceof Error ? `${e.name} ${e.code}: ${e.message}` : e),
      );
      const throwing = (value) => Object.defineProperty({ baseUrl }, 'navigate', { enumerable: true, get() { throw value; } });
      return {
        navigate: await outcome({ baseUrl, navigate: '/login' }),
        hook: await outcome({ baseUrl, onLogout: [() => {}, 'reset'] }),
        thrownNumber: await outcome(throwing(7)),
        thrownString: await outcome(throwing('no')),
        thenFine: await outcome({ baseUrl }),
      };
    }, api);
    assert.deepEqual(result, {
      navigate: 'AuthError invalid_option: navigate must be a function',
      hook: 'AuthError invalid_option: onLogout[1] must be a function',
      thrownNumber: 7,
      thrownString: 'no',
      thenFine: 'resolved',
    });
  });

  await t.test('free() stops a client: its calls then throw "freed"; one in flight still finishes', STEP_TIMEOUT, async () => {
    const result = await page.evaluate(async ([baseUrl, email, password]) => {
      const { createAuthClient, AuthClient } = await import('/pkg/index.js');
      const codeOf = (f) => {
        try {
          f();
          return 'returned';
        } catch (e) {
          return `${e.name}:${e.code ?? e.constructor.name}`;
        }
      };
      const auth = await createAuthClient({ baseUrl, redirectTo: null, tokenStorage: 'memory' });
      await auth.login({ email, password });
      // A listener that frees the client as it hears that logout ended the
      // session (listeners are called once the client is done with it).
      const seen = [];
      let heard;
      const freed = new Promise((done) => (heard = done));
      auth.subscribe((s) => {
        seen.push(s.status);
        auth.free();
        heard();
      });
      const pending = auth.logout();
      await freed;
      const afterFree = {
        logout: codeOf(() => auth.logout()),
        snapshot: codeOf(() => auth.getSnapshot()),
        token: codeOf(() => auth.getAccessToken()),
        fetch: codeOf(() => auth.fetch('/')),
        me: codeOf(() => auth.me()),
        login: codeOf(() => auth.login({ email, password })),
        freeAgain: codeOf(() => auth.free()),
        dispose: codeOf(() => auth[Symbol.dispose]?.()),
      };
      const report = await pending;
      return { seen, afterFree, server: report.server, constructed: codeOf(() => new AuthClient()) };
    }, [api, EMAIL, PASSWORD]);
    assert.deepEqual(result.seen, ['signedOut']);
    const freed = 'AuthError:freed';
    assert.deepEqual(result.afterFree, {
      logout: freed, snapshot: freed, token: freed, fetch: freed, me: freed, login: freed,
      freeAgain: 'returned', dispose: 'returned',
    });
    assert.equal(result.server, 'ok', 'the logout begun before free() still reaches the server');
    assert.equal(result.constructed, 'TypeError:TypeError', 'an AuthClient is made by createAuthClient only');
  });

});

test('the minimal demo page signs in, asks who am I and logs out', { timeout: 60_000 }, async () => {
  const demo = await watchedPage();
  const status = () => demo.textContent('#status');
  const logHas = (text) => demo.waitForFunction((t) => document.getElementById('log').textContent.includes(t), text);
  await demo.goto(`${site}/minimal/?api=${encodeURIComponent(api)}`);
  await demo.waitForFunction(() => document.getElementById('status').textContent.startsWith('signed out'));
  await demo.click('button[type=submit]');
  await demo.waitForFunction(() => document.getElementById('status').textContent.startsWith('signed in'));
  const signedIn = await status();
  assert.ok(signedIn.startsWith(`signed in as ${EMAIL}`), `status line: ${signedIn}`);
  await demo.click('#me');
  await logHas(`"email":"${EMAIL}"`);
  await demo.click('#logout');
  await logHas('logged out: server ok');
  assert.equal(await status(), 'signed out (logout)');
  assert.equal(await demo.evaluate(() => localStorage.getItem('access_token')), null);
  await demo.context().close();
});

test('the pages logged no errors', STEP_TIMEOUT, (t) => {
  if (warnings.length) t.diagnostic(`console warnings:\n${warnings.join('\n')}`);
  assert.deepEqual(problems, []);
});
