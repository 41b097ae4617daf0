// sociapp-auth/testing: the SociApp API in memory, for an app's unit tests.
//
// `createFakeApi({ users, handler })` returns a fake whose `fetch` answers the
// auth endpoints as the SociApp backend (and the project's dev server) does:
// the same status codes, messages and validation, NestJS-shaped errors. Give
// it to the SDK as its `fetch` option; no network is used. The fake plays the
// browser's cookie jar too: it keeps the HttpOnly refresh cookie itself.
//
// It reads requests with the environment's own `Request` and answers with
// its `Response` and `Headers` (a browser, Node, jsdom, happy-dom), so its
// answers are what the code under test would get from the page's `fetch`.
// Not imported by the other entries: apps ship none of it.

/** Access tokens live 15 minutes; refresh tokens (the cookie) 7 days; a mailed code 15 minutes. */
const ACCESS_TTL_S = 900;
const REFRESH_TTL_S = 604_800;
const CODE_TTL_MS = 15 * 60 * 1000;

const UNVERIFIED = 'Por favor, verifique su correo electrónico antes de iniciar sesión.';
const WRONG_CODE = 'Código de verificación incorrecto. Inténtelo de nuevo.';
const EXPIRED_CODE =
  'El código ha expirado. Su registro ha sido eliminado por seguridad. Por favor, regístrese de nuevo.';
const REGISTERED = 'User registered successfully. Please check your email for verification code.';

/** The member's row that register takes (the backend's RegisterDto), in its order. */
const REGISTER_FIELDS = [
  'nombre', 'apellidos', 'password', 'dni', 'direccion', 'CP', 'provincia', 'poblacion', 'pais',
  'email', 'telefono', 'fechaalta', 'fechabaja', 'formadepago', 'cuota', 'categoria', 'socio',
];
/** The columns of the user row before the verification ones, in the order the backend answers them. */
const ROW_ORDER = REGISTER_FIELDS.filter((f) => f !== 'password');
/** What a given user may not set: the fake assigns the id and keeps the verification state. */
const NOT_PROFILE = new Set(['email', 'password', 'isVerified', 'IdUsuario', 'verificationCode', 'verificationExpires']);

/** validator.js's isISO8601 (not strict): class-validator's IsDateString. */
const ISO8601 =
  /^([+-]?\d{4}(?!\d{2}\b))((-?)((0[1-9]|1[0-2])(\3([12]\d|0[1-9]|3[01]))?|W([0-4]\d|5[0-3])(-?[1-7])?|(00[1-9]|0[1-9]\d|[12]\d{2}|3([0-5]\d|6[1-6])))([T\s]((([01]\d|2[0-3])((:?)[0-5]\d)?|24:?00)([.,]\d+(?!:))?)?(\17[0-5]\d([.,]\d+)?)?([zZ]|([+-])([01]\d|2[0-3]):?([0-5]\d)?)?)?)?$/;

/** Reason phrases for the default body of `failNext(path, { status })`. */
const REASONS = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Statuses whose response has no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const own = (obj, key) => (Object.hasOwn(obj, key) ? obj[key] : undefined);
/** ASCII-only lower case: the backend compares emails ignoring ASCII case. */
const asciiLower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function base64url(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** A JWT with this payload; its signature is a serial number (the fake checks tokens by their text). */
function jwt(payload, serial) {
  return `${JWT_HEADER}.${base64url(JSON.stringify(payload))}.${base64url(`sociapp-auth/testing ${serial}`)}`;
}

/** A plain `local@domain.tld` check, the dev server's stand-in for IsEmail. */
function looksLikeEmail(s) {
  const at = s.indexOf('@');
  if (at < 0) return false;
  const local = s.slice(0, at);
  const labels = s.slice(at + 1).split('.');
  const labelsOk =
    labels.length >= 2 &&
    labels.every((l) => l !== '' && !l.startsWith('-') && !l.endsWith('-') && /^[\p{Alphabetic}\p{N}-]+$/u.test(l));
  return (
    local !== '' &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    !/[\p{White_Space}\p{Cc}@<>()[\]\\,;:"]/u.test(local) &&
    labelsOk
  );
}

/** A 400 answer's `message`, thrown by the checks below. */
class Invalid {
  constructor(message) {
    this.message = message;
  }
}

/**
 * The body as a JSON object, as Express and NestJS read it: a JSON content
 * type with a body that does not parse is a 400 with a string message; any
 * other content type, an empty body or a JSON array counts as `{}`.
 */
function jsonObject(request, text) {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!(type === 'application/json' || type.endsWith('+json')) || /^[\t\n\f\r ]*$/.test(text)) return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Invalid(`Invalid JSON in request body: ${e.message}`);
  }
  if (Array.isArray(value)) return {};
  if (value === null || typeof value !== 'object') throw new Invalid('Request body must be a JSON object');
  return value;
}

