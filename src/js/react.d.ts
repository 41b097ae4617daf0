import type { ReactElement, ReactNode } from 'react';
import type {
  AuthClient,
  Credentials,
  LogoutResult,
  SessionStatus,
  SessionUser,
  SignOutReason,
  Snapshot,
  User,
} from './index.js';

export interface AuthProviderProps {
  /** The client `createAuthClient()` resolved to. */
  client: AuthClient;
  children?: ReactNode;
}

/** Makes `client` the one that `useAuth()` and `useAuthClient()` use below it. */
export function AuthProvider(props: AuthProviderProps): ReactElement;

/** What `useAuth()` returns: a new object when (and only when) the session changes. */
export interface Auth {
  readonly client: AuthClient;
  /** The client's snapshot (the same object as `client.getSnapshot()`). */
  readonly snapshot: Snapshot;
  readonly status: SessionStatus;
  readonly signedIn: boolean;
  readonly user: SessionUser | null;
  readonly reason: SignOutReason | null;
  readonly expiresAt: number | null;
  /** Signs in; resolves to the new snapshot. Rejects with an AuthError. Stable across renders. */
  login(credentials: Credentials): Promise<Snapshot>;
  /** Signs out (see the client's `logout`). Never rejects. Stable across renders. */
  logout(): Promise<LogoutResult>;
  /** `fetch` with the session's Bearer token on requests to the API's origin. Stable across renders. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** `GET` the signed-in user. Stable across renders. */
  me(): Promise<User>;
}

/**
 * The session and its actions, from `client` or else the nearest
 * `<AuthProvider>`. Built on `useSyncExternalStore(subscribe, getSnapshot)`:
 * no tearing, and a re-render only when the snapshot changes. Throws when
 * there is no client.
 */
export function useAuth(client?: AuthClient): Auth;

/** The client given, else the nearest `<AuthProvider>`'s; throws when there is none. */
export function useAuthClient(client?: AuthClient): AuthClient;
