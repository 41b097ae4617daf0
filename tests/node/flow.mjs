// The whole session flow of the built package under node:test, against
// sociapp-auth/testing's fake API, in the DOM `installDom` puts in place
// (jsdom: testing.test.mjs; happy-dom: happy-dom.test.mjs). One client, as
// an app's test file would have; each step starts where the previous ended.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API, PAGE_URL, entry } from './dom.mjs';

const ANA = { email: 'ana@example.com', password: 'ana-password' };
const USERS = [
  { ...ANA, nombre: 'Ana', apellidos: 'García', categoria: 'admin', cuota: '25' },
  { email: 'luis@example.com', password: 'luis-password', nombre: 'Luis', apellidos: 'Pérez', isVerified: false },
];
const MEMBER = {
  nombre: 'Marta',
  apellidos: 'Ruiz',
  password: 'marta-password',
  dni: '12345678Z',
  direccion: 'Calle Sol 2',
  CP: '28001',
  provincia: 'Madrid',
  poblacion: 'Madrid',
  pais: 'España',
  email: 'marta@example.com',
  telefono: '600000001',
  fechaalta: '2026-02-03',
  formadepago: 'Efectivo',
  cuota: 12.5,
  categoria: 'Socio',
  socio: 'Socio',
};
/** Every request to the API is abandoned after this long: short, for the timeout step. */
const TIMEOUT_MS = 300;

/** The AuthError a promise rejects with (fails when it resolves). */
async function authError(promise) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.name, 'AuthError', `expected an AuthError, got ${e}`);
    return e;
  }
  assert.fail('expected a rejection');
}

