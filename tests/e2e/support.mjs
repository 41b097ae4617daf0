// What the end-to-end tests (tests/e2e/) and the benchmark (bench/run.mjs)
// share: where the dev server, the package and Chromium are, the demo user,
// the dev server (or another process) started and stopped, and headless
// Chromium. No test here.
//
// Environment:
//   SOCIAPP_DEVSERVER  the dev server binary (default target/debug/sociapp-devserver)
//   SOCIAPP_PKG_DIR    the package folder (default pkg/)
//   CHROMIUM           the browser binary (default /usr/bin/chromium)
//   CARGO_TARGET_DIR   where the dev server's output is kept (default target/)

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_BIN = resolve(ROOT, process.env.SOCIAPP_DEVSERVER ?? 'target/debug/sociapp-devserver');
export const PKG_DIR = resolve(ROOT, process.env.SOCIAPP_PKG_DIR ?? 'pkg');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const TARGET_DIR = resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target');
export const READY_TIMEOUT_MS = 30_000;

// The dev server's demo user.
export const EMAIL = 'demo@sociapp.dev';
export const PASSWORD = 'demo-password';

// The dev server at `api` as a test drives it: `call(method, path, body)`
// sends a JSON body to one of its endpoints (its /__test/ switches included)
// and resolves to the answer's JSON, failing the test on any other status
// than 2xx; `requests()` resolves to the requests it received, preflights
// left out.
export function devserverApi(api) {
  async function call(method, path, body) {
    const r = await fetch(`${api}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}`);
    return r.json();
  }
  async function requests() {
    const list = await call('GET', '/__test/requests');
    return list.filter((e) => e.method !== 'OPTIONS');
  }
  return { call, requests };
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Starts a process (`options` go to spawn) and resolves `ready` to what
// `isReady(lines)` returns once that is truthy, `lines` being its output so
// far (stdout and stderr); rejects when it exits first or takes longer than
// READY_TIMEOUT_MS. `name` names the process in those errors. `stop` ends it
// and resolves once it has exited; `kill` sends SIGTERM at once (for an
// 'exit' handler).
export function startProcess(command, args, options, isReady, name = command) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const output = [];
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name} was not ready within ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`));
    }, READY_TIMEOUT_MS);
    const settle = (fn, value) => {
      clearTimeout(timer);
      fn(value);
    };
    const onLine = (line) => {
      output.push(line);
      const value = isReady(output);
      if (value) settle(resolveReady, value);
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('error', (e) => settle(reject, new Error(`cannot start ${command}: ${e.message}`)));
    child.once('exit', (code, signal) => {
      settle(reject, new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output.join('\n')}`));
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async (signal = 'SIGTERM') => {
    if (running()) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill(signal);
      await exited;
    }
  };
  const kill = () => {
    if (running()) child.kill('SIGTERM');
  };
  return { child, ready, output, stop, kill };
}

// The dev server on free ports, its static listener serving `staticDir` to an
// API that allows any 127.0.0.1 origin; `extraArgs` are added to its command
// line. `ready` resolves to { api, site } once it has printed both ready lines.
export function startServer(staticDir, extraArgs = []) {
  return startProcess(
    SERVER_BIN,
    ['--port', '0', '--static-dir', staticDir, '--static-port', '0', '--allow-origin', 'http://127.0.0.1:*', ...extraArgs],
    {},
    (lines) => {
      const find = (re) => lines.map((l) => re.exec(l)?.[1]).find(Boolean);
      const api = find(/^listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/);
      const site = find(/^static on (http:\/\/127\.0\.0\.1:\d+)\s*$/);
      return api && site ? { api, site } : null;
    },
    'the dev server',
  );
}

// Headless Chromium from CHROMIUM, with `extraArgs` after the usual switches
// and `options` added to Playwright's launch options.
export function launchChromium(extraArgs = [], options = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ...options,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

// The end of a suite: closes the browser, stops the dev server, removes the
// staging folder and keeps the server's output in TARGET_DIR/`logName` for a
// look after a failure. Any of them may be missing (a setup that failed).
export async function tearDown({ browser, server, stage, logName }) {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    if (stage) rmSync(stage, { recursive: true, force: true });
    if (server) {
      mkdirSync(TARGET_DIR, { recursive: true });
      writeFileSync(join(TARGET_DIR, logName), `${server.output.join('\n')}\n`);
    }
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** Where the demo tests keep their screenshots of the debug panel. */
export const SCREENSHOTS = join(TARGET_DIR, 'screenshots');

/**
 * The demos' debug panel after a logout: the lines of its timeline from the
 * last sign-out on, each cut to its type and first fact, for comparing with
 * LOGOUT_TIMELINE; and a picture of the panel in SCREENSHOTS/<name>-panel-after-logout.png.
 */
export async function logoutTimeline(page, name) {
  const items = await page.locator('[data-testid="timeline-item"]').allTextContents();
  const start = items.findLastIndex((l) => l.startsWith('signout:start'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.locator('[data-testid="debug-panel"]').screenshot({ path: join(SCREENSHOTS, `${name}-panel-after-logout.png`) });
  return { before: items.slice(0, start), steps: items.slice(start).map((l) => l.split(' ').slice(0, 2).join(' ')) };
}

/** The steps of a logout as the demos' panels show them, in order. */
export const LOGOUT_TIMELINE = [
  'signout:start reason=logout',
  'signout:step step=token',
  'tab:sent message=logout',
  'logout:request outcome=ok',
  'signout:step step=sessionStorage',
  'signout:step step=onLogout',
  'signout:step step=navigate',
  'signout:end reason=logout',
];
