// The sociapp-auth benchmark: shipped size, logout latency, cold start,
// auth.fetch overhead and memory, side by side with the plain-JS logout of the
// API's documentation and the JS auth SDKs. Runs headless Chromium against
// the dev API server on 127.0.0.1, prints a table and writes
// bench/results.json. See bench/README.md for what each figure means.
//
// Run by `make bench` (after `make pkg` and `make devserver`) as
// `node bench/run.mjs`. Environment:
//   SOCIAPP_PKG_DIR    the package folder (default pkg/)
//   SOCIAPP_DEVSERVER  the dev server binary (default target/debug/sociapp-devserver)
//   CHROMIUM           the browser binary (default /usr/bin/chromium)
//   BENCH_SCALE        multiplies every iteration count (default 1; e.g. 0.05
//                      for a quick check of the harness; results.json records it)
//   BENCH_ONLY         a comma-separated subset of the phases logout, cold,
//                      fetch, memory (default: all); a partial run prints its
//                      table and writes bench/results-partial.json instead

import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, EMAIL, PASSWORD, PKG_DIR, SERVER_BIN, launchChromium, startServer } from '../tests/e2e/support.mjs';
import { bundle, compressedSizes, sdkFiles, sdkTotal } from './size.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
if (!(SCALE > 0 && SCALE <= 1)) throw new Error('BENCH_SCALE must be in (0, 1]');
const count = (n, min = 1) => Math.max(min, Math.round(n * SCALE));
const N = {
  logout: count(200, 2), // per side
  cold: count(30, 3), // page loads per subject
  fetch: count(1000, 20), // requests per side
  fetchBlock: 50,
  cycles: count(10_000, 200), // login/logout cycles in one page
  cyclesEarly: 100, // the first memory reading
};
// Upper bounds, so that a hung page or server ends the run instead of stalling it.
const STEP_TIMEOUT_MS = 60_000;
const MEMORY_PHASE_MS = 15 * 60_000;
const RUN_TIMEOUT_MS = 40 * 60_000;

const PHASES = ['logout', 'cold', 'fetch', 'memory'];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((x) => x.trim()) : PHASES;
for (const x of ONLY) if (!PHASES.includes(x)) throw new Error(`BENCH_ONLY: unknown phase '${x}' (phases: ${PHASES.join(', ')})`);
const PARTIAL = ONLY.length < PHASES.length;
const RESULTS = join(BENCH, PARTIAL ? 'results-partial.json' : 'results.json');

const CREDS = { email: EMAIL, password: PASSWORD };
const PEERS = [
  { id: 'keycloak', name: 'keycloak-js', pkg: 'keycloak-js' },
  { id: 'oidc', name: 'oidc-client-ts', pkg: 'oidc-client-ts' },
  { id: 'supabase', name: 'Supabase auth-js', pkg: '@supabase/auth-js' },
  { id: 'auth0', name: 'auth0-spa-js', pkg: '@auth0/auth0-spa-js' },
];
const TARGETS = { gzip: 24_000, logoutRatio: 1.05, fetchRatio: 1.03 };
// Names resolve to nothing: only 127.0.0.1 can be reached.
const HOST_RULES = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1';

// ---------------------------------------------------------------- helpers

const log = (line) => console.log(line);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
function median(xs) {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const percentile = (xs, p) => sorted(xs)[Math.max(0, Math.ceil(p * xs.length) - 1)];
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const round = (x, digits = 3) => Number(x.toFixed(digits));
const stats = (xs) => ({ n: xs.length, median: round(median(xs)), p95: round(percentile(xs, 0.95)), total: round(sum(xs)) });

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------- server and browser

let stage;
let server;
let plainServer; // pages that are not cross-origin isolated, for the cold start
let browser;

function cleanupSync() {
  server?.kill();
  plainServer?.kill();
  if (stage) rmSync(stage, { recursive: true, force: true });
  stage = undefined;
}
process.once('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping`);
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`bench: gave up after ${RUN_TIMEOUT_MS / 60_000} minutes`);
  process.exit(1);
}, RUN_TIMEOUT_MS).unref();

const offLoopback = [];
const pageProblems = [];