/**
 * The messages of one DTO's class-validator checks (whitelist,
 * forbidNonWhitelisted): unknown properties first, then each property in the
 * DTO's order.
 */
class Checks {
  constructor(obj, allowed) {
    this.obj = obj;
    this.messages = Object.keys(obj)
      .filter((k) => !allowed.includes(k))
      .map((k) => `property ${k} should not exist`);
  }

  get(key) {
    return own(this.obj, key);
  }

  /** `@IsString()`. */
  string(key) {
    const v = this.get(key);
    if (typeof v === 'string') return v;
    this.messages.push(`${key} must be a string`);
    return '';
  }

  /** `@IsEmail()`. */
  email(key) {
    const v = this.get(key);
    if (typeof v === 'string' && looksLikeEmail(v)) return v;
    this.messages.push(`${key} must be an email`);
    return '';
  }

  /** `@IsDateString()` (`@IsOptional()` too when `optional`); kept as a date column keeps it. */
  date(key, optional) {
    const v = this.get(key);
    if (optional && (v === undefined || v === null)) return null;
    if (typeof v === 'string' && ISO8601.test(v)) return /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.exec(v)?.[0] ?? v;
    this.messages.push(`${key} must be a valid ISO 8601 date string`);
    return null;
  }

  /** `@Type(() => Number) @IsNumber()`: strings and booleans go through `Number()` first. */
  number(key) {
    const v = this.get(key);
    const n = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
    this.messages.push(`${key} must be a number conforming to the specified constraints`);
    return 0;
  }

  /** `@IsEnum(['Socio', 'NoSocio'])` after the DTO's transform of 1 and 0. */
  socio(key) {
    const v = this.get(key);
    if (v === 'Socio' || v === 'NoSocio') return v;
    if (v === 1) return 'Socio';
    if (v === 0) return 'NoSocio';
    this.messages.push(`${key} must be one of the following values: Socio, NoSocio`);
    return '';
  }

  /** `@IsString() @Length(min, max)`: the length is reported first. */
  stringOfLength(key, min, max) {
    const v = this.get(key);
    const longer = `${key} must be longer than or equal to ${min} characters`;
    const shorter = `${key} must be shorter than or equal to ${max} characters`;
    let message = `${key} must be longer than or equal to ${min} and shorter than or equal to ${max} characters`;
    if (typeof v === 'string') {
      const n = [...v].length;
      message = n < min ? longer : n > max ? shorter : null;
    } else if (v === undefined || v === null || v === false || v === 0) {
      message = longer;
    } else if (Array.isArray(v) && v.length < min) {
      message = longer;
    } else if (Array.isArray(v) && v.length > max) {
      message = shorter;
    }
    if (message) this.messages.push(message);
    return this.string(key);
  }

  finish(value) {
    if (this.messages.length) throw new Invalid(this.messages);
    return value;
  }
}

/** `{ @IsEmail() email; @IsString() @IsNotEmpty() password }`. */
function validateLogin(obj) {
  const messages = Object.keys(obj)
    .filter((k) => k !== 'email' && k !== 'password')
    .map((k) => `property ${k} should not exist`);
  const email = own(obj, 'email');
  const emailOk = typeof email === 'string' && looksLikeEmail(email);
  if (!emailOk) messages.push('email must be an email');
  const password = own(obj, 'password');
  if (typeof password !== 'string') messages.push('password must be a string');
  if (password === undefined || password === null || password === '') messages.push('password should not be empty');
  if (messages.length) throw new Invalid(messages);
  return { email, password };
}

/** The backend's RegisterDto; the row as the database keeps it (cuota a decimal string, dates as dates). */
function validateRegister(obj) {
  const c = new Checks(obj, REGISTER_FIELDS);
  const row = {};
  for (const key of ['nombre', 'apellidos']) row[key] = c.string(key);
  const password = c.string('password');
  for (const key of ['dni', 'direccion', 'CP', 'provincia', 'poblacion', 'pais']) row[key] = c.string(key);
  const email = c.email('email');
  row.telefono = c.string('telefono');
  row.fechaalta = c.date('fechaalta', false) ?? '';
  row.fechabaja = c.date('fechabaja', true);
  row.formadepago = c.string('formadepago');
  row.cuota = String(c.number('cuota'));
  row.categoria = c.string('categoria');
  row.socio = c.socio('socio');
  return c.finish({ email, password, profile: row });
}

