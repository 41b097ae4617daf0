// The package's entry: compiles the WebAssembly module once, then creates clients.
import { clientCall, initSync } from './sociapp_auth.js';

const wasmUrl = new URL('./sociapp_auth_bg.wasm', import.meta.url);
let compiled;

function authError(code, message) {
  const error = new Error(message);
  error.name = 'AuthError';
  error.code = code;
  return error;
}

// Fetches and compiles the module: streaming where the server sends
// application/wasm, else from the downloaded bytes. Under Node (a test
// runner's DOM such as jsdom or happy-dom) the module's URL is a file: URL,
// read from the file system. Each failure becomes an AuthError that says
// what to fix; a failed load is tried again by the next createAuthClient.
async function load() {
  const what = `the SDK's WebAssembly module (${wasmUrl})`;
  let response;
  try {
    response = wasmUrl.protocol === 'file:'
      ? new Response(process.getBuiltinModule('fs').readFileSync(wasmUrl))
      : await fetch(wasmUrl);
  } catch (e) {
    throw authError('load_failed', `${what} could not be fetched: ${e.message} (check connect-src and that the file is served)`);
  }
  const type = response.headers.get('content-type') || 'no content type';
  if (!response.ok) throw authError('load_failed', `${what} answered ${response.status} (${type}): serve the package's sociapp_auth_bg.wasm there`);
  try {
    return await WebAssembly.compileStreaming(response.clone());
  } catch {
    // Not application/wasm, or refused: read the bytes to tell which.
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw authError('load_failed', `${what} is not WebAssembly: received ${type}, ${bytes.length} bytes (serve sociapp_auth_bg.wasm as application/wasm)`);
  }
  try {
    return await WebAssembly.compile(bytes);
  } catch (e) {
    throw authError('wasm_blocked', `${what} was refused (${e.message}): the page's Content-Security-Policy must allow WebAssembly with 'wasm-unsafe-eval' in script-src`);
  }
}

function compile() {
  return (compiled ??= load().catch((e) => {
    compiled = undefined;
    throw e;
  }));
}

// In a browser the download and compilation start as the package is
// imported; a failure there is reported by createAuthClient. On a server
// (no window) importing does nothing.
if (typeof window === 'object') compile().catch(() => {});

/**
 * Creates a client; resolves once its session is known (a session kept in
 * memory or in a new tab's sessionStorage is first restored from the
 * refresh cookie). Rejects with an AuthError: code "invalid_option" for bad
 * options, "unsupported_environment" where there is no browser window,
 * "load_failed" or "wasm_blocked" when the WebAssembly module cannot load.
 */
export async function createAuthClient(options) {
  if (typeof window !== 'object') {
    throw authError('unsupported_environment', 'createAuthClient needs a browser window: create the client in the browser (on a server, render signed out)');
  }
  const module = await compile();
  // Instantiates once (later calls return the instance).
  initSync({ module });
  const client = new AuthClient(NEW, options);
  await NEW.started;
  return client;
}

// Passed by createAuthClient only; the constructor leaves the client's
// start on it: the restore from the refresh cookie, whose passing failure
// is the snapshot's `renewal`, not an error of createAuthClient.
const NEW = {};
// A client the page drops without `free()` is freed once it is collected.
const registry = new FinalizationRegistry((at) => clientCall(at, 7));
// Listener ids are never reused, so removing one twice is harmless.
let lastId = 0;

/** A client for one SociApp API, made by `createAuthClient`. */
export class AuthClient {
  // The module's handle of the client; 0 once freed.
  #at;
  // The listeners by id (the module calls each after every change).
  #listeners = new Map();

  constructor(key, options) {
    if (key !== NEW) throw new TypeError('AuthClient: use createAuthClient(options)');
    // The client's handle; or the AuthError of bad options, or `[error]`
    // where the options that hold functions are bad or threw when read.
    // Negative while the session is restored from the refresh cookie.
    const at = clientCall(0, 6, options, this.#listeners);
    if (typeof at !== 'number') throw Array.isArray(at) ? at[0] : at;
    this.#at = Math.abs(at);
    registry.register(this, this.#at, this);
    key.started = at < 0 && this.refresh().catch(() => {});
  }

  login(credentials) {
    return this.#call(0, credentials);
  }

  logout() {
    return this.#call(1);
  }

  fetch(input, init) {
    return this.#call(2, input, init);
  }

  me() {
    return this.#call(3);
  }

  getAccessToken() {
    return this.#call(4);
  }

  getSnapshot() {
    return this.#call(5);
  }

  refresh() {
    return this.#call(8);
  }

  setSession(answer) {
    return this.#call(9, answer);
  }

  register(member) {
    return this.#call(10, member);
  }

  verifyEmail(given) {
    return this.#call(11, given);
  }

  resendCode(given) {
    return this.#call(12, given);
  }

  // One of the module's client calls, by number (src/js/client.rs, `clientCall`).
  #call(call, a, b) {
    if (!this.#at) throw authError('freed', 'this AuthClient was freed: create a new one with createAuthClient');
    return clientCall(this.#at, call, a, b);
  }

  addListener(listener) {
    this.#listeners.set(++lastId, listener);
    return lastId;
  }

  removeListener(id) {
    this.#listeners.delete(id);
  }

  subscribe(listener) {
    const id = this.addListener(listener);
    return () => this.removeListener(id);
  }

  /** Stops the client: its timers and page listeners end, calls throw `freed`. */
  free() {
    const at = this.#at;
    if (at) {
      this.#at = 0;
      registry.unregister(this);
      clientCall(at, 7);
    }
  }
}

if (Symbol.dispose) AuthClient.prototype[Symbol.dispose] = AuthClient.prototype.free;