// A page in a fresh context (own storage and cache), watched for requests
// that leave 127.0.0.1 and for errors. `disableCache` also turns off the
// HTTP cache (and with it Chromium's CORS preflight cache) for the page.
// `init`: a function run in the page before any of its scripts.
async function freshPage(site, { disableCache = false, isolated = true, init } = {}) {
  const context = await browser.newContext();
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.hostname !== '127.0.0.1' && !['data:', 'blob:'].includes(url.protocol)) offLoopback.push(req.url());
  });
  page.on('pageerror', (e) => pageProblems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageProblems.push(`console error: ${m.text()}`);
  });
  const cdp = await context.newCDPSession(page);
  if (disableCache) {
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  }
  const response = await page.goto(`${site}/blank.html`);
  if (response?.status() !== 200) throw new Error(`${site}/blank.html answered ${response?.status()}`);
  // Cross-origin isolation gives performance.now() its fine resolution.
  if ((await page.evaluate(() => globalThis.crossOriginIsolated)) !== isolated) {
    throw new Error(`${site}/blank.html: crossOriginIsolated should be ${isolated}`);
  }
  return { page, cdp, close: () => context.close() };
}

// What the server saw since the last call: { "POST /auth/logout": n, ... }.
async function serverRequests(api) {
  const list = await (await fetch(`${api}/__test/requests`)).json();
  await fetch(`${api}/__test/reset`, { method: 'POST' });
  const counts = {};
  for (const r of list) {
    const key = `${r.method} ${r.path}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

// ------------------------------------------------------------------ stage

// Writes the files the pages load:
// - sdk/: the SDK as an app's bundler ships it: index.js, the minified ESM
//   bundle of pkg/index.js with the wasm-bindgen glue and host.js it imports
//   (esbuild, as the peers), and the .wasm as an asset beside it, which the
//   bundle finds with `new URL('./sociapp_auth_bg.wasm', import.meta.url)`
//   (esbuild leaves that expression as it is in ESM output); and bench.js,
//   a bench build of the bundle that also exports the glue's init (to reach
//   wasm.memory);
// - pkg/: the package's own files, unbundled (index.js, the glue, snippets/
//   and the .wasm), as an app that serves node_modules as they are loads them;
// - peers/: each peer's minified bundle.
// Returns the size figures of the shipped bytes (sdk/ and peers/).
async function prepareStage() {
  stage = mkdtempSync(join(os.tmpdir(), 'sociapp-bench-'));
  mkdirSync(join(stage, 'sdk'));
  mkdirSync(join(stage, 'pkg'));
  mkdirSync(join(stage, 'peers'));
  writeFileSync(join(stage, 'blank.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench</title>\n');

  const files = await sdkFiles(PKG_DIR);
  writeFileSync(join(stage, 'sdk/index.js'), files[0].bytes);
  writeFileSync(join(stage, 'sdk/sociapp_auth_bg.wasm'), files[1].bytes);
  for (const file of ['index.js', 'sociapp_auth.js', 'sociapp_auth_bg.wasm', 'snippets']) {
    if (existsSync(join(PKG_DIR, file))) cpSync(join(PKG_DIR, file), join(stage, 'pkg', file), { recursive: true });
  }
  const benchEntry = join(stage, 'bench-entry.js');
  writeFileSync(benchEntry, [
    `export { createAuthClient } from ${JSON.stringify(join(PKG_DIR, 'index.js'))};`,
    `export { default as init } from ${JSON.stringify(join(PKG_DIR, 'sociapp_auth.js'))};`,
  ].join('\n'));
  writeFileSync(join(stage, 'sdk/bench.js'), await bundle(benchEntry));

  const size = { 'sociapp-auth': sdkTotal(files) };
  for (const id of ['plain', ...PEERS.map((p) => p.id)]) {
    const bytes = await bundle(join(BENCH, 'peers', `${id}.js`));
    writeFileSync(join(stage, 'peers', `${id}.js`), bytes);
    size[id] = compressedSizes(bytes);
  }
  return size;
}

// The documentation's logout function, pointed at the API's origin (the page
// and the API are on two origins here; the function itself is unchanged).
function writePlainForApi(api) {
  const source = readFileSync(join(BENCH, 'peers/plain.js'), 'utf8');
  const adapted = source.replace("fetch('/auth/logout'", 'fetch(API + \'/auth/logout\'');
  if (adapted === source) throw new Error('peers/plain.js: fetch(\'/auth/logout\' not found');
  writeFileSync(join(stage, 'peers/plain-api.js'), `const API = ${JSON.stringify(api)};\n${adapted}`);
}

// ----------------------------------------------------------------- phases

// Sets up a page with an SDK client (window.auth), the plain-JS logout and a
// plain-JS login (fetch + localStorage, as the docs' apps do).
async function benchPage(site, api) {
  const p = await freshPage(site);
  await p.page.evaluate(async ({ api, creds }) => {
    const sdk = await import('/sdk/bench.js');
    const plain = await import('/peers/plain-api.js');
    window.store = { dispatch() {} };
    window.router = { push() {} };
    window.auth = await sdk.createAuthClient({ baseUrl: api, redirectTo: null });
    window.wasmMemory = async () => (await sdk.init()).memory.buffer.byteLength;
    window.plainLogout = plain.logout;
    window.plainLogin = async () => {
      const r = await fetch(`${api}/auth/login`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(creds),
      });
      if (!r.ok) throw new Error(`plain login: ${r.status}`);
      localStorage.setItem('access_token', (await r.json()).access_token);
    };
  }, { api, creds: CREDS });
  return p;
}

async function logoutLatency(site, api) {
  const p = await benchPage(site, api);
  await serverRequests(api);
  const times = { sdk: [], plain: [] };
  let failures = 0;
  const chunk = 20;
  for (let done = 0; done < N.logout; done += chunk) {
    const n = Math.min(chunk, N.logout - done);
    const r = await withTimeout(p.page.evaluate(async ({ n, first, creds }) => {
      const out = { sdk: [], plain: [], failures: 0 };
      for (let i = 0; i < n; i++) {
        // Alternating, and which side goes first alternates too.
        const order = (first + i) % 2 ? ['plain', 'sdk'] : ['sdk', 'plain'];
        for (const side of order) {
          if (side === 'sdk') {
            await window.auth.login(creds);
            const t0 = performance.now();
            const result = await window.auth.logout();
            out.sdk.push(performance.now() - t0);
            if (result.server !== 'ok' || window.auth.getAccessToken() != null) out.failures++;
          } else {
            await window.plainLogin();
            const t0 = performance.now();
            await window.plainLogout();
            out.plain.push(performance.now() - t0);
            if (localStorage.getItem('access_token') !== null) out.failures++;
          }
        }
      }
      return out;
    }, { n, first: done, creds: CREDS }), STEP_TIMEOUT_MS, 'logout latency');
    times.sdk.push(...r.sdk);
    times.plain.push(...r.plain);
    failures += r.failures;
  }
  const requests = await serverRequests(api);
  await p.close();
  const sdk = stats(times.sdk);
  const plain = stats(times.plain);
  return { sdk, plain, ratioMedian: round(sdk.median / plain.median), ratioP95: round(sdk.p95 / plain.p95), failures, serverRequests: requests };
}

// Runs in every cold-start page before its scripts: records performance.now()
// around each WebAssembly compile and instantiate call, in window.__wasmCalls
// as { name, start, end, failed }. The wrappers hand back the original
// promises and instances.
function recordWasmCalls() {
  const calls = [];
  window.__wasmCalls = calls;
  const W = WebAssembly;
  for (const name of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming']) {
    const original = W[name];
    if (typeof original !== 'function') continue;
    W[name] = function (...args) {
      const call = { name, start: performance.now(), end: null, failed: false };
      calls.push(call);
      const promise = original.apply(this, args);
      promise.then(
        () => { call.end = performance.now(); },
        () => { call.end = performance.now(); call.failed = true; },
      );
      return promise;
    };
  }
  const Instance = W.Instance;
  W.Instance = new Proxy(Instance, {
    construct(target, args, newTarget) {
      const call = { name: 'Instance', start: performance.now(), end: null, failed: true };
      calls.push(call);
      try {
        const instance = Reflect.construct(target, args, newTarget === W.Instance ? target : newTarget);
        call.failed = false;
        return instance;
      } finally {
        call.end = performance.now();
      }
    },
  });
}

// The cold-start subjects: the module each imports, the folder its files come
// from, and whether it is sociapp-auth (createAuthClient) or a peer (create).
const COLD_SUBJECTS = [
  { id: 'sdk', url: '/sdk/index.js', folder: '/sdk/', sdk: true },
  { id: 'sdkUnbundled', url: '/pkg/index.js', folder: '/pkg/', sdk: true },
  ...PEERS.map((p) => ({ id: p.id, url: `/peers/${p.id}.js`, folder: '/peers/', sdk: false })),
];
// The parts of a cold start (see breakdown()), in ms: when each starts
// (from the import() call) and how long it takes.
const PARTS = ['jsFetch', 'jsEval', 'wasmFetch', 'compile', 'instantiate', 'wait', 'client'];

// One page load's parts, from the times the page recorded (ms of its clock):
// t0 (import() called), imported (import() resolved), called and end (the
// client's creation called and resolved), the resource entries of the
// subject's files and the WebAssembly calls. For each part, `at` is its start
// after t0 and `ms` its length:
//   jsFetch      import() to the last byte of the subject's JS files
//   jsEval       that last byte to import() resolved (parse, link, evaluation)
//   wasmFetch    the .wasm's request to its last byte (resource timing)
//   compile      WebAssembly.compileStreaming (or compile) called to the module
//   instantiate  the WebAssembly.Instance (or instantiate) call
//   wait         createAuthClient called to the module compiled (0 when the
//                module was ready first)
//   client       instantiated to createAuthClient resolved
function breakdown(subject, r) {
  const from = (t) => t - r.t0;
  const js = r.resources.filter((e) => e.path.startsWith(subject.folder) && e.path.endsWith('.js'));
  if (!js.length) throw new Error(`cold start of ${subject.id}: no resource entry for ${subject.folder}*.js`);
  const jsEnd = Math.max(...js.map((e) => e.end));
  const parts = {
    jsFetch: { at: 0, ms: from(jsEnd) },
    jsEval: { at: from(jsEnd), ms: r.imported - jsEnd },
  };
  const whole = { total: from(r.end), import: from(r.imported), create: r.end - r.called, jsFiles: js.length };
  if (!subject.sdk) return { ...whole, parts };
  const wasm = r.resources.filter((e) => e.path === `${subject.folder}sociapp_auth_bg.wasm`);
  if (wasm.length !== 1) throw new Error(`cold start of ${subject.id}: ${wasm.length} requests of ${subject.folder}sociapp_auth_bg.wasm (expected 1)`);
  const compiles = r.calls.filter((c) => c.name.startsWith('compile'));
  const compiled = compiles.find((c) => !c.failed && c.end !== null);
  const instances = r.calls.filter((c) => c.name.startsWith('instan') || c.name === 'Instance');
  if (!compiled || !instances.length) throw new Error(`cold start of ${subject.id}: WebAssembly calls ${JSON.stringify(r.calls)}`);
  const instance = instances[instances.length - 1];
  parts.wasmFetch = { at: from(wasm[0].start), ms: wasm[0].end - wasm[0].start };
  parts.compile = { at: from(compiles[0].start), ms: compiled.end - compiles[0].start };
  parts.instantiate = { at: from(instance.start), ms: instance.end - instance.start };
  parts.wait = { at: from(r.called), ms: Math.max(0, compiled.end - r.called) };
  parts.client = { at: from(instance.end), ms: r.end - instance.end };
  return { ...whole, parts, compileCalls: compiles.map((c) => `${c.name}${c.failed ? ' (failed)' : ''}`).join(', ') };
}

// From import() of the module to a ready client, in a fresh context each time
// (HTTP cache off), with the parts of each load.
async function coldStart(site, api) {
  const samples = Object.fromEntries(COLD_SUBJECTS.map((s) => [s.id, []]));
  const apiRequests = Object.fromEntries(COLD_SUBJECTS.map((s) => [s.id, 0]));
  const compileCalls = Object.fromEntries(COLD_SUBJECTS.filter((s) => s.sdk).map((s) => [s.id, {}]));
  for (let round = 0; round < N.cold; round++) {
    for (let k = 0; k < COLD_SUBJECTS.length; k++) {
      const subject = COLD_SUBJECTS[(round + k) % COLD_SUBJECTS.length]; // rotate the order
      const p = await freshPage(site, { disableCache: true, isolated: false, init: recordWasmCalls });
      let calls = 0;
      p.page.on('request', (req) => {
        if (req.url().startsWith(api)) calls++;
      });
      const r = await withTimeout(p.page.evaluate(async ({ subject, api, site }) => {
        const t0 = performance.now();
        const m = await import(subject.url);
        const imported = performance.now();
        const called = performance.now();
        if (subject.sdk) await m.createAuthClient({ baseUrl: api, redirectTo: null });
        else await m.create(api, site);
        const end = performance.now();
        const resources = performance.getEntriesByType('resource').map((e) => ({
          path: new URL(e.name).pathname,
          start: e.startTime,
          end: e.responseEnd,
        }));
        return { t0, imported, called, end, resources, calls: window.__wasmCalls };
      }, { subject, api, site }), STEP_TIMEOUT_MS, `cold start of ${subject.id}`);
      const b = breakdown(subject, r);
      samples[subject.id].push(b);
      if (b.compileCalls) compileCalls[subject.id][b.compileCalls] = (compileCalls[subject.id][b.compileCalls] ?? 0) + 1;
      apiRequests[subject.id] += calls;
      await p.close();
    }
    if ((round + 1) % 10 === 0 || round + 1 === N.cold) log(`  cold start: ${round + 1}/${N.cold} rounds`);
  }
  const result = {};
  for (const s of COLD_SUBJECTS) {
    const xs = samples[s.id];
    const parts = {};
    for (const part of PARTS) {
      if (!xs[0].parts[part]) continue;
      parts[part] = {
        atMedian: round(median(xs.map((x) => x.parts[part].at))),
        ...stats(xs.map((x) => x.parts[part].ms)),
      };
    }
    result[s.id] = {
      ...stats(xs.map((x) => x.total)),
      importMedian: round(median(xs.map((x) => x.import))),
      createMedian: round(median(xs.map((x) => x.create))),
      jsFiles: xs[0].jsFiles,
      apiRequests: apiRequests[s.id],
      breakdown: parts,
      ...(s.sdk ? { compileCalls: compileCalls[s.id] } : {}),
    };
  }
  const fastest = PEERS.map((p) => p.id).reduce((a, b) => (result[b].median < result[a].median ? b : a));
  result.ratio = {
    fastestPeer: fastest,
    bundled: round(result.sdk.median / result[fastest].median),
    unbundled: round(result.sdkUnbundled.median / result[fastest].median),
  };
  return result;
}

async function fetchOverhead(site, api) {
  const p = await benchPage(site, api);
  await p.page.evaluate((creds) => window.auth.login(creds), CREDS);
  await serverRequests(api);
  const times = { sdk: [], raw: [] };
  let failures = 0;
  for (let done = 0; done < N.fetch; done += N.fetchBlock) {
    const n = Math.min(N.fetchBlock, N.fetch - done);
    const r = await withTimeout(p.page.evaluate(async ({ n, first, api }) => {
      const url = `${api}/auth/me`;
      const token = window.auth.getAccessToken();
      const out = { sdk: [], raw: [], failures: 0 };
      const run = {
        sdk: () => window.auth.fetch(url),
        raw: () => fetch(url, { headers: { Authorization: `Bearer ${token}` } }),
      };
      for (const side of first ? ['raw', 'sdk'] : ['sdk', 'raw']) {
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          const res = await run[side]();
          await res.text();
          out[side].push(performance.now() - t0);
          if (res.status !== 200) out.failures++;
        }
      }
      return out;
    }, { n, first: (done / N.fetchBlock) % 2, api }), STEP_TIMEOUT_MS, 'fetch overhead');
    times.sdk.push(...r.sdk);
    times.raw.push(...r.raw);
    failures += r.failures;
  }
  const requests = await serverRequests(api);
  await p.close();
  const sdk = stats(times.sdk);
  const raw = stats(times.raw);
  return { sdk, raw, ratioMedian: round(sdk.median / raw.median), ratioTotal: round(sdk.total / raw.total), failures, serverRequests: requests };
}

async function memory(site, api) {
  const p = await benchPage(site, api);
  const reading = async (cycles) => {
    await p.cdp.send('HeapProfiler.collectGarbage');
    const heap = await p.cdp.send('Runtime.getHeapUsage');
    return { cycles, wasmBytes: await p.page.evaluate(() => window.wasmMemory()), jsHeapUsed: heap.usedSize, jsHeapTotal: heap.totalSize };
  };
  const readings = [await reading(0)];
  const marks = new Set([N.cyclesEarly, N.cycles]);
  for (let k = 1000; k < N.cycles; k += 1000) marks.add(k);
  const started = Date.now();
  let done = 0;
  let failures = 0;
  while (done < N.cycles) {
    if (Date.now() - started > MEMORY_PHASE_MS) {
      log(`  memory: stopped after ${done} cycles (${MEMORY_PHASE_MS / 60_000} minutes)`);
      break;
    }
    const next = Math.min(...[...marks].filter((m) => m > done));
    const n = Math.min(100, next - done);
    failures += await withTimeout(p.page.evaluate(async ({ n, creds }) => {
      let failed = 0;
      for (let i = 0; i < n; i++) {
        await window.auth.login(creds);
        if ((await window.auth.logout()).server !== 'ok') failed++;
      }
      return failed;
    }, { n, creds: CREDS }), STEP_TIMEOUT_MS, 'memory cycles');
    done += n;
    if (marks.has(done)) {
      readings.push(await reading(done));
      if (done % 1000 === 0 || done === N.cycles) {
        log(`  memory: ${done}/${N.cycles} cycles, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
  }
  await p.close();
  const at = (c) => readings.find((r) => r.cycles === c) ?? null;
  const early = at(N.cyclesEarly);
  const late = at(N.cycles);
  return {
    cyclesCompleted: done,
    seconds: round((Date.now() - started) / 1000, 1),
    failures,
    early,
    late,
    growth: early && late ? { wasmBytes: late.wasmBytes - early.wasmBytes, jsHeapUsed: late.jsHeapUsed - early.jsHeapUsed } : null,
    readings,
  };
}

