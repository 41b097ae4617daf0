import type {
  AuthOptions,
  Credentials,
  EmailCode,
  LogoutResult,
  Registration,
  ServerMessage,
  SessionAnswer,
  Snapshot,
  User,
} from './sociapp_auth.js';

export type {
  AuthError,
  AuthErrorCode,
  AuthOptions,
  Credentials,
  DebugEvent,
  EmailCode,
  LogoutResult,
  LogoutStep,
  LogoutStepError,
  Registration,
  Renewal,
  ServerMessage,
  SessionAnswer,
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
  /**
   * `POST` register with the member's row as JSON; resolves to the server's
   * answer (no session: the server mails a code for `verifyEmail`). Rejects
   * with "conflict" (409: the email exists), "invalid_request" (400, the
   * validation messages joined), "rate_limited", "server", "network",
   * "timeout", "invalid_argument".
   */
  register(member: Registration): Promise<ServerMessage>;
  /**
   * `POST` verify-email with the code the member received; its answer signs
   * in as a login's does. Resolves to the new snapshot. Rejects with
   * "invalid_credentials" (401: unknown email, wrong code, or an expired
   * code, after which the server deleted the registration — the message
   * says which), "already_verified" (the address was verified before: sign
   * in with the password), "invalid_request", and as `login` does.
   */
  verifyEmail(given: EmailCode): Promise<Snapshot>;
  /** `POST` resend-code: a new code by mail. Rejects with "invalid_credentials" (401: unknown email), "conflict" (409: already verified), "server"… */
  resendCode(given: { email: string }): Promise<ServerMessage>;
  /**
   * Adopts a session the server answered elsewhere (`{ access_token }`): stores
   * the token, signs in, tells the other tabs and clears the logged-out
   * marker. Rejects with "invalid_argument" unless the token is a JWT whose
   * `exp` is in the future.
   */
  setSession(answer: SessionAnswer): Promise<Snapshot>;
  /**
   * Renews the access token now with the refresh cookie (one refresh in the
   * tab, one at a time across tabs); resolves to the new snapshot. Rejects
   * with "not_signed_in" without a session, with the AuthError of a passing
   * failure (the session stays signed in, `renewal` set), or of a
   * definitive one (the session has ended, reason "expired").
   */
  refresh(): Promise<Snapshot>;
  /**
   * Signs out. Never rejects: see the result for what the server did.
   * Concurrent calls share one logout; one called by the logout's own
   * `onLogout` hooks or `navigate` resolves at once with the server's answer.
   */
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
  /**
   * Calls `listener` after every change of the snapshot, once the client is
   * done with the change (it may call any method); returns the function
   * that stops it.
   */
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
 * Loads the WebAssembly module (once) and creates a client; resolves once
 * its session is known (a session kept in memory, or in a new tab's
 * sessionStorage, is first restored from the refresh cookie). Rejects with an
 * AuthError: "invalid_option" naming the field for bad options,
 * "unsupported_environment" where there is no browser window (server
 * rendering), "load_failed" when the `.wasm` cannot be fetched or is not
 * WebAssembly (the message names the URL and what was received),
 * "wasm_blocked" when the page's Content-Security-Policy refuses WebAssembly
 * (add 'wasm-unsafe-eval' to script-src).
 */
export function createAuthClient(options: AuthOptions): Promise<AuthClient>;
