// The package on a server: Node, no DOM, as SSR frameworks import it. Every
// entry of the export map imports without a request or a global touched;
// createAuthClient rejects with the documented AuthError; the Vue store
// (Pinia, @vue/server-renderer) and the React provider (react-dom/server,
// given the client's promise) render signed out and not ready, with plain
// serialisable state and no unhandled rejection.
//
// Vue, Pinia and React come from the Vite demos' node_modules, where the
// built package is installed as an app installs it (demo-build.mjs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMOS, install } from './demo-build.mjs';
import { PKG_DIR } from './support.mjs';

const unhandled = [];
const onUnhandled = (reason) => unhandled.push(reason);
const fetched = [];
const realFetch = globalThis.fetch;
let globalsBefore;

// A module of a demo's node_modules, by the name an app imports it with.
async function load(demo, specifier) {
  const resolved = createRequire(join(DEMOS[demo].dir, 'package.json')).resolve(specifier);
  const mod = await import(pathToFileURL(resolved).href);
  // CommonJS packages (vue, react) arrive as the default export.
  return mod.default && Object.keys(mod).length <= 2 ? mod.default : mod;
}

// The installed package's entry `sub` in a demo ('' for the main entry).
function entry(demo, sub) {
  const dir = join(DEMOS[demo].dir, 'node_modules', 'sociapp-auth');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const target = manifest.exports[sub === '' ? '.' : `./${sub}`];
  return import(pathToFileURL(join(dir, typeof target === 'string' ? target : target.default)).href);
}

// Only plain data: null, booleans, numbers, strings, arrays, and objects
// whose prototype is Object.prototype (what Nuxt's payload accepts).
function assertPlain(value, path = 'state') {
  if (value === null || ['boolean', 'number', 'string'].includes(typeof value)) return;
  assert.equal(typeof value, 'object', `${path} is ${typeof value}`);
  if (Array.isArray(value)) return value.forEach((v, i) => assertPlain(v, `${path}[${i}]`));
  assert.equal(Object.getPrototypeOf(value), Object.prototype, `${path} is not a plain object`);
  for (const [k, v] of Object.entries(value)) assertPlain(v, `${path}.${k}`);
}

const settle = () => new Promise((done) => setTimeout(done, 0));

before(() => {
  install('vue', PKG_DIR);
  install('react', PKG_DIR);
  process.on('unhandledRejection', onUnhandled);
  globalThis.fetch = (...args) => {
    fetched.push(String(args[0]));
    return realFetch(...args);
  };
}, { timeout: 300_000 });

after(() => {
  globalThis.fetch = realFetch;
  process.off('unhandledRejection', onUnhandled);
});

test('every entry of the export map imports in Node and does nothing', async () => {
  // The frameworks first: they set globals of their own (Vue's devtools hooks).
  for (const [demo, name] of [['vue', 'vue'], ['vue', 'pinia'], ['react', 'react']]) await load(demo, name);
  globalsBefore = Object.getOwnPropertyNames(globalThis).sort();
  const main = await entry('vue', '');
  const vue = await entry('vue', 'vue');
  const react = await entry('react', 'react');
  const testing = await entry('vue', 'testing');
  assert.equal(typeof testing.createFakeApi, 'function');
  assert.equal(typeof main.createAuthClient, 'function');
  assert.equal(typeof vue.defineAuthStore, 'function');
  assert.deepEqual([typeof react.AuthProvider, typeof react.useAuth, typeof react.useAuthClient], ['function', 'function', 'function']);
  const manifest = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(manifest.exports).sort(), ['.', './package.json', './react', './testing', './vue']);
  await settle();
  assert.deepEqual(fetched, [], 'no request at import time');
  assert.equal(typeof globalThis.window, 'undefined');
  assert.deepEqual(Object.getOwnPropertyNames(globalThis).sort(), globalsBefore, 'the package adds no global');
});