// ------------------------------------------------------------------ report

function machine(browserVersion) {
  const cpus = os.cpus();
  let debian = null;
  try {
    debian = readFileSync('/etc/debian_version', 'utf8').trim();
  } catch {}
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()}${debian ? ` (Debian ${debian})` : ''}`,
    node: process.version,
    chromium: browserVersion,
  };
}

// The smallest step of performance.now() in a bench page.
async function timerResolution(site) {
  const p = await freshPage(site);
  const step = await p.page.evaluate(() => {
    let min = Infinity;
    for (let i = 0, last = performance.now(); i < 100_000; i++) {
      const now = performance.now();
      if (now > last) min = Math.min(min, now - last);
      last = now;
    }
    return min;
  });
  await p.close();
  return round(step, 4);
}

function peerVersions() {
  return Object.fromEntries(PEERS.map((p) => [p.id, JSON.parse(readFileSync(join(BENCH, 'node_modules', p.pkg, 'package.json'), 'utf8')).version]));
}

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n) => n.toFixed(2);
const pad = (s, n) => String(s).padStart(n);
const padEnd = (s, n) => String(s).padEnd(n);
const mark = (ok) => (ok ? 'met' : 'missed');

function table(r) {
  const names = { sdk: 'sociapp-auth', plain: 'plain-JS logout (docs)', ...Object.fromEntries(PEERS.map((p) => [p.id, `${p.name} ${r.versions[p.id]}`])) };
  const lines = [];
  const row = (label, cells, width = 40) => lines.push(`  ${padEnd(label, width)}${cells.map((c) => pad(c, 11)).join('')}`);
  lines.push(`sociapp-auth benchmark, ${r.date}`);
  lines.push(`${r.machine.cores} cores ${r.machine.cpuModel}, ${r.machine.os}, Chromium ${r.machine.chromium}, Node ${r.machine.node}`);
  lines.push(`load average at start ${r.load.start.join(' ')}, at end ${r.load.end.join(' ')}${r.scale === 1 ? '' : `; BENCH_SCALE=${r.scale}`}; timer step in the page ${r.timerResolutionMs} ms`);
  lines.push('');
  lines.push('1. Shipped size (bytes)');
  row('', ['raw', 'gzip -9', 'brotli']);
  const s = r.size['sociapp-auth'];
  const adapters = s.files.some((f) => f.adapter);
  row(`sociapp-auth${adapters ? ' (+ largest adapter)' : ''}`, [fmtInt(s.raw), fmtInt(s.gzip), fmtInt(s.brotli)]);
  for (const f of s.files) row(`  ${f.name}`, [fmtInt(f.raw), fmtInt(f.gzip), fmtInt(f.brotli)]);
  for (const id of ['plain', ...PEERS.map((p) => p.id)]) {
    const x = r.size[id];
    row(names[id], [fmtInt(x.raw), fmtInt(x.gzip), fmtInt(x.brotli)]);
  }
  lines.push(`  goal: gzip total <= ${fmtInt(TARGETS.gzip)}: ${mark(s.gzip <= TARGETS.gzip)} (${fmtInt(s.gzip)})`);
  lines.push('');
  const L = r.logoutLatency;
  if (L) {
    lines.push(`2. Logout latency (ms, ${L.sdk.n} each, alternating, navigation off)`);
    row('', ['median', 'p95']);
    row(names.plain, [fmtMs(L.plain.median), fmtMs(L.plain.p95)]);
    row('sociapp-auth auth.logout()', [fmtMs(L.sdk.median), fmtMs(L.sdk.p95)]);
    lines.push(`  ratio sociapp-auth / plain-JS: median ${L.ratioMedian.toFixed(3)}, p95 ${L.ratioP95.toFixed(3)} (target <= ${TARGETS.logoutRatio}: ${mark(L.ratioMedian <= TARGETS.logoutRatio)})${L.failures ? `; ${L.failures} logouts FAILED` : ''}`);
    lines.push('');
  }
  const C = r.coldStart;
  if (C) {
    lines.push(`3. Cold start (ms, import() to a ready client, ${C.sdk.n} fresh page loads each, HTTP cache off)`);
    row('', ['median', 'p95', 'import()']);
    row('sociapp-auth bundled (createAuthClient)', [fmtMs(C.sdk.median), fmtMs(C.sdk.p95), fmtMs(C.sdk.importMedian)]);
    row(`sociapp-auth unbundled (${C.sdkUnbundled.jsFiles} JS files)`, [fmtMs(C.sdkUnbundled.median), fmtMs(C.sdkUnbundled.p95), fmtMs(C.sdkUnbundled.importMedian)]);
    for (const p of PEERS) row(`${names[p.id]} (constructed)`, [fmtMs(C[p.id].median), fmtMs(C[p.id].p95), fmtMs(C[p.id].importMedian)]);
    const fastest = C[C.ratio.fastestPeer];
    lines.push(`  sociapp-auth bundled / fastest peer (${names[C.ratio.fastestPeer]}): ${C.ratio.bundled.toFixed(3)} (target <= 1: ${mark(C.sdk.median <= fastest.median)}); unbundled: ${C.ratio.unbundled.toFixed(3)}`);
    lines.push('  sociapp-auth parts (medians; "at": start after the import() call; the parts overlap)');
    row('', ['bundled', '', 'unbundled', '']);
    row('', ['at', 'ms', 'at', 'ms']);
    const partNames = {
      jsFetch: 'JS fetch (to the last JS byte)',
      jsEval: 'JS evaluation (to import() resolved)',
      wasmFetch: '.wasm fetch (request to last byte)',
      compile: 'compile (compileStreaming)',
      instantiate: 'instantiate (new WebAssembly.Instance)',
      wait: 'createAuthClient waiting for the module',
      client: 'client creation (after instantiating)',
    };
    for (const [part, label] of Object.entries(partNames)) {
      const b = C.sdk.breakdown[part];
      const u = C.sdkUnbundled.breakdown[part];
      row(`  ${label}`, [fmtMs(b.atMedian), fmtMs(b.median), fmtMs(u.atMedian), fmtMs(u.median)]);
    }
    row('  createAuthClient (called to resolved)', ['', fmtMs(C.sdk.createMedian), '', fmtMs(C.sdkUnbundled.createMedian)]);
    lines.push('');
  }
  const F = r.fetchOverhead;
  if (F) {
    lines.push(`4. auth.fetch overhead (ms per GET /auth/me, ${F.sdk.n} each, alternating blocks of ${N.fetchBlock})`);
    row('', ['median', 'p95', 'total']);
    row('fetch + Authorization header', [fmtMs(F.raw.median), fmtMs(F.raw.p95), fmtInt(F.raw.total)]);
    row('auth.fetch', [fmtMs(F.sdk.median), fmtMs(F.sdk.p95), fmtInt(F.sdk.total)]);
    lines.push(`  ratio auth.fetch / fetch: median ${F.ratioMedian.toFixed(3)}, total ${F.ratioTotal.toFixed(3)} (target <= ${TARGETS.fetchRatio}: ${mark(F.ratioTotal <= TARGETS.fetchRatio)})${F.failures ? `; ${F.failures} requests FAILED` : ''}`);
    lines.push('');
  }
  const M = r.memory;
  if (M) {
    lines.push(`5. Memory after login/logout cycles in one page (bytes, after a forced GC; ${fmtInt(M.cyclesCompleted)} cycles in ${M.seconds} s)`);
    row('', ['wasm memory', 'JS heap']);
    for (const x of [M.readings[0], M.early, M.late]) if (x) row(`after ${fmtInt(x.cycles)} cycles`, [fmtInt(x.wasmBytes), fmtInt(x.jsHeapUsed)]);
    if (M.growth) lines.push(`  growth ${fmtInt(N.cyclesEarly)} -> ${fmtInt(M.late.cycles)}: wasm ${fmtInt(M.growth.wasmBytes)}, JS heap ${fmtInt(M.growth.jsHeapUsed)}${M.failures ? `; ${M.failures} logouts FAILED` : ''}`);
    const warm = M.readings.find((x) => x.cycles === 1000);
    if (warm && M.late && M.late.cycles > 1000) lines.push(`  growth 1,000 -> ${fmtInt(M.late.cycles)} (after warm-up): wasm ${fmtInt(M.late.wasmBytes - warm.wasmBytes)}, JS heap ${fmtInt(M.late.jsHeapUsed - warm.jsHeapUsed)}`);
  }
  if (r.offLoopback.length) lines.push('', `REQUESTS OFF 127.0.0.1 (blocked): ${r.offLoopback.join(', ')}`);
  if (r.pageProblems.length) lines.push('', `page problems:\n  ${r.pageProblems.join('\n  ')}`);
  lines.push('', 'Timings come from one run on a machine shared with other work; re-run on a quiet machine before quoting them.');
  return lines.join('\n');
}

// ------------------------------------------------------------------- main

async function main() {
  for (const file of ['index.js', 'sociapp_auth.js', 'sociapp_auth_bg.wasm']) {
    if (!existsSync(join(PKG_DIR, file))) throw new Error(`${join(PKG_DIR, file)} is missing: run 'make pkg'`);
  }
  if (!existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: run 'make devserver'`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'make setup'`);
  const loadStart = os.loadavg().map((x) => round(x, 2));

  log('bench: sizes');
  const size = await prepareStage();
  server = startServer(stage, ['--test-faults', '--cross-origin-isolated']);
  const { api, site } = await server.ready;
  writePlainForApi(api);
  log(`bench: dev server ${api}, pages from ${site}`);
  browser = await launchChromium([HOST_RULES]);

  const result = { date: new Date().toISOString(), scale: SCALE, machine: machine(browser.version()), versions: peerVersions(), counts: N, size };
  result.timerResolutionMs = await timerResolution(site);
  if (ONLY.includes('logout')) {
    log(`bench: logout latency (${N.logout} each)`);
    result.logoutLatency = await logoutLatency(site, api);
  }
  if (ONLY.includes('cold')) {
    log(`bench: cold start (${N.cold} page loads each)`);
    plainServer = startServer(stage, []);
    const plain = await plainServer.ready;
    result.coldStart = await coldStart(plain.site, plain.api);
  }
  if (ONLY.includes('fetch')) {
    log(`bench: auth.fetch overhead (${N.fetch} requests each)`);
    result.fetchOverhead = await fetchOverhead(site, api);
  }
  if (ONLY.includes('memory')) {
    log(`bench: memory (${N.cycles} login/logout cycles)`);
    result.memory = await memory(site, api);
  }
  result.load = { start: loadStart, end: os.loadavg().map((x) => round(x, 2)) };
  result.offLoopback = [...new Set(offLoopback)];
  result.pageProblems = [...new Set(pageProblems)];

  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  log('');
  log(table(result));
  log(`\nbench: wrote ${RESULTS}`);
  if (result.offLoopback.length) process.exitCode = 1;
}

try {
  await main();
} catch (e) {
  console.error(`bench: ${e.stack ?? e.message}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  cleanupSync();
}