/** `{ @IsEmail() email; @IsString() @Length(6, 6) code }`. */
function validateVerify(obj) {
  const c = new Checks(obj, ['email', 'code']);
  const email = c.email('email');
  const code = c.stringOfLength('code', 6, 6);
  return c.finish({ email, code });
}

/** `{ @IsEmail() email }`. */
function validateResend(obj) {
  const c = new Checks(obj, ['email']);
  const email = c.email('email');
  return c.finish({ email });
}

/** A random 6-digit code, valid 15 minutes. */
function newCode() {
  const n = globalThis.crypto?.getRandomValues
    ? globalThis.crypto.getRandomValues(new Uint32Array(1))[0]
    : Math.floor(Math.random() * 2 ** 32);
  return { code: String(n % 1_000_000).padStart(6, '0'), expires: Date.now() + CODE_TTL_MS };
}

/** A JSON answer, made with the environment's Response. */
function respond(status, body, headers) {
  const h = new Headers(headers);
  if (NULL_BODY.has(status)) return new Response(null, { status, headers: h });
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (!h.has('content-type')) {
    h.set('content-type', typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  }
  return new Response(text, { status, headers: h });
}

/** `{ statusCode, message, error }` as NestJS sends it; `error` left out when not given. */
function nestError(status, message, error) {
  return respond(status, error === undefined ? { statusCode: status, message } : { statusCode: status, message, error });
}

/** The body `failNext(path, { status })` answers with when it gives none. */
function defaultBody(status) {
  if (status < 400) return {};
  if (status === 429) return { statusCode: 429, message: 'ThrottlerException: Too Many Requests' };
  if (status === 500) return { statusCode: 500, message: 'Internal server error' };
  return { statusCode: status, message: REASONS[status] ?? 'Error' };
}

/** Whether `value` is a Request (of any realm: the environment's or another). */
function isRequest(value) {
  return typeof value === 'object' && value !== null && typeof value.url === 'string' && typeof value.method === 'string' && 'signal' in value;
}

/**
 * Settles with `promise`, or rejects with the signal's reason once it aborts
 * first, as fetch does. Meanwhile a timer stands for the open connection: a
 * Node process waits for the answer (or the abort) instead of ending with
 * the request pending, as Node's own timers of AbortSignal.timeout do not
 * keep it running.
 */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const connection = setTimeout(() => {}, 2 ** 31 - 1);
    const done = () => {
      clearTimeout(connection);
      signal.removeEventListener('abort', abort);
    };
    const abort = () => {
      done();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    Promise.resolve(promise).then(
      (v) => {
        done();
        resolve(v);
      },
      (e) => {
        done();
        reject(e);
      },
    );
  });
}

function checkUser(user, i) {
  if (typeof user !== 'object' || user === null) throw new TypeError(`createFakeApi: users[${i}] must be an object`);
  for (const key of ['email', 'password']) {
    if (typeof user[key] !== 'string') throw new TypeError(`createFakeApi: users[${i}].${key} must be a string`);
  }
}

function checkFailure(path, failure) {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`failNext: the path must start with "/", e.g. "/auth/me" (got ${String(path)})`);
  }
  if (typeof failure !== 'object' || failure === null) {
    throw new TypeError('failNext: give { status }, { network: true } or { timeout: true }');
  }
  if (failure.network === true || failure.timeout === true) return;
  const { status } = failure;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError(`failNext: status must be an HTTP status from 200 to 599 (got ${String(status)})`);
  }
}

/**
 * Creates an in-memory SociApp API. `users`: `{ email, password, ...profile }`
 * each (`isVerified: false` for one that has not verified its email), given
 * the ids 1, 2, … in order. `handler(request, { user })`: answers the paths
 * the fake does not serve (undefined: 404). See testing.d.ts.
 */
