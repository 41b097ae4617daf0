//! The TypeScript declarations of the JavaScript API that wasm-bindgen does
//! not write itself (option, snapshot, result and error shapes).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Where the access token is kept between page loads. */
export type TokenStorage = 'local' | 'session' | 'memory';

export interface AuthOptions {
  /** The API's http(s) origin, optionally with a path prefix, e.g. "https://api.example.com". */
  baseUrl: string;
  /**
   * Endpoint paths; defaults "/auth/login", "/auth/logout", "/auth/refresh",
   * "/auth/me", "/auth/register", "/auth/verify-email", "/auth/resend-code".
   */
  paths?: {
    login?: string;
    logout?: string;
    refresh?: string;
    me?: string;
    register?: string;
    verifyEmail?: string;
    resendCode?: string;
  };
  /**
   * Default "local" (localStorage). With "memory" (and "session" in a new
   * tab) the session is restored from the refresh cookie when the client
   * is created.
   */
  tokenStorage?: TokenStorage;
  /** Storage key of the raw token string; default "access_token". */
  tokenKey?: string;
  /** On logout: true clears sessionStorage (default), false keeps it, or the keys to remove. */
  clearSessionStorage?: boolean | string[];
  /** Where logout sends the page: a path on this app's origin (default "/"), or null for nowhere. */
  redirectTo?: string | null;
  /** Performs the navigation (e.g. a router's push). Default: location.replace. */
  navigate?: (path: string) => unknown;
  /** Milliseconds before a request to the API is abandoned; default 10000. */
  timeoutMs?: number;
  /**
   * The `fetch` the SDK sends every request with (e.g. a test's fake API,
   * see `sociapp-auth/testing`). Default: the page's `fetch` at the time
   * of each request.
   */
  fetch?: (input: Request | string, init?: RequestInit) => Promise<Response>;
  /** Run in order during logout (e.g. resetting stores); a failing one is reported, the rest still run. */
  onLogout?: (() => unknown) | Array<() => unknown>;
  /** Refresh the access token shortly before it expires (default false: refresh on a 401 only). */
  autoRefresh?: boolean;
  /**
   * Debug events: true logs each to the console ("[sociapp-auth] <type>"), a
   * function receives each as a plain object. Off by default (no work then).
   * An event never holds a token, cookie, password or header value.
   */
  debug?: boolean | ((event: DebugEvent) => void);
}

/** What the SDK did, as the `debug` option reports it. Every event is plain, JSON-serialisable data. */
export type DebugEvent = { readonly time: number } & (
  | { readonly type: 'login:start' | 'refresh:start' | 'refresh:adopted' }
  /** `outcome`: "ok" or the AuthError code. */
  | { readonly type: 'login:end' | 'refresh:end'; readonly outcome: string; readonly status?: number; readonly ms: number }
  /** Tabs sharing the token take the refresh lock; "timeout": waited timeoutMs and went on without it. */
  | { readonly type: 'refresh:lock'; readonly outcome: 'held' | 'timeout'; readonly ms: number }
  /** A renewal that failed for a passing reason, retried in `inMs`. */
  | { readonly type: 'refresh:retry'; readonly code: string; readonly attempts: number; readonly inMs: number }
  | { readonly type: 'signout:start'; readonly reason: SignOutReason }
  /** One step of the teardown; `failures`: how many onLogout hooks failed. */
  | { readonly type: 'signout:step'; readonly step: 'token' | 'sessionStorage' | 'onLogout' | 'navigate'; readonly ok: boolean; readonly failures?: number }
  | { readonly type: 'logout:request'; readonly outcome: 'ok' | 'failed' | 'timeout' | 'unreachable'; readonly status?: number; readonly ms: number }
  | { readonly type: 'signout:end'; readonly reason: SignOutReason; readonly ms: number }
  | { readonly type: 'tab:sent' | 'tab:received'; readonly message: 'login' | 'logout' }
  /** No usable token at start and the hint that this browser signed in: the session is restored from the refresh cookie. */
  | { readonly type: 'restore:start' }
  /** `outcome`: "ok" or the AuthError code of the refresh (a passing failure keeps the session, with `renewal` set; a definitive one ends it as "expired", quietly). */
  | { readonly type: 'restore:end'; readonly outcome: string; readonly status?: number; readonly ms: number }
);

