// The browser side of the SDK's effects (src/browser.rs): each function does
// in one call what would otherwise take the WebAssembly module many calls
// through its glue. The module decides, these act; the two exceptions, the
// refresh lock's own algorithm and the checks of the options that hold
// functions, are the last section of this file, and docs/architecture.md
// says why they are JavaScript. Nothing here runs at import time.

/**
 * A request to the API with cookies and a timeout, sent with `f` (the
 * `fetch` option, else the page's `fetch` at the time). Resolves to its
 * `answer` (`retryAfter` in ms, or undefined), or to 1 when the timeout
 * fired, or 2 when the request failed (refused, reset, CORS).
 */
export async function send(f, method, url, json, timeoutMs, readBody) {
  const signal = AbortSignal.timeout(timeoutMs);
  const init = { method, credentials: 'include', signal };
  if (json != null) {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = json;
  }
  try {
    const response = await (f ?? fetch)(url, init);
    const body = readBody ? parse(await response.text().catch(() => '')) : undefined;
    // Retry-After in seconds, where the page may read it.
    const after = Number(response.headers.get('retry-after') ?? NaN);
    return signal.aborted ? 1 : answer(response.status, body, after >= 0 ? after * 1000 : undefined);
  } catch {
    return signal.aborted ? 1 : 2;
  }
}

/**
 * `new Request(input, init)` and whether its URL is on `origin` (written as
 * the browser writes it); with `timeoutMs` (not 0), `init` is a signal that
 * aborts after that long.
 */
export function request(input, init, origin, timeoutMs) {
  try {
    const r = new Request(input, timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : init ?? undefined);
    return [r, r.url.startsWith(origin) && r.url[origin.length] === '/'];
  } catch (e) {
    // Not a request fetch can make: the call rejects with what was thrown.
    return [Promise.reject(e)];
  }
}

/**
 * Sends `request` with `f` (the `fetch` option, else the page's `fetch`),
 * with `Authorization: Bearer <token>` when a token is given; returns the
 * pending fetch and, with a token and `keepCopy`, a copy of the request
 * without it, for a retry.
 */
export function authorized(f, request, token, keepCopy) {
  f ??= fetch;
  try {
    if (token == null) return [f(request), null];
    const copy = keepCopy ? request.clone() : null;
    request.headers.set('Authorization', `Bearer ${token}`);
    return [f(request), copy];
  } catch (e) {
    // A request that cannot be copied (its body is used): the call rejects.
    return [Promise.reject(e), null];
  }
}

/**
 * The `answer` of the response `pending` resolves to; or where `pending`
 * rejects, 1 when the signal of `request` fired, 2 for any other failure,
 * and an AuthError passed on.
 */
export async function read(pending, request) {
  let response;
  try {
    response = await pending;
  } catch (e) {
    if (e?.name === 'AuthError') throw e;
    return request.signal.aborted ? 1 : 2;
  }
  return answer(response.status, parse(await response.text().catch(() => '')));
}

/**
 * `[status, body, retryAfter, token, message]`: `body` as `JSON.parse` read
 * it (undefined when not read, cut off or not JSON); its `access_token`
 * when a non-empty string; its `message` for people, a string or the items
 * of an array (validation messages) joined with "; ", when not empty.
 */
function answer(status, body, retryAfter) {
  let message = body?.message;
  if (Array.isArray(message)) message = message.join('; ');
  // The module reads both as strings: any other value is absent.
  return [status, body, retryAfter, body?.access_token || undefined, message || undefined];
}

/** `JSON.parse(text)`, or undefined where it throws. */
function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Moves the page to `path`: the app's `navigate(path)`, awaited, or else
 * `location.replace` (no history entry, so Back does not return to the
 * signed-in page). Rejects with what was thrown.
 */
export async function navigate(custom, path) {
  // The app's code runs once the module is done (it may call the client).
  await 0;
  if (custom) await custom(path);
  else location.replace(path);
}

// What the app's listeners and debug functions are to hear, `[sink,
// value]` in order: delivered in a microtask, once the module is done with
// the change, so that they may call any method of the client. A sink is
// the listeners' Map, a debug function, or true (the console).
const queue = [];

