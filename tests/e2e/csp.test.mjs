// The release package under a strict Content-Security-Policy, in headless
// Chromium: with `script-src 'self' 'wasm-unsafe-eval'` (and with Trusted
// Types enforced too) login → me → logout works; without
// 'wasm-unsafe-eval', createAuthClient rejects with the documented AuthError
// naming the directive, and the page has no unhandled rejection. A `.wasm`
// that is missing or not WebAssembly is reported as "load_failed", naming
// the URL and what was received.
//
// The policies are set by <meta http-equiv="Content-Security-Policy"> in
// pages written for the dev server's static listener; the page's script is
// a file of its own (no inline script runs under these policies).
// Environment: SOCIAPP_DEVSERVER, SOCIAPP_PKG_DIR, CHROMIUM (see support.mjs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMAIL, PASSWORD, PKG_DIR, SERVER_BIN, launchChromium, startServer, tearDown } from './support.mjs';

const TIMEOUT = { timeout: 30_000 };

// Runs in the page: the whole flow, with what went wrong recorded.
const SCRIPT = `
const out = (window.__out = { problems: [], steps: [] });
window.addEventListener('unhandledrejection', (e) => out.problems.push('unhandled rejection: ' + (e.reason?.stack ?? e.reason)));
window.addEventListener('error', (e) => out.problems.push('uncaught: ' + (e.error?.stack ?? e.message)));
const params = new URLSearchParams(location.search);
try {
  const { createAuthClient } = await import(params.get('pkg') ?? '/pkg/index.js');
  const auth = await createAuthClient({ baseUrl: params.get('api'), redirectTo: null });
  await auth.login({ email: params.get('email'), password: params.get('password') });
  out.steps.push('login:' + auth.getSnapshot().status);
  out.steps.push('me:' + (await auth.me()).email);
  const result = await auth.logout();
  out.steps.push('logout:' + result.server + ':' + auth.getSnapshot().status + ':' + (localStorage.getItem('access_token') ?? 'no token'));
} catch (e) {
  out.error = { name: e?.name, code: e?.code, message: String(e?.message) };
}
out.done = true;
`;

function page(csp) {
  return `<!doctype html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta charset="utf-8">
<title>sociapp-auth under a Content-Security-Policy</title>
<script type="module" src="/csp-page.js"></script>
</head>
<body><p>sociapp-auth under a Content-Security-Policy</p></body>
</html>
`;
}

let stage;
let server;
let browser;
let api;
let site;

before(async () => {
  assert.ok(existsSync(SERVER_BIN), `${SERVER_BIN} is missing: run 'cargo build -p sociapp-devserver'`);
  assert.ok(existsSync(join(PKG_DIR, 'index.js')), `${PKG_DIR} is missing: run 'make pkg'`);
  stage = mkdtempSync(join(tmpdir(), 'sociapp-csp-'));
  cpSync(PKG_DIR, join(stage, 'pkg'), { recursive: true });
  // Copies of the package whose .wasm is missing, or is not WebAssembly.
  for (const [dir, wasm] of [['pkg-missing', null], ['pkg-html', '<!doctype html><p>Not found</p>']]) {
    cpSync(PKG_DIR, join(stage, dir), { recursive: true, filter: (src) => !src.endsWith('.wasm') });
    if (wasm) writeFileSync(join(stage, dir, 'sociapp_auth_bg.wasm'), wasm);
  }
  writeFileSync(join(stage, 'csp-page.js'), SCRIPT);
  server = startServer(stage);
  ({ api, site } = await server.ready);
  const strict = `default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ${api}`;
  writeFileSync(join(stage, 'strict.html'), page(strict));
  writeFileSync(join(stage, 'trusted-types.html'), page(`${strict}; require-trusted-types-for 'script'`));
  writeFileSync(join(stage, 'no-wasm.html'), page(`default-src 'none'; script-src 'self'; connect-src 'self' ${api}`));
  browser = await launchChromium();
}, { timeout: 60_000 });

after(() => tearDown({ browser, server, stage, logName: 'devserver-csp.log' }), { timeout: 60_000 });

async function run(file, extra = {}) {
  const context = await browser.newContext();
  const p = await context.newPage();
  const consoleErrors = [];
  p.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  p.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  const query = new URLSearchParams({ api, email: EMAIL, password: PASSWORD, ...extra });
  await p.goto(`${site}/${file}?${query}`);
  await p.waitForFunction(() => window.__out?.done === true, null, { timeout: 20_000 });
  // One more task: a rejection left unhandled is reported after it.
  await p.evaluate(() => new Promise((done) => setTimeout(done, 0)));
  const out = await p.evaluate(() => window.__out);
  await context.close();
  return { out, consoleErrors };
}

const FLOW = ['login:signedIn', `me:${EMAIL}`, 'logout:ok:signedOut:no token'];

test("with script-src 'self' 'wasm-unsafe-eval' the whole flow works", TIMEOUT, async () => {
  const { out } = await run('strict.html');
  assert.equal(out.error, undefined);
  assert.deepEqual(out.steps, FLOW);
  assert.deepEqual(out.problems, []);
});

test('with Trusted Types enforced as well, the whole flow works', TIMEOUT, async () => {
  const { out, consoleErrors } = await run('trusted-types.html');
  assert.equal(out.error, undefined);
  assert.deepEqual(out.steps, FLOW);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(consoleErrors.filter((e) => /Trusted Type/i.test(e)), []);
});

test("without 'wasm-unsafe-eval', createAuthClient rejects with wasm_blocked naming the directive", TIMEOUT, async () => {
  const { out } = await run('no-wasm.html');
  assert.deepEqual(out.steps, []);
  assert.equal(out.error?.name, 'AuthError');
  assert.equal(out.error?.code, 'wasm_blocked');
  assert.match(out.error.message, /'wasm-unsafe-eval'/);
  assert.match(out.error.message, /script-src/);
  assert.deepEqual(out.problems, [], 'no unhandled rejection, though the module began compiling at import');
});

test('a missing .wasm is a load_failed AuthError naming the URL and the status', TIMEOUT, async () => {
  const { out } = await run('strict.html', { pkg: '/pkg-missing/index.js' });
  assert.equal(out.error?.code, 'load_failed');
  assert.match(out.error.message, new RegExp(`${site}/pkg-missing/sociapp_auth_bg\\.wasm`));
  assert.match(out.error.message, /404/);
  assert.deepEqual(out.problems, []);
});

test('a .wasm that is not WebAssembly is a load_failed AuthError naming what was received', TIMEOUT, async () => {
  const { out } = await run('strict.html', { pkg: '/pkg-html/index.js' });
  assert.equal(out.error?.code, 'load_failed');
  assert.match(out.error.message, /pkg-html\/sociapp_auth_bg\.wasm/);
  assert.match(out.error.message, /is not WebAssembly: received application\/wasm, 31 bytes/);
  assert.deepEqual(out.problems, []);
});