export function sessionFlow(label, installDom) {
  describe(`the package in Node on ${label}, against the fake API`, () => {
    let dom;
    let api;
    let auth;
    /** The requests since the last call. */
    let seen = 0;
    const newRequests = () => {
      const all = api.requests;
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    };
    /** The signed-in user the handler saw on its last call. */
    let handlerUser;

    before(async () => {
      dom = await installDom();
      assert.equal(location.href, PAGE_URL);
      const { createAuthClient } = await import(entry('.'));
      const { createFakeApi } = await import(entry('./testing'));
      api = createFakeApi({
        users: USERS,
        handler(request, { user }) {
          const { pathname } = new URL(request.url);
          if (pathname !== '/posts') return undefined;
          handlerUser = user;
          return Response.json([{ id: 1, title: 'Asamblea', by: user?.IdUsuario ?? null }], { status: user ? 200 : 401 });
        },
      });
      auth = await createAuthClient({ baseUrl: API, redirectTo: null, timeoutMs: TIMEOUT_MS, fetch: api.fetch });
    });

    after(async () => {
      auth?.free();
      await dom?.close();
    });

    test('starts signed out and sends nothing for a visitor', () => {
      assert.equal(auth.getSnapshot().status, 'signedOut');
      assert.deepEqual(newRequests(), []);
    });

    test('login refuses a wrong password, an unverified email and a malformed one with the server\'s messages', async () => {
      const wrong = await authError(auth.login({ ...ANA, password: 'nope' }));
      assert.equal(wrong.code, 'invalid_credentials');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.message, 'Invalid credentials');
      const unverified = await authError(auth.login({ email: 'luis@example.com', password: 'luis-password' }));
      assert.equal(unverified.code, 'invalid_credentials');
      assert.equal(unverified.message, 'Por favor, verifique su correo electrónico antes de iniciar sesión.');
      const malformed = await authError(auth.login({ email: 'not-an-email', password: 'x' }));
      assert.equal(malformed.code, 'invalid_request');
      assert.equal(malformed.status, 400);
      assert.match(malformed.message, /email must be an email/);
      assert.equal(auth.getSnapshot().status, 'signedOut');
      newRequests();
    });

    test('login signs in with the token the fake issued', async () => {
      const snapshot = await auth.login(ANA);
      assert.equal(snapshot.status, 'signedIn');
      assert.deepEqual(snapshot.user, { id: 1, email: ANA.email });
      // A JWT of { sub, email, iat, exp }, 15 minutes.
      const token = auth.getAccessToken();
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      assert.deepEqual(Object.keys(claims), ['sub', 'email', 'iat', 'exp']);
      assert.equal(claims.exp - claims.iat, 900);
      assert.equal(snapshot.expiresAt, claims.exp * 1000);
      assert.equal(localStorage.getItem('access_token'), token);
      assert.ok(api.cookie, 'the fake holds the refresh cookie');
      assert.deepEqual(newRequests(), [{ method: 'POST', path: '/auth/login', authorized: false }]);
    });

    test('me answers the user row with the Bearer token, without the password', async () => {
      const user = await auth.me();
      assert.equal(user.IdUsuario, 1);
      assert.equal(user.email, ANA.email);
      assert.equal(user.nombre, 'Ana');
      assert.equal(user.categoria, 'admin');
      assert.equal(user.isVerified, true);
      assert.equal('password' in user, false);
      assert.deepEqual(newRequests(), [{ method: 'GET', path: '/auth/me', authorized: true }]);
    });

    test('after expireTokens() a 401 is renewed once with the cookie, and the request retried', async () => {
      const before = auth.getAccessToken();
      const cookie = api.cookie;
      api.expireTokens();
      const user = await auth.me();
      assert.equal(user.IdUsuario, 1);
      assert.notEqual(auth.getAccessToken(), before);
      assert.notEqual(api.cookie, cookie, 'the refresh rotated the cookie');
      assert.deepEqual(newRequests(), [
        { method: 'GET', path: '/auth/me', authorized: true },
        { method: 'POST', path: '/auth/refresh', authorized: false },
        { method: 'GET', path: '/auth/me', authorized: true },
      ]);
    });

    test('a handler path gets the signed-in user; an unknown path is a NestJS 404', async () => {
      const posts = await auth.fetch(`${API}/posts`);
      assert.equal(posts.status, 200);
      assert.deepEqual(await posts.json(), [{ id: 1, title: 'Asamblea', by: 1 }]);
      assert.equal(handlerUser.email, ANA.email);
      const missing = await auth.fetch(`${API}/nothing/here?page=2`);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { statusCode: 404, message: 'Cannot GET /nothing/here?page=2', error: 'Not Found' });
      assert.deepEqual(newRequests(), [
        { method: 'GET', path: '/posts', authorized: true },
        { method: 'GET', path: '/nothing/here', authorized: true },
      ]);
    });

    test('failNext with a status: the next request to that path gets it, the one after is served', async () => {
      api.failNext('/auth/me', { status: 503 });
      const unavailable = await authError(auth.me());
      assert.equal(unavailable.code, 'server');
      assert.equal(unavailable.status, 503);
      api.failNext('/posts', { status: 500 });
      const failed = await auth.fetch(`${API}/posts`);
      assert.equal(failed.status, 500);
      assert.deepEqual(await failed.json(), { statusCode: 500, message: 'Internal server error' });
      assert.equal((await auth.me()).IdUsuario, 1);
      assert.equal(auth.getSnapshot().status, 'signedIn');
      newRequests();
    });

    test('failNext with a network error: me() rejects "network", auth.fetch with the TypeError', async () => {
      api.failNext('/auth/me', { network: true });
      assert.equal((await authError(auth.me())).code, 'network');
      api.failNext('/posts', { network: true });
      await assert.rejects(auth.fetch(`${API}/posts`), TypeError);
      assert.equal(auth.getSnapshot().status, 'signedIn');
      newRequests();
    });

    test('failNext with a timeout: me() rejects "timeout" after timeoutMs; auth.fetch with its own signal\'s reason', async () => {
      api.failNext('/auth/me', { timeout: true });
      const started = Date.now();
      assert.equal((await authError(auth.me())).code, 'timeout');
      assert.ok(Date.now() - started >= TIMEOUT_MS - 20, 'waited for the timeout');
      api.failNext('/posts', { timeout: true });
      const controller = new AbortController();
      const pending = auth.fetch(`${API}/posts`, { signal: controller.signal });
      controller.abort(new Error('the page gave up'));
      await assert.rejects(pending, { message: 'the page gave up' });
      assert.equal(auth.getSnapshot().status, 'signedIn');
      newRequests();
    });

    test('logout answers 200, drops the cookie and no later request carries a token', async () => {
      const result = await auth.logout();
      assert.deepEqual(result, { server: 'ok', status: 200, errors: [] });
      assert.equal(auth.getSnapshot().status, 'signedOut');
      assert.equal(auth.getSnapshot().reason, 'logout');
      assert.equal(api.cookie, null);
      assert.equal(localStorage.getItem('access_token'), null);
      const posts = await auth.fetch(`${API}/posts`);
      assert.equal(posts.status, 401);
      assert.equal(handlerUser, null);
      assert.equal((await authError(auth.me())).code, 'not_signed_in');
      const after = newRequests();
      assert.deepEqual(after[0], { method: 'POST', path: '/auth/logout', authorized: false });
      assert.ok(after.every((r) => !r.authorized), JSON.stringify(after));
    });

    test('register, the mailed code, verifyEmail: signed in as the new member', async () => {
      const registered = await auth.register(MEMBER);
      assert.equal(registered.message, 'User registered successfully. Please check your email for verification code.');
      assert.equal(auth.getSnapshot().status, 'signedOut', 'register opens no session');
      const conflict = await authError(auth.register(MEMBER));
      assert.equal(conflict.code, 'conflict');
      assert.equal(conflict.message, 'Email already exists');
      const code = api.codeOf(MEMBER.email);
      assert.match(code, /^\d{6}$/);
      const snapshot = await auth.verifyEmail({ email: MEMBER.email, code });
      assert.equal(snapshot.status, 'signedIn');
      assert.deepEqual(snapshot.user, { id: 3, email: MEMBER.email });
      const user = await auth.me();
      assert.equal(user.IdUsuario, 3);
      assert.equal(user.nombre, 'Marta');
      assert.equal(user.cuota, '12.5');
      assert.equal(user.isVerified, true);
      assert.equal(api.codeOf(MEMBER.email), undefined);
    });

    test('verifyEmail again: already verified (200 without a token); resend-code: 409', async () => {
      const again = await authError(auth.verifyEmail({ email: MEMBER.email, code: '000000' }));
      assert.equal(again.code, 'already_verified');
      const resend = await authError(auth.resendCode({ email: MEMBER.email }));
      assert.equal(resend.code, 'conflict');
      assert.equal(resend.message, 'Email already verified');
      assert.equal(auth.getSnapshot().user.id, 3, 'still signed in as before');
      await auth.logout();
    });

    test('a wrong code, a resent one, an expired one: the server\'s Spanish messages', async () => {
      const email = 'luis@example.com';
      const code = api.codeOf(email);
      const wrong = await authError(auth.verifyEmail({ email, code: code === '123456' ? '654321' : '123456' }));
      assert.equal(wrong.code, 'invalid_credentials');
      assert.equal(wrong.message, 'Código de verificación incorrecto. Inténtelo de nuevo.');
      assert.equal((await auth.resendCode({ email })).message, 'Verification code resent successfully');
      assert.match(api.codeOf(email), /^\d{6}$/);
      assert.equal((await authError(auth.resendCode({ email: 'nobody@example.com' }))).message, 'User not found');
      assert.equal(api.expireCode(email), true);
      const expired = await authError(auth.verifyEmail({ email, code: api.codeOf(email) }));
      assert.equal(expired.code, 'invalid_credentials');
      assert.match(expired.message, /^El código ha expirado/);
      // The registration is gone.
      assert.equal((await authError(auth.resendCode({ email }))).message, 'User not found');
      assert.equal(auth.getSnapshot().status, 'signedOut');
    });
  });
}