/** Queues `value` for `sink`. */
export function deliver(sink, value) {
  if (queue.push([sink, value]) < 2) queueMicrotask(drain);
}

/**
 * Delivers what is queued, in order; one sink that throws stops no other.
 * What a sink queues meanwhile comes after it, from the delivery under way.
 */
function drain() {
  for (; queue.length; queue.shift()) {
    const [sink, value] = queue[0];
    for (const f of sink instanceof Map ? [...sink.values()] : [sink]) {
      try {
        if (f === true) console.info(`[sociapp-auth] ${value.type}`, value);
        else f(value);
      } catch {}
    }
  }
}

/**
 * Calls each function in order, awaiting what it returns; resolves to the
 * `[index, thrown]` of each that threw or rejected (one failure stops no other).
 */
export async function run_all(functions) {
  const failed = [];
  // The app's code runs once the module is done (it may call the client).
  await 0;
  for (let i = 0; i < functions.length; i++) {
    try {
      await functions[i]();
    } catch (error) {
      failed.push([i, error]);
    }
  }
  return failed;
}

/**
 * `[tokens, session, shared, fallback]`: the storage areas of a client, for
 * its token (localStorage for kind 0, sessionStorage for 1, memory for 2),
 * sessionStorage and localStorage. Each is Web Storage when it can be used
 * (some browsers throw a SecurityError on mere access when storage is
 * disabled), else a store of the same shape kept in memory; `fallback` says
 * that memory stands in for Web Storage.
 */
export function storage(kind) {
  let fallback = false;
  const open = (area) => {
    try {
      const a = area();
      if (a && a.length >= 0) return a;
    } catch {}
    fallback = true;
    return memory();
  };
  const local = open(() => localStorage);
  const session = open(() => sessionStorage);
  return [kind === 0 ? local : kind === 1 ? session : memory(), session, local, fallback];
}

function memory() {
  const items = new Map();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}

/** One operation on a storage area from `storage` (see src/browser.rs); `false` where the area throws. */
export function store(area, op, key, value) {
  try {
    return op === 0 ? area.getItem(key) : op === 1 ? area.setItem(key, value) : op === 2 ? area.removeItem(key) : area.clear();
  } catch {
    return false;
  }
}

/** The page's origin, or null where there is no window. */
export function origin() {
  return typeof window === 'object' ? location.origin : null;
}