export type SessionStatus = 'signedIn' | 'signedOut';
export type SignOutReason = 'logout' | 'expired' | 'other_tab' | 'server_rejected';

export interface SessionUser {
  /** The token's `sub`. */
  id: number | string | null;
  email: string | null;
}

/**
 * A renewal of the token that failed for a passing reason (429, 502, 503,
 * 504, the network, a timeout): the session stays signed in and the refresh
 * is retried at `retryAt`, when the browser comes back online, or at once
 * when the app makes another request to the API.
 */
export interface Renewal {
  readonly code: 'rate_limited' | 'server' | 'network' | 'timeout';
  /** Failed attempts in a row. */
  readonly attempts: number;
  /** When the next attempt is due (ms since the epoch): a backoff doubling from about 1 s up to 60 s, with jitter. */
  readonly retryAt: number;
}

export interface Snapshot {
  readonly status: SessionStatus;
  readonly user: SessionUser | null;
  /** Why the session ended; null while signed in or when there never was one. */
  readonly reason: SignOutReason | null;
  /** When the access token expires (ms since the epoch), if it says. */
  readonly expiresAt: number | null;
  /** Set while signed in and waiting to renew the token; null otherwise. */
  readonly renewal: Renewal | null;
}

export interface Credentials {
  email: string;
  password: string;
}

/** What `verifyEmail` sends: the address and the 6-character code mailed to it. */
export interface EmailCode {
  email: string;
  code: string;
}

/** A session as the server answers it (login, verify-email): the access token; the refresh cookie came with it. */
export interface SessionAnswer {
  access_token: string;
}

/**
 * The member's row that `register` sends (the SociApp backend refuses any
 * other property). Dates are ISO 8601 strings.
 */
export interface Registration {
  nombre: string;
  apellidos: string;
  password: string;
  dni: string;
  direccion: string;
  CP: string;
  provincia: string;
  poblacion: string;
  pais: string;
  email: string;
  telefono: string;
  fechaalta: string;
  fechabaja?: string;
  formadepago: string;
  cuota: number;
  categoria: string;
  socio: 'Socio' | 'NoSocio';
}

/** The server's answer to register and resend-code. */
export interface ServerMessage {
  message: string;
  [field: string]: unknown;
}

/**
 * The user object of GET /auth/me: the SociApp backend's user row without
 * the password. There is no `id` field: `IdUsuario` is the id (the token's
 * `sub`, also in `snapshot.user.id`).
 */
export interface User {
  IdUsuario: number;
  nombre: string;
  apellidos: string;
  email: string;
  dni?: string | null;
  direccion?: string | null;
  CP?: string | null;
  provincia?: string | null;
  poblacion?: string | null;
  pais?: string | null;
  telefono?: string | null;
  fechaalta?: string | null;
  fechabaja?: string | null;
  formadepago?: string | null;
  /** A string, e.g. "0". */
  cuota?: string | null;
  categoria?: string | null;
  socio?: string | null;
  isVerified?: boolean;
  [field: string]: unknown;
}

export type LogoutStep = 'tokenStorage' | 'sessionStorage' | 'onLogout' | 'navigate';

export interface LogoutStepError {
  step: LogoutStep;
  /** For onLogout: the position of the hook that failed. */
  index?: number;
  /** What the app's function threw or rejected with, if anything. */
  error?: unknown;
}

export interface LogoutResult {
  /** ok: the server expired the refresh cookie; failed: it answered non-2xx; timeout; unreachable. */
  server: 'ok' | 'failed' | 'timeout' | 'unreachable';
  /** The HTTP status, when the server answered. */
  status?: number;
  errors: LogoutStepError[];
}

export type AuthErrorCode =
  | 'invalid_option'
  | 'invalid_argument'
  | 'invalid_credentials'
  | 'invalid_request'
  | 'rate_limited'
  | 'conflict'
  | 'already_verified'
  | 'unauthorized'
  | 'server'
  | 'invalid_response'
  | 'network'
  | 'timeout'
  | 'not_signed_in'
  | 'superseded'
  | 'freed'
  | 'unsupported_environment'
  | 'load_failed'
  | 'wasm_blocked';

/** Every error the SDK throws or rejects with. */
export interface AuthError extends Error {
  name: 'AuthError';
  code: AuthErrorCode;
  /** The HTTP status, for errors that are an HTTP answer. */
  status?: number;
}

"#;
