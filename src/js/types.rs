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
  /** Endpoint paths; defaults "/auth/login", "/auth/logout", "/auth/refresh", "/auth/me". */
  paths?: { login?: string; logout?: string; refresh?: string; me?: string };
  /** Default "local" (localStorage). */
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
  /** Run in order during logout (e.g. resetting stores); a failing one is reported, the rest still run. */
  onLogout?: (() => unknown) | Array<() => unknown>;
  /** Refresh the access token shortly before it expires (default false: refresh on a 401 only). */
  autoRefresh?: boolean;
}

export type SessionStatus = 'signedIn' | 'signedOut';
export type SignOutReason = 'logout' | 'expired' | 'other_tab' | 'server_rejected';

export interface SessionUser {
  /** The token's `sub`. */
  id: number | string | null;
  email: string | null;
}

export interface Snapshot {
  readonly status: SessionStatus;
  readonly user: SessionUser | null;
  /** Why the session ended; null while signed in or when there never was one. */
  readonly reason: SignOutReason | null;
  /** When the access token expires (ms since the epoch), if it says. */
  readonly expiresAt: number | null;
}

export interface Credentials {
  email: string;
  password: string;
}

/** The user object of GET /auth/me. */
export interface User {
  id: number | string;
  email: string;
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
  | 'unauthorized'
  | 'server'
  | 'invalid_response'
  | 'network'
  | 'timeout'
  | 'not_signed_in'
  | 'superseded'
  | 'unsupported_environment';

/** Every error the SDK throws or rejects with. */
export interface AuthError extends Error {
  name: 'AuthError';
  code: AuthErrorCode;
  /** The HTTP status, for errors that are an HTTP answer. */
  status?: number;
}

export interface AuthClient {
  /** Calls `listener` after every change of the snapshot; returns the function that stops it. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
}
"#;