/** `f()`, or undefined where it throws. */
export function call(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** `Date.now()`, or `Math.random()` when `random`. */
export function clock(random) {
  return random ? Math.random() : Date.now();
}

/** `target[key]`, or undefined where that throws (no properties, or a getter that throws). */
export function get(target, key) {
  try {
    return target[key];
  } catch {
    return undefined;
  }
}

/** Reports a degradation on the console, with its documented code. */
export function warn(code) {
  const why = code === 'storage_unavailable' ? ': Web Storage is not usable here; the session is kept in memory for this page' : '';
  console.warn(`[sociapp-auth] ${code}${why}`);
}

/**
 * Posts `message` to the other tabs on `channel`, or without one through the
 * storage-event fallback: a new value of `key` each time, so every post fires
 * an event.
 */
export function post(channel, key, message) {
  try {
    if (channel) channel.postMessage(message);
    else localStorage.setItem(key, `${message}:${(Date.now() + Math.random()).toString(36)}`);
  } catch {}
}

/**
 * The parts of a parsed URL, `[http, credentials, hostname, origin,
 * pathname, search, hash]` (`http`: the protocol is http: or https:;
 * `credentials`: it has a username or password), or null when the parser
 * refuses the input.
 */
export function url(input) {
  try {
    const u = new URL(input);
    return [/^https?:$/.test(u.protocol), !!(u.username || u.password), u.hostname, u.origin, u.pathname, u.search, u.hash];
  } catch {
    return null;
  }
}

/**
 * `[sub, email, exp]` of a token's payload: the object whose JSON text,
 * UTF-8, the second of its three dot-separated segments encodes in
 * base64url (padded or not); undefined when it is not.
 */
export function claims(token) {
  const [, segment, ...rest] = token.split('.');
  if (rest.length !== 1 || !/^[\w-]*={0,2}$/.test(segment)) return;
  try {
    const bytes = Uint8Array.from(atob(segment.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const c = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (c && typeof c === 'object' && !Array.isArray(c)) return [c.sub, c.email, c.exp];
  } catch {}
}

/** `JSON.stringify(value)`, or undefined where it throws (a BigInt, a cycle). */
export function json_text(value) {
  try {
    return JSON.stringify(value);
  } catch {}
}

/** A request body of one or two strings, e.g. the login's `{ email, password }`. */
export function body_json(key, value, key2, value2) {
  return JSON.stringify(key2 == null ? { [key]: value } : { [key]: value, [key2]: value2 });
}

/** The frozen session snapshot; `id` undefined: it has no user. */
export function snapshot(signedIn, id, email, reason, expiresAt, renewal, attempts, retryAt) {
  return Object.freeze({
    status: signedIn ? 'signedIn' : 'signedOut',
    user: id !== undefined ? Object.freeze({ id, email: email ?? null }) : null,
    reason: reason ?? null,
    expiresAt: expiresAt ?? null,
    renewal: renewal ? Object.freeze({ code: renewal, attempts, retryAt }) : null,
  });
}

/** A logout's result: `{ server?, status?, errors }`, errors added by `failed`. */
export function report(server, status) {
  const r = {};
  if (server != null) r.server = server;
  if (status != null) r.status = status;
  r.errors = [];
  return r;
}

/** Adds `{ step, index?, error? }` to a logout result (`error` when the app's code threw). */
export function failed(report, step, index, threw, error) {
  const e = { step };
  if (index != null) e.index = index;
  if (threw) e.error = error;
  report.errors.push(e);
}

/** An `Error` named AuthError with its code, and status where HTTP; `how` 1: a promise rejected with it, 2: `[error]`. */
export function error(message, code, status, how) {
  const e = new Error(message);
  e.name = 'AuthError';
  e.code = code;
  if (status !== undefined) e.status = status;
  return how === 1 ? Promise.reject(e) : how ? [e] : e;
}

/**
 * Opens the BroadcastChannel `name` (null where the browser has none or
 * refuses one) and listens to the other tabs (the channel and storage
 * events), the network coming back, and restores from the back/forward
 * cache. Returns `[channel, next, stop]`: `next()` resolves to the next
 * event (they queue until asked for): `[0, data]` a channel message, `[1,
 * key, newValue]` a storage change, `[2]` online, `[3]` restored; or to null
 * once `stop()` has removed the listeners (and closed the channel).
 * `[channel]` where the page's events cannot be listened to.
 */
export function listen(name) {
  let channel = null;
  try {
    channel = new BroadcastChannel(name);
  } catch {}
  try {
    return [channel, ...events(channel)];
  } catch {
    return [channel];
  }
}

function events(channel) {
  const queue = [];
  let stopped = false;
  let wake;
  const on = (...event) => {
    queue.push(event);
    wake?.();
  };
  const listeners = [
    [channel, 'message', (e) => on(0, e.data)],
    [window, 'storage', (e) => on(1, e.key, e.newValue)],
    [window, 'online', () => on(2)],
    [window, 'pageshow', (e) => e.persisted && on(3)],
  ].filter(([target]) => target);
  for (const [target, kind, f] of listeners) target.addEventListener(kind, f);
  const next = () =>
    stopped || queue.length ? Promise.resolve(stopped ? null : queue.shift()) : new Promise((r) => (wake = r)).then(next);
  return [
    next,
    () => {
      stopped = true;
      for (const [target, kind, f] of listeners) target.removeEventListener(kind, f);
      channel?.close();
      wake?.();
    },
  ];
}

// The debug events, by the number the module gives (engine::DebugKind), with
// the names of their facts in order.
const EVENTS = [
  ['login:start'],
  ['login:end', 'outcome', 'status', 'ms'],
  ['refresh:start'],
  ['refresh:lock', 'outcome', 'ms'],
  ['refresh:adopted'],
  ['refresh:end', 'outcome', 'status', 'ms'],
  ['refresh:retry', 'code', 'attempts', 'inMs'],
  ['signout:start', 'reason'],
  ['signout:step', 'step', 'ok', 'failures'],
  ['logout:request', 'outcome', 'status', 'ms'],
  ['signout:end', 'reason', 'ms'],
  ['tab:sent', 'message'],
  ['tab:received', 'message'],
  ['restore:start'],
  ['restore:end', 'outcome', 'status', 'ms'],
];

/** One debug event, `{ type, time, ...facts }`, queued for the app's function or the console (see `deliver`). */
export function debug(sink, kind, text, a, b) {
  const [type, ...names] = EVENTS[kind];
  const event = { type, time: Date.now() };
  const values = [text, a, b];
  names.forEach((name, i) => {
    const v = values[i];
    // Absent: undefined, or NaN for a number.
    if (v != null && v === v) event[name] = name === 'ok' ? v === 1 : v;
  });
  deliver(sink, event);
}

// The module's futures (src/task.rs): `tasks(exports)` hands over the
// module's exports, whose `sociapp_poll` polls a task by number; `wake(id)`
// polls it in a microtask, once however often it is woken before that.
let pollTask;
const woken = new Set();

export function tasks(exports) {
  pollTask = exports.sociapp_poll;
}

export function wake(id) {
  if (woken.has(id)) return;
  woken.add(id);
  queueMicrotask(() => {
    woken.delete(id);
    pollTask(id);
  });
}

/** Watches `promise`: `{ ok, v }` once it settles, waking the task `t` then (once `state` set it). */
export function watch(promise) {
  const w = { t: -1 };
  const done = (ok) => (v) => {
    w.ok = ok;
    w.v = v;
    if (w.t >= 0) wake(w.t);
  };
  // Any value: one that is not a promise counts as resolved with itself.
  Promise.resolve(promise).then(done(1), done(0));
  return w;
}

/** 1: resolved, 0: rejected, 2: pending (task `id` is woken when it settles). */
export function state(w, id) {
  if ('ok' in w) return w.ok;
  w.t = id;
  return 2;
}

/** `[promise, resolve, reject]`. */
export function deferred() {
  let settle;
  const promise = new Promise((resolve, reject) => (settle = [resolve, reject]));
  return [promise, ...settle];
}

/** Resolves (`ok`) or rejects the promise of a `deferred()` with `value`. */
export function settle(d, ok, value) {
  d[ok ? 1 : 2](value);
}

/** `[promise, cancel]`: resolves to true after `ms`, or to false at once on `cancel()`. */
export function timer(ms) {
  let cancel;
  const promise = new Promise((fire) => {
    const id = setTimeout(fire, ms, true);
    cancel = () => {
      clearTimeout(id);
      fire(false);
    };
  });
  return [promise, cancel];
}

// ---------------------------------------------------------------------------
// What JavaScript decides. Moved into the module, the lock's decisions
// measured 584 B gzip more at the least and the function checks 251 B
// (docs/size.md), over what a refactoring may add; so they stay here, each
// tested as the module's parts are: the lock by the lock suite
// (tests/lock_suite, against the module's MemoryLock twin natively and
// against this lock, with and without Web Locks, in Chromium and Firefox),
// the checks through the package (tests/e2e/pkg.test.mjs, tests/node/).
// ---------------------------------------------------------------------------

const wait = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Takes the lock `name` across the app's tabs: resolves to the function that
 * lets it go, or to null once `ms` passed without it (the caller goes on
 * without). A holder lets go after `ms` at the latest; Web Locks also free
 * the lock of a tab that closes. Without Web Locks (pages that are not a
 * secure context), a localStorage entry "<owner> <until>" stands in; a tab
 * that dies holding it blocks the others until `until` at the latest.
 *
 * A tab sees another tab's localStorage writes a moment after they are made.
 * So that a tab that waited for the lock sees what the holder stored (a new
 * token), each holder writes `<name>:released` as it lets go, and a tab that
 * got the lock after waiting also waits (at most `ms`) until it sees that
 * write: the writes before it have arrived by then.
 */
export function lock(name, ms) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return storageLock(name, ms);
  const stamp = `${name}:released`;
  const before = readItem(stamp);
  return new Promise((granted) => {
    const hold = (waited) => () => new Promise((release) => {
      // Let go after `ms` at the latest, with the stamp a waiter looks for.
      const letGo = () => {
        clearTimeout(timer);
        writeItem(stamp, (released = Math.random().toString(36).slice(2)));
        release();
      };
      const timer = setTimeout(letGo, ms);
      // A wait that was only for this page's own release (still taking
      // effect when it asked again) has nothing to wait for: this page
      // sees its own writes.
      const own = before === released && readItem(stamp) === released;
      (waited && !own ? changed(stamp, before, ms) : Promise.resolve()).then(() => granted(letGo));
    });
    locks.request(name, { ifAvailable: true }, (free) => {
      if (free) return hold(false)();
      locks.request(name, { signal: AbortSignal.timeout(ms) }, hold(true)).catch(() => granted(null));
    });
  });
}

// The release stamp this page wrote last.
let released;

function readItem(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeItem(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage that refuses writes: the other tabs wait out their bound.
  }
}

/** Resolves once this page sees `key` differ from `before`, or after `ms`. */
function changed(key, before, ms) {
  return new Promise((done) => {
    const finish = () => {
      clearTimeout(timer);
      removeEventListener('storage', onStorage);
      done();
    };
    const onStorage = (e) => e.key === key && finish();
    const timer = setTimeout(finish, ms);
    addEventListener('storage', onStorage);
    if (readItem(key) !== before) finish();
  });
}

async function storageLock(name, ms) {
  const me = Math.random().toString(36).slice(2);
  const giveUp = Date.now() + ms;
  const holder = () => (localStorage.getItem(name) ?? '').split(' ');
  try {
    for (;;) {
      const [owner, until] = holder();
      if (!owner || Number(until) < Date.now()) {
        localStorage.setItem(name, `${me} ${Date.now() + ms}`);
        // Two tabs may write at once: the last write wins.
        await wait(50);
        if (holder()[0] === me) {
          const timer = setTimeout(() => holder()[0] === me && localStorage.removeItem(name), ms);
          return () => {
            clearTimeout(timer);
            if (holder()[0] === me) localStorage.removeItem(name);
          };
        }
      }
      if (Date.now() >= giveUp) return null;
      await wait(50);
    }
  } catch {
    return null;
  }
}

/**
 * The options that hold functions, checked: `[navigate, debug, onLogout,
 * fetch]` with `navigate`, `debug` and `fetch` undefined when off and
 * `onLogout` a copy of the hooks as an array; or `[thrown]`: an AuthError
 * that names the bad option, or what reading the options threw.
 */
export function functions(options) {
  try {
    return checkFunctions(options);
  } catch (e) {
    return [e];
  }
}

function checkFunctions(options) {
  const bad = (field, problem) => {
    throw error(`${field} ${problem}`, 'invalid_option');
  };
  const isFn = (v) => typeof v === 'function';
  const off = (v) => v === undefined || v === null;
  const { navigate, debug, onLogout, fetch } = options;
  if (!off(navigate) && !isFn(navigate)) bad('navigate', 'must be a function');
  if (!off(fetch) && !isFn(fetch)) bad('fetch', 'must be a function');
  if (!off(debug) && typeof debug !== 'boolean' && !isFn(debug)) {
    bad('debug', 'must be true, false or a function');
  }
  let hooks = [];
  if (isFn(onLogout)) hooks = [onLogout];
  else if (!off(onLogout)) {
    if (!Array.isArray(onLogout)) bad('onLogout', 'must be a function or an array of functions');
    // A copy: the app changing its array later does not change the hooks.
    hooks = Array.from(onLogout);
    hooks.forEach((h, i) => isFn(h) || bad(`onLogout[${i}]`, 'must be a function'));
  }
  return [off(navigate) ? undefined : navigate, debug === true || isFn(debug) ? debug : undefined, hooks, off(fetch) ? undefined : fetch];
}
