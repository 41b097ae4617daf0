// Importing the built package in Node without a window does nothing: no
// request, no file read, no WebAssembly; createAuthClient rejects with
// "unsupported_environment" (server rendering). The fake API needs no window.
//
// Run by `make test-apps` as `node --test tests/node/` (after `make pkg`).
// Environment: SOCIAPP_PKG_DIR, the package folder (default pkg/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API, entry } from './dom.mjs';

test('importing the package without a window starts nothing; createAuthClient rejects', async () => {
  assert.equal(typeof window, 'undefined');
  const calls = [];
  const { fetch, process: proc } = globalThis;
  const getBuiltinModule = proc.getBuiltinModule;
  const compile = WebAssembly.compile;
  globalThis.fetch = (...args) => {
    calls.push(['fetch', String(args[0])]);
    return fetch(...args);
  };
  proc.getBuiltinModule = (name) => {
    calls.push(['getBuiltinModule', name]);
    return getBuiltinModule.call(proc, name);
  };
  WebAssembly.compile = (...args) => {
    calls.push(['compile']);
    return compile(...args);
  };
  try {
    const { createAuthClient } = await import(entry('.'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(calls, []);
    await assert.rejects(createAuthClient({ baseUrl: API }), { name: 'AuthError', code: 'unsupported_environment' });
    assert.deepEqual(calls, []);
  } finally {
    globalThis.fetch = fetch;
    proc.getBuiltinModule = getBuiltinModule;
    WebAssembly.compile = compile;
  }
});

test('the fake API works without a window, with Node\'s Request and Response', async () => {
  const { createFakeApi } = await import(entry('./testing'));
  const api = createFakeApi({ users: [{ email: 'a@b.co', password: 'pw' }] });
  const response = await api.fetch(`${API}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'a@b.co', password: 'pw' }),
  });
  assert.ok(response instanceof Response);
  assert.equal(response.status, 200);
  assert.equal(typeof (await response.json()).access_token, 'string');
});