export function createFakeApi(options = {}) {
  const { users = [], handler } = options ?? {};
  if (!Array.isArray(users)) throw new TypeError('createFakeApi: users must be an array of { email, password, ...profile }');
  users.forEach(checkUser);
  if (handler !== undefined && typeof handler !== 'function') {
    throw new TypeError('createFakeApi: handler must be a function (request, { user }) => Response | undefined');
  }
  // Copies, so that a test changing its own objects changes nothing here.
  const given = users.map((u) => ({ ...u }));

  let accounts;
  let nextId;
  /** Access tokens issued: token → { id, email, exp, serial }. */
  let access;
  /** Refresh tokens issued and not yet used: token → { id, email, exp }. */
  let refreshTokens;
  /** The refresh cookie the "browser" holds, or null. */
  let cookie;
  /** Tokens are numbered as issued; those up to `expiredUpTo` are refused. */
  let serial;
  let expiredUpTo;
  /** Pending failures by path, in order. */
  let failures;
  let log;

  function reset() {
    accounts = given.map((u, i) => {
      const profile = {};
      for (const [key, value] of Object.entries(u)) if (!NOT_PROFILE.has(key)) profile[key] = value;
      const verified = u.isVerified !== false;
      return { id: i + 1, email: u.email, password: u.password, profile, verified, code: verified ? null : newCode() };
    });
    nextId = accounts.length + 1;
    access = new Map();
    refreshTokens = new Map();
    cookie = null;
    serial = 0;
    expiredUpTo = 0;
    failures = new Map();
    log = [];
  }
  reset();

  const find = (email) => accounts.find((a) => asciiLower(a.email) === asciiLower(email));

  /** The user row GET /auth/me answers: no password. */
  function row(a) {
    const out = { IdUsuario: a.id };
    const fields = { ...a.profile, email: a.email };
    for (const key of ROW_ORDER) if (Object.hasOwn(fields, key)) out[key] = fields[key];
    for (const [key, value] of Object.entries(fields)) if (!Object.hasOwn(out, key)) out[key] = value;
    out.isVerified = a.verified;
    out.verificationCode = a.code?.code ?? null;
    out.verificationExpires = a.code ? new Date(a.code.expires).toISOString() : null;
    return out;
  }

  /** A new access token and refresh cookie for the account (the cookie is stored when the request allows cookies). */
  function issue(a, storesCookie) {
    const iat = Math.floor(Date.now() / 1000);
    const n = ++serial;
    const token = jwt({ sub: a.id, email: a.email, iat, exp: iat + ACCESS_TTL_S }, n);
    access.set(token, { id: a.id, email: a.email, exp: iat + ACCESS_TTL_S, serial: n });
    const refresh = jwt({ sub: a.id, email: a.email, jti: `refresh-${n}`, iat, exp: iat + REFRESH_TTL_S }, n);
    refreshTokens.set(refresh, { id: a.id, email: a.email, exp: iat + REFRESH_TTL_S });
    if (storesCookie) cookie = refresh;
    return respond(200, { access_token: token });
  }

  /** The account a token names (same id and email), if the token is current. */
  function holder(claims) {
    if (!claims || claims.exp <= Math.floor(Date.now() / 1000)) return null;
    return accounts.find((a) => a.id === claims.id && a.email === claims.email) ?? null;
  }

  function userFor(token) {
    const claims = token == null ? undefined : access.get(token);
    if (!claims || claims.serial <= expiredUpTo) return null;
    return holder(claims);
  }

  /** The token of `Authorization: Bearer <token>`, or null. */
  function bearer(request) {
    const value = request.headers.get('authorization');
    const space = value?.indexOf(' ') ?? -1;
    if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return null;
    const token = value.slice(space + 1).trim();
    return token === '' ? null : token;
  }

  const routes = {
    async 'POST /auth/login'({ body, storesCookie }) {
      const { email, password } = validateLogin(body);
      const a = find(email);
      if (!a || a.password !== password) return nestError(401, 'Invalid credentials', 'Unauthorized');
      if (!a.verified) return nestError(401, UNVERIFIED, 'Unauthorized');
      return issue(a, storesCookie);
    },
    async 'POST /auth/refresh'({ sentCookie, storesCookie }) {
      if (sentCookie == null) return nestError(401, 'Refresh token not found', 'Unauthorized');
      const claims = refreshTokens.get(sentCookie);
      // Rotation: each refresh token works once.
      refreshTokens.delete(sentCookie);
      const a = holder(claims);
      if (!a) return nestError(401, 'Invalid refresh token', 'Unauthorized');
      return issue(a, storesCookie);
    },
    async 'POST /auth/logout'({ storesCookie }) {
      // Stateless: the refresh token is not revoked, the browser only drops the cookie.
      if (storesCookie) cookie = null;
      return respond(200, { message: 'Logged out successfully' });
    },
    async 'GET /auth/me'({ token }) {
      const a = userFor(token);
      return a ? respond(200, row(a)) : nestError(401, 'Unauthorized');
    },
    async 'POST /auth/register'({ body }) {
      const { email, password, profile } = validateRegister(body);
      if (find(email)) return nestError(409, 'Email already exists', 'Conflict');
      accounts.push({ id: nextId++, email, password, profile, verified: false, code: newCode() });
      return respond(201, { message: REGISTERED });
    },
    async 'POST /auth/verify-email'({ body, storesCookie }) {
      const { email, code } = validateVerify(body);
      const a = find(email);
      if (!a) return nestError(401, 'User not found', 'Unauthorized');
      if (a.verified) return respond(200, { message: 'Email already verified' });
      if (a.code && a.code.expires <= Date.now()) {
        // An expired code deletes the registration: the member registers again.
        accounts.splice(accounts.indexOf(a), 1);
        return nestError(401, EXPIRED_CODE, 'Unauthorized');
      }
      if (!a.code || a.code.code !== code) return nestError(401, WRONG_CODE, 'Unauthorized');
      a.verified = true;
      a.code = null;
      return issue(a, storesCookie);
    },
    async 'POST /auth/resend-code'({ body }) {
      const { email } = validateResend(body);
      const a = find(email);
      if (!a) return nestError(401, 'User not found', 'Unauthorized');
      if (a.verified) return nestError(409, 'Email already verified', 'Conflict');
      a.code = newCode();
      return respond(200, { message: 'Verification code resent successfully' });
    },
  };

  async function answer(request, url, signal) {
    const token = bearer(request);
    const storesCookie = request.credentials !== 'omit';
    // The cookie's Path is /auth/refresh: the browser sends it there only,
    // with the value it holds as the request leaves.
    const sentCookie = storesCookie && url.pathname === '/auth/refresh' ? cookie : null;

    const queue = failures.get(url.pathname);
    const failure = queue?.shift();
    if (queue && queue.length === 0) failures.delete(url.pathname);
    if (failure?.network) throw new TypeError('Failed to fetch');
    if (failure?.timeout) return untilAborted(new Promise(() => {}), signal);
    if (failure) return respond(failure.status, failure.body === undefined ? defaultBody(failure.status) : failure.body, failure.headers);

    const route = own(routes, `${request.method} ${url.pathname}`);
    if (route) {
      let body = {};
      if (request.method !== 'GET') {
        try {
          body = jsonObject(request, await request.text());
        } catch (e) {
          if (e instanceof Invalid) return nestError(400, e.message, 'Bad Request');
          throw e;
        }
      }
      try {
        return await route({ body, token, sentCookie, storesCookie });
      } catch (e) {
        if (e instanceof Invalid) return nestError(400, e.message, 'Bad Request');
        throw e;
      }
    }

    if (handler) {
      const a = userFor(token);
      let given;
      try {
        given = await untilAborted(handler(request, { user: a ? row(a) : null }), signal);
      } catch (e) {
        if (signal?.aborted && e === signal.reason) throw e;
        // As the server would: a 500, and the error on the console for whoever reads the test's output.
        console.error('[sociapp-auth/testing] the handler threw:', e);
        return respond(500, defaultBody(500));
      }
      if (given != null) return given;
    }
    return nestError(404, `Cannot ${request.method} ${url.pathname}${url.search}`, 'Not Found');
  }

  /** The environment's `new Request(input, init)`; a relative URL is resolved against the page. */
  function toRequest(input, init) {
    try {
      return new Request(input, init);
    } catch (e) {
      if (typeof input === 'string' && globalThis.location?.href) return new Request(new URL(input, globalThis.location.href), init);
      throw e;
    }
  }

  /** The fake's `fetch`: give it to the SDK's `fetch` option. */
  async function fetch(input, init) {
    const request = toRequest(input, init);
    const url = new URL(request.url);
    const signal = init?.signal ?? (isRequest(input) ? input.signal : request.signal) ?? undefined;
    log.push(Object.freeze({ method: request.method, path: url.pathname, authorized: bearer(request) !== null }));
    if (signal?.aborted) throw signal.reason;
    return untilAborted(answer(request, url, signal), signal);
  }

  return {
    fetch,
    get requests() {
      return log.slice();
    },
    get cookie() {
      return cookie;
    },
    set cookie(value) {
      if (value !== null && typeof value !== 'string') throw new TypeError('cookie must be a string or null');
      cookie = value;
    },
    expireTokens() {
      expiredUpTo = serial;
    },
    failNext(path, failure) {
      checkFailure(path, failure);
      const queue = failures.get(path) ?? [];
      queue.push({ ...failure });
      failures.set(path, queue);
    },
    codeOf(email) {
      return (typeof email === 'string' && find(email)?.code?.code) || undefined;
    },
    expireCode(email) {
      const a = typeof email === 'string' ? find(email) : undefined;
      if (!a?.code) return false;
      a.code.expires = Date.now();
      return true;
    },
    reset,
  };
}
