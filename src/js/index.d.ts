import type { AuthOptions, Credentials, LogoutResult, Snapshot, User } from './sociapp_auth.js';

export type {
  AuthError,
  AuthErrorCode,
  AuthOptions,
  Credentials,
  DebugEvent,
  LogoutResult,
  LogoutStep,
  LogoutStepError,
  Renewal,
  SessionStatus,
  SessionUser,
  SignOutReason,
  Snapshot,
  TokenStorage,
  User,
} from './sociapp_auth.js';

/**
 * A client for one SociApp API, made by `createAuthClient`. After `free()`
 * every method but the listener ones throws an AuthError with code "freed".
 */
export class AuthClient {
  private constructor();
  /** Signs in with email and password; resolves to the new snapshot. */
  login(credentials: Credentials): Promise<Snapshot>;
  /** Signs out. Never rejects: see the result for what the server did. Concurrent calls share one logout. */
  logout(): Promise<LogoutResult>;
  /**
   * `fetch`, adding `Authorization: Bearer <token>` while signed in and only
   * for URLs on the API's origin; renews the token once on a 401.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** `GET` the signed-in user. */
  me(): Promise<User>;
  /** The token requests carry now, or undefined. */
  getAccessToken(): string | undefined;
  /** The current session; the same object until the session changes. */
  getSnapshot(): Snapshot;
  /** Calls `listener` after every change of the snapshot; returns the function that stops it. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
  /** Registers a listener; returns its id for `removeListener`. Most apps use `subscribe`. */
  addListener(listener: (snapshot: Snapshot) => void): number;
  /** Removes the listener `addListener` returned `id` for. */
  removeListener(id: number): void;
  /**
   * Stops the client at once: its timers and page listeners end and its
   * memory is released. A client the page drops is stopped when collected.
   */
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * Loads the WebAssembly module (once) and creates a client. Rejects with an
 * AuthError: "invalid_option" naming the field for bad options,
 * "unsupported_environment" where there is no browser window (server
 * rendering), "load_failed" when the `.wasm` cannot be fetched or is not
 * WebAssembly (the message names the URL and what was received),
 * "wasm_blocked" when the page's Content-Security-Policy refuses WebAssembly
 * (add 'wasm-unsafe-eval' to script-src).
 */
export function createAuthClient(options: AuthOptions): Promise<AuthClient>;
