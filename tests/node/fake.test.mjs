// sociapp-auth/testing's fake API on its own, in plain Node (no window): the
// dev server's answers (status codes, messages, validation), the refresh
// cookie it keeps with rotation, its controls, and the same answers with
// happy-dom's Request, Response and Headers in place of Node's.
//
// Run by `make test-apps` as `node --test tests/node/` (after `make pkg`).
// Environment: SOCIAPP_PKG_DIR, the package folder (default pkg/).

import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API, entry } from './dom.mjs';

const { createFakeApi } = await import(entry('./testing'));

const DEMO = { email: 'demo@sociapp.dev', password: 'demo-password' };
const USERS = [
  { ...DEMO, nombre: 'Demo', apellidos: 'Usuario', categoria: 'Socio' },
  { email: 'unverified@sociapp.dev', password: 'demo-password', nombre: 'Sin', isVerified: false },
];
const MEMBER = {
  nombre: 'Ana', apellidos: 'López', password: 'pw', dni: '1X', direccion: 'C/ Sol 2', CP: '28001',
  provincia: 'Madrid', poblacion: 'Madrid', pais: 'España', email: 'ana@x.dev', telefono: '600',
  fechaalta: '2026-02-03T10:00:00Z', formadepago: 'Efectivo', cuota: '12.5', categoria: 'Socio', socio: 1,
};

let api;
beforeEach(() => {
  api = createFakeApi({ users: USERS });
});

