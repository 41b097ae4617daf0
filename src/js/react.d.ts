import type { ReactElement, ReactNode } from 'react';
import type {
  AuthClient,
  AuthError,
  AuthOptions,
  Credentials,
  EmailCode,
  LogoutResult,
  Registration,
  ServerMessage,
  SessionAnswer,
  SessionStatus,
  SessionUser,
  SignOutReason,
  Snapshot,
  User,
} from './index.js';

/**
 * Either `client` (the client, or the promise `createAuthClient()` returns)
 * or `options`, from which the provider creates the client itself, in the
 * browser only and once (later changes of `options` are not read).
 */
export type AuthProviderProps =
  | { client: AuthClient | Promise<AuthClient>; options?: undefined; children?: ReactNode }
  | { options: AuthOptions; client?: undefined; children?: ReactNode };

/**
 * Gives the components below it their client, and renders them at once:
 * until the client is there, `useAuth()` reads signed out with `ready` false.
 */
export function AuthProvider(props: AuthProviderProps): ReactElement;

/** What `useAuth()` returns: a new object when (and only when) the session or the client's readiness changes. */
export interface Auth {
  /** The client, or null until it is there. */
  readonly client: AuthClient | null;
  /**
   * False on the server, in the first render of a hydrating page and until
   * the client is made and its session restored (the snapshot reads signed
   * out until then); true after.
   */
  readonly ready: boolean;
  /** Why the client could not be made (e.g. code "invalid_option"), or null. */
  readonly error: AuthError | null;
  /** The client's snapshot (the same object as `client.getSnapshot()`), signed out until ready. */
  readonly snapshot: Snapshot;
  readonly status: SessionStatus;
  readonly signedIn: boolean;
  readonly user: SessionUser | null;
  readonly reason: SignOutReason | null;
  readonly expiresAt: number | null;
  /** Signs in; resolves to the new snapshot. Waits for the client; rejects with an AuthError. Stable across renders. */
  login(credentials: Credentials): Promise<Snapshot>;
  /** Signs out (see the client's `logout`). Waits for the client; never rejects once it is made. Stable across renders. */
  logout(): Promise<LogoutResult>;
  /** `fetch` with the session's Bearer token on requests to the API's origin. Waits for the client. Stable across renders. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** `GET` the signed-in user. Waits for the client. Stable across renders. */
  me(): Promise<User>;
  /** Renews the access token now (see the client's `refresh`). Waits for the client. Stable across renders. */
  refresh(): Promise<Snapshot>;
  /** Adopts a session the server answered elsewhere, `{ access_token }`. Waits for the client. Stable across renders. */
  setSession(answer: SessionAnswer): Promise<Snapshot>;
  /** Registers a new member; resolves to the server's message. Waits for the client. Stable across renders. */
  register(member: Registration): Promise<ServerMessage>;
  /** Verifies the member's email with the mailed code and signs in. Waits for the client. Stable across renders. */
  verifyEmail(given: EmailCode): Promise<Snapshot>;
  /** Asks for a new code by mail. Waits for the client. Stable across renders. */
  resendCode(given: { email: string }): Promise<ServerMessage>;
}

/**
 * The session and its actions, from `client` (or its promise) or else the
 * nearest `<AuthProvider>`. Built on `useSyncExternalStore` with a constant
 * server snapshot: no tearing, no hydration mismatch, and a re-render only
 * when the snapshot changes. Throws when there is no client.
 */
export function useAuth(client?: AuthClient | Promise<AuthClient>): Auth;

/** The client given, else the nearest `<AuthProvider>`'s: null until it is there. */
export function useAuthClient(client?: AuthClient | Promise<AuthClient>): AuthClient | null;