test('createAuthClient rejects on a server with code "unsupported_environment"', async () => {
  const { createAuthClient } = await entry('vue', '');
  await assert.rejects(createAuthClient({ baseUrl: 'http://127.0.0.1:9' }), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'AuthError');
    assert.equal(e.code, 'unsupported_environment');
    assert.match(e.message, /browser/);
    return true;
  });
  assert.deepEqual(fetched, []);
});

test('the Vue store renders signed out, not ready, with plain state, on the server', async () => {
  const { createSSRApp, h } = await load('vue', 'vue');
  const { renderToString } = await load('vue', 'vue/server-renderer');
  const { createPinia } = await load('vue', 'pinia');
  const { defineAuthStore } = await entry('vue', 'vue');
  let factoryCalls = 0;
  const useStatic = defineAuthStore({ id: 'auth-static', baseUrl: 'https://api.example.com', router: { push() {} } });
  const useLazy = defineAuthStore('auth-lazy', () => {
    factoryCalls += 1;
    return { baseUrl: 'https://api.example.com' };
  });
  let stores;
  const app = createSSRApp({
    setup() {
      stores = [useStatic(), useLazy()];
      return () =>
        h('main', stores.map((s) => h('p', { 'data-status': s.status, 'data-ready': String(s.ready) }, s.signedIn ? s.user?.email : 'signed out')));
    },
  });
  const pinia = createPinia();
  app.use(pinia);
  const html = await renderToString(app);
  assert.equal(html.match(/data-status="signedOut" data-ready="false"/g)?.length, 2, html);
  assert.equal(factoryCalls, 0, 'the options function is not called on a server');
  assertPlain(pinia.state.value);
  assert.deepEqual(JSON.parse(JSON.stringify(pinia.state.value['auth-lazy'])), {
    snapshot: { status: 'signedOut', user: null, reason: null, expiresAt: null, renewal: null },
    ready: false,
    error: null,
  });
  // Actions on a server reject with the documented error.
  await assert.rejects(stores[0].getClient(), { name: 'AuthError', code: 'unsupported_environment' });
  await assert.rejects(stores[1].logout(), { name: 'AuthError', code: 'unsupported_environment' });
  await settle();
  assert.deepEqual(fetched, []);
  assert.deepEqual(unhandled, []);
});

test('the React provider given the client promise renders signed out, not ready, on the server', async () => {
  const React = await load('react', 'react');
  const { renderToString } = await load('react', 'react-dom/server');
  const { createAuthClient } = await entry('react', '');
  const { AuthProvider, useAuth, useAuthClient } = await entry('react', 'react');
  const seen = [];
  function Status() {
    const auth = useAuth();
    const client = useAuthClient();
    seen.push({ ready: auth.ready, status: auth.status, client, error: auth.error });
    return React.createElement('p', { 'data-status': auth.status }, auth.ready ? 'ready' : 'loading');
  }
  // As a 'use client' module would on a server: the promise rejects there.
  const promise = createAuthClient({ baseUrl: 'https://api.example.com' });
  const html = renderToString(React.createElement(AuthProvider, { client: promise }, React.createElement(Status)));
  assert.match(html, /data-status="signedOut"[^>]*>loading</);
  // The options form never creates a client on a server.
  const withOptions = renderToString(
    React.createElement(AuthProvider, { options: { baseUrl: 'https://api.example.com' } }, React.createElement(Status)),
  );
  assert.match(withOptions, /data-status="signedOut"[^>]*>loading</);
  assert.deepEqual(seen, [
    { ready: false, status: 'signedOut', client: null, error: null },
    { ready: false, status: 'signedOut', client: null, error: null },
  ]);
  // Neither a bare useAuth nor a provider with both props is accepted.
  assert.throws(() => renderToString(React.createElement(Status)), /AuthProvider/);
  assert.throws(
    () => renderToString(React.createElement(AuthProvider, { client: promise, options: {} })),
    { name: 'AuthError', code: 'invalid_option' },
  );
  await settle();
  assert.deepEqual(fetched, []);
  assert.deepEqual(unhandled, []);
});