/** `[status, body]` of a JSON POST (cookies included, as the SDK sends it). */
async function post(path, body, { type = 'application/json', credentials = 'include' } = {}) {
  const response = await api.fetch(`${API}${path}`, {
    method: 'POST',
    credentials,
    headers: body === undefined ? {} : { 'Content-Type': type },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return [response.status, text ? JSON.parse(text) : undefined];
}

async function me(token) {
  const response = await api.fetch(`${API}/auth/me`, token ? { headers: { Authorization: `Bearer ${token}` } } : undefined);
  return [response.status, await response.json()];
}

const bad = (message) => [400, { statusCode: 400, message, error: 'Bad Request' }];
const unauthorized = (message) => [401, { statusCode: 401, message, error: 'Unauthorized' }];

describe('validation, as the dev server answers it', () => {
  test('login', async () => {
    assert.deepEqual(await post('/auth/login', {}), bad(['email must be an email', 'password must be a string', 'password should not be empty']));
    assert.deepEqual(await post('/auth/login', { ...DEMO, foo: 1 }), bad(['property foo should not exist']));
    assert.deepEqual(await post('/auth/login', { email: 'nope', password: '' }), bad(['email must be an email', 'password should not be empty']));
    assert.deepEqual(await post('/auth/login', { email: 'a@b.co', password: 5 }), bad(['password must be a string']));
    const [status, body] = await post('/auth/login', '{"email":');
    assert.equal(status, 400);
    assert.match(body.message, /^Invalid JSON in request body: /);
    // Another content type reads as an empty object.
    assert.deepEqual(await post('/auth/login', DEMO, { type: 'text/plain' }), bad(['email must be an email', 'password must be a string', 'password should not be empty']));
  });

  test('verify-email and resend-code', async () => {
    assert.deepEqual(
      await post('/auth/verify-email', {}),
      bad(['email must be an email', 'code must be longer than or equal to 6 characters', 'code must be a string']),
    );
    assert.deepEqual(
      await post('/auth/verify-email', { email: 'a@b.co', code: '1234567', x: 1 }),
      bad(['property x should not exist', 'code must be shorter than or equal to 6 characters']),
    );
    assert.deepEqual(
      await post('/auth/verify-email', { email: 'a@b.co', code: 123456 }),
      bad(['code must be longer than or equal to 6 and shorter than or equal to 6 characters', 'code must be a string']),
    );
    assert.deepEqual(await post('/auth/resend-code', { email: 'x' }), bad(['email must be an email']));
  });

  test('register: every field of the row, in the DTO\'s order', async () => {
    const [status, body] = await post('/auth/register', { extra: true });
    assert.equal(status, 400);
    assert.equal(body.message[0], 'property extra should not exist');
    assert.equal(body.message.length, 17);
    assert.deepEqual(body.message.slice(-3), [
      'cuota must be a number conforming to the specified constraints',
      'categoria must be a string',
      'socio must be one of the following values: Socio, NoSocio',
    ]);
    const dates = async (fechaalta) => (await post('/auth/register', { ...MEMBER, fechaalta }))[0];
    for (const ok of ['2026', '2026-W05-3', '2026-01-31T10:00:00.123+01:00', '2026-01-31 10:00:00']) {
      api.reset();
      assert.equal(await dates(ok), 201, ok);
    }
    for (const wrong of ['2026/01/01', '2026-13-01', '2026-01-01T25:00', 'tomorrow']) {
      assert.equal(await dates(wrong), 400, wrong);
    }
  });
});

describe('sessions', () => {
  test('login: 401 for a wrong password, the unverified message, then a JWT of 15 minutes', async () => {
    assert.deepEqual(await post('/auth/login', { ...DEMO, password: 'x' }), unauthorized('Invalid credentials'));
    assert.deepEqual(await post('/auth/login', { email: 'nobody@x.dev', password: 'x' }), unauthorized('Invalid credentials'));
    assert.deepEqual(
      await post('/auth/login', { email: 'unverified@sociapp.dev', password: 'demo-password' }),
      unauthorized('Por favor, verifique su correo electrónico antes de iniciar sesión.'),
    );
    assert.equal(api.cookie, null);
    // Emails compare without ASCII case.
    const [status, { access_token: token }] = await post('/auth/login', { ...DEMO, email: 'DEMO@sociapp.dev' });
    assert.equal(status, 200);
    const [header, payload, signature] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    assert.deepEqual(Object.keys(claims), ['sub', 'email', 'iat', 'exp']);
    assert.equal(claims.sub, 1);
    assert.equal(claims.email, DEMO.email);
    assert.equal(claims.exp - claims.iat, 900);
    assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 5);
    assert.ok(signature.length > 0);
    assert.ok(api.cookie);
  });

  test('me: the row without the password; 401 without a valid Bearer token', async () => {
    assert.deepEqual(await me(), [401, { statusCode: 401, message: 'Unauthorized' }]);
    assert.deepEqual(await me('not-a-token'), [401, { statusCode: 401, message: 'Unauthorized' }]);
    const [, { access_token: token }] = await post('/auth/login', DEMO);
    assert.deepEqual(await me(token), [
      200,
      {
        IdUsuario: 1,
        nombre: 'Demo',
        apellidos: 'Usuario',
        email: DEMO.email,
        categoria: 'Socio',
        isVerified: true,
        verificationCode: null,
        verificationExpires: null,
      },
    ]);
    const response = await api.fetch(`${API}/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  test('refresh rotates the cookie: a used one and none answer 401; logout clears it and revokes nothing', async () => {
    assert.deepEqual(await post('/auth/refresh'), unauthorized('Refresh token not found'));
    await post('/auth/login', DEMO);
    const first = api.cookie;
    const [status, { access_token: token }] = await post('/auth/refresh');
    assert.equal(status, 200);
    assert.equal((await me(token))[0], 200);
    const second = api.cookie;
    assert.notEqual(second, first);
    api.cookie = first;
    assert.deepEqual(await post('/auth/refresh'), unauthorized('Invalid refresh token'));
    api.cookie = second;
    assert.deepEqual(await post('/auth/logout'), [200, { message: 'Logged out successfully' }]);
    assert.equal(api.cookie, null);
    assert.deepEqual(await post('/auth/refresh'), unauthorized('Refresh token not found'));
    // No revocation: the cookie from before the logout still refreshes, once.
    api.cookie = second;
    assert.equal((await post('/auth/refresh'))[0], 200);
  });

  test('a request that omits credentials neither sends nor stores the cookie', async () => {
    assert.equal((await post('/auth/login', DEMO, { credentials: 'omit' }))[0], 200);
    assert.equal(api.cookie, null);
    await post('/auth/login', DEMO);
    assert.deepEqual(await post('/auth/refresh', undefined, { credentials: 'omit' }), unauthorized('Refresh token not found'));
    assert.ok(api.cookie);
  });

  test('expireTokens: every token issued so far is refused; a refreshed one works', async () => {
    const [, { access_token: token }] = await post('/auth/login', DEMO);
    api.expireTokens();
    assert.equal((await me(token))[0], 401);
    const [, { access_token: renewed }] = await post('/auth/refresh');
    assert.equal((await me(renewed))[0], 200);
  });
});

describe('register, verify-email, resend-code', () => {
  test('the whole sign-up, with the row register stored', async () => {
    assert.deepEqual(await post('/auth/register', MEMBER), [201, { message: 'User registered successfully. Please check your email for verification code.' }]);
    assert.equal(api.cookie, null, 'register opens no session');
    assert.deepEqual(await post('/auth/register', { ...MEMBER, email: 'ANA@x.dev' }), [409, { statusCode: 409, message: 'Email already exists', error: 'Conflict' }]);
    assert.deepEqual(await post('/auth/resend-code', { email: MEMBER.email }), [200, { message: 'Verification code resent successfully' }]);
    const code = api.codeOf('ANA@x.dev');
    assert.match(code, /^\d{6}$/);
    const wrong = code === '000000' ? '111111' : '000000';
    assert.deepEqual(await post('/auth/verify-email', { email: MEMBER.email, code: wrong }), unauthorized('Código de verificación incorrecto. Inténtelo de nuevo.'));
    const [status, { access_token: token }] = await post('/auth/verify-email', { email: MEMBER.email, code });
    assert.equal(status, 200);
    assert.ok(api.cookie, 'verify-email opens a session');
    const [, row] = await me(token);
    assert.deepEqual(Object.keys(row), [
      'IdUsuario', 'nombre', 'apellidos', 'dni', 'direccion', 'CP', 'provincia', 'poblacion', 'pais', 'email',
      'telefono', 'fechaalta', 'fechabaja', 'formadepago', 'cuota', 'categoria', 'socio', 'isVerified',
      'verificationCode', 'verificationExpires',
    ]);
    assert.equal(row.IdUsuario, 3);
    assert.equal(row.fechaalta, '2026-02-03');
    assert.equal(row.fechabaja, null);
    assert.equal(row.cuota, '12.5');
    assert.equal(row.socio, 'Socio');
    assert.deepEqual(await post('/auth/verify-email', { email: MEMBER.email, code }), [200, { message: 'Email already verified' }]);
    assert.deepEqual(await post('/auth/resend-code', { email: MEMBER.email }), [409, { statusCode: 409, message: 'Email already verified', error: 'Conflict' }]);
    assert.deepEqual(await post('/auth/resend-code', { email: 'nobody@x.dev' }), unauthorized('User not found'));
    assert.deepEqual(await post('/auth/verify-email', { email: 'nobody@x.dev', code: '123456' }), unauthorized('User not found'));
  });

  test('a given unverified user has a code; an expired code deletes the registration', async () => {
    const email = 'unverified@sociapp.dev';
    assert.match(api.codeOf(email), /^\d{6}$/);
    assert.equal(api.codeOf(DEMO.email), undefined);
    assert.equal(api.expireCode(DEMO.email), false);
    assert.equal(api.expireCode(email), true);
    assert.deepEqual(
      await post('/auth/verify-email', { email, code: api.codeOf(email) }),
      unauthorized('El código ha expirado. Su registro ha sido eliminado por seguridad. Por favor, regístrese de nuevo.'),
    );
    assert.deepEqual(await post('/auth/resend-code', { email }), unauthorized('User not found'));
  });
});

describe('controls', () => {
  test('requests: method, path and whether a Bearer token came', async () => {
    await api.fetch(`${API}/x?y=1`, { headers: { Authorization: 'Bearer abc' } });
    await api.fetch(new URL(`${API}/auth/me`));
    await api.fetch(new Request(`${API}/auth/logout`, { method: 'POST' }));
    assert.deepEqual(api.requests, [
      { method: 'GET', path: '/x', authorized: true },
      { method: 'GET', path: '/auth/me', authorized: false },
      { method: 'POST', path: '/auth/logout', authorized: false },
    ]);
  });

  test('failNext: each queued failure once, in order, then the real answer', async () => {
    api.failNext('/auth/login', { status: 429 });
    api.failNext('/auth/login', { status: 503, body: { custom: true }, headers: { 'x-why': 'test' } });
    api.failNext('/auth/login', { status: 200, body: 'not json' });
    assert.deepEqual(await post('/auth/login', DEMO), [429, { statusCode: 429, message: 'ThrottlerException: Too Many Requests' }]);
    const response = await api.fetch(`${API}/auth/login`, { method: 'POST' });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('x-why'), 'test');
    assert.deepEqual(await response.json(), { custom: true });
    const raw = await api.fetch(`${API}/auth/login`, { method: 'POST' });
    assert.equal(await raw.text(), 'not json');
    assert.equal((await post('/auth/login', DEMO))[0], 200);
    assert.throws(() => api.failNext('auth/login', { status: 500 }), TypeError);
    assert.throws(() => api.failNext('/auth/login', { status: 99 }), TypeError);
    assert.throws(() => api.failNext('/auth/login', {}), TypeError);
  });

  test('failNext network: a TypeError, as a browser\'s fetch rejects', async () => {
    api.failNext('/auth/me', { network: true });
    await assert.rejects(api.fetch(`${API}/auth/me`), TypeError);
    assert.equal((await api.fetch(`${API}/auth/me`)).status, 401);
  });

  test('failNext timeout: settles only when the signal aborts, with its reason', async () => {
    api.failNext('/auth/me', { timeout: true });
    const controller = new AbortController();
    let settled = false;
    const pending = api.fetch(`${API}/auth/me`, { signal: controller.signal }).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    const reason = new Error('gave up');
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    // AbortSignal.timeout, as the SDK sends: its TimeoutError.
    api.failNext('/auth/me', { timeout: true });
    await assert.rejects(api.fetch(`${API}/auth/me`, { signal: AbortSignal.timeout(20) }), { name: 'TimeoutError' });
    // A signal aborted already: at once, as fetch does.
    await assert.rejects(api.fetch(`${API}/auth/me`, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  });

  test('reset: back to the users given, with nothing of before', async () => {
    await post('/auth/register', MEMBER);
    const [, { access_token: token }] = await post('/auth/login', DEMO);
    api.failNext('/auth/me', { status: 500 });
    api.reset();
    assert.equal(api.cookie, null);
    assert.deepEqual(api.requests, []);
    assert.equal(api.codeOf(MEMBER.email), undefined);
    assert.equal((await me(token))[0], 401, 'tokens of before are refused');
    assert.equal((await post('/auth/register', MEMBER))[0], 201);
    const code = api.codeOf(MEMBER.email);
    const [, { access_token: fresh }] = await post('/auth/verify-email', { email: MEMBER.email, code });
    assert.equal((await me(fresh))[1].IdUsuario, 3, 'ids start again after the users given');
  });

  test('the users given are copied; bad options are refused', async () => {
    const users = [{ email: 'a@b.co', password: 'pw', nombre: 'A' }];
    const own = createFakeApi({ users });
    users[0].password = 'changed';
    const response = await own.fetch(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: 'pw' }),
    });
    assert.equal(response.status, 200);
    assert.throws(() => createFakeApi({ users: [{ email: 'a@b.co' }] }), /users\[0\]\.password must be a string/);
    assert.throws(() => createFakeApi({ handler: 5 }), TypeError);
    assert.equal(createFakeApi().requests.length, 0);
  });
});

describe('handler', () => {
  let errors;
  const consoleError = console.error;
  beforeEach(() => {
    errors = [];
    console.error = (...args) => errors.push(args);
  });
  afterEach(() => {
    console.error = consoleError;
  });

  test('gets the request (body unread) and the signed-in user\'s row; undefined is a 404', async () => {
    const seen = [];
    const own = createFakeApi({
      users: USERS,
      async handler(request, { user }) {
        const { pathname } = new URL(request.url);
        seen.push([request.method, pathname, user?.IdUsuario ?? null]);
        if (pathname === '/notes' && request.method === 'POST') return Response.json({ saved: await request.json(), by: user?.email }, { status: 201 });
        if (pathname === '/boom') throw new Error('handler bug');
        return undefined;
      },
    });
    const login = await own.fetch(`${API}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(DEMO) });
    const { access_token: token } = await login.json();
    const created = await own.fetch(`${API}/notes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'hola' }),
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { saved: { text: 'hola' }, by: DEMO.email });
    const missing = await own.fetch(`${API}/notes`);
    assert.deepEqual(await missing.json(), { statusCode: 404, message: 'Cannot GET /notes', error: 'Not Found' });
    // A known path with another method is the handler's too.
    assert.equal((await own.fetch(`${API}/auth/login`)).status, 404);
    const boom = await own.fetch(`${API}/boom`);
    assert.deepEqual([boom.status, await boom.json()], [500, { statusCode: 500, message: 'Internal server error' }]);
    assert.equal(errors.length, 1);
    assert.deepEqual(seen, [['POST', '/notes', 1], ['GET', '/notes', null], ['GET', '/auth/login', null], ['GET', '/boom', null]]);
  });

  test('a handler that never answers rejects when the request\'s signal aborts', async () => {
    const own = createFakeApi({ handler: () => new Promise(() => {}) });
    await assert.rejects(own.fetch(`${API}/slow`, { signal: AbortSignal.timeout(20) }), { name: 'TimeoutError' });
  });
});

test('with happy-dom\'s Request, Response, Headers and AbortController as the globals', async () => {
  const { Window } = await import('happy-dom');
  const window = new Window({ url: 'http://localhost:5173/' });
  const names = ['Request', 'Response', 'Headers', 'AbortController', 'AbortSignal'];
  const saved = Object.fromEntries(names.map((n) => [n, globalThis[n]]));
  try {
    for (const n of names) globalThis[n] = window[n];
    const fake = createFakeApi({ users: USERS });
    const login = await fake.fetch(`${API}/auth/login`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(DEMO),
    });
    assert.ok(login instanceof window.Response);
    const { access_token: token } = await login.json();
    const request = new window.Request(`${API}/auth/me`, { headers: new window.Headers({ Authorization: `Bearer ${token}` }) });
    const answer = await fake.fetch(request);
    assert.equal((await answer.json()).IdUsuario, 1);
    assert.equal((await fake.fetch(`${API}/auth/refresh`, { method: 'POST', credentials: 'include' })).status, 200);
    fake.failNext('/auth/me', { timeout: true });
    const controller = new window.AbortController();
    const pending = fake.fetch(`${API}/auth/me`, { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.deepEqual(fake.requests.map((r) => r.authorized), [false, true, false, false]);
  } finally {
    Object.assign(globalThis, saved);
    await window.happyDOM.close();
  }
});
