import type { StoreDefinition } from 'pinia';
import type { ComputedRef } from 'vue';
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
 * One entry of `resetStores`: a function, called as is; or a store, whose own
 * `reset()` action runs when it has one (setup stores: Pinia's `$reset()`
 * works for options stores only), else its `$reset()`.
 */
export type StoreReset = (() => unknown) | { reset(): unknown } | { $reset(): void };

/** The router the store navigates with: vue-router's `Router`, or anything with `push`. */
export interface RouterLike {
  push(path: string): unknown;
}

/** The client's options plus the store's own. */
export interface AuthStoreOptions<Id extends string = 'auth'> extends AuthOptions {
  /** The Pinia store id; default "auth". */
  id?: Id;
  /**
   * Logout (and every other sign-out) navigates to `redirectTo` with
   * `router.push`. Give either `router` or `navigate`, not both.
   */
  router?: RouterLike;
  /**
   * The stores to reset on sign-out, returned when it happens (so that
   * `useXStore()` runs with the store's Pinia active). They are reset in
   * order as the first `onLogout` hook, after the token is gone, the server
   * was told and sessionStorage was cleared, and before navigation; then the
   * app's own `onLogout` hooks run. A reset that throws is reported in
   * `LogoutResult.errors` (step "onLogout", index 0; several failures as one
   * AggregateError) and does not stop the others.
   */
  resetStores?: () => ReadonlyArray<StoreReset>;
}

/** The store's state. */
export interface AuthStoreState {
  /** The client's snapshot, replaced on every change (the same object as `getSnapshot()`). */
  snapshot: Snapshot;
  /**
   * False until the client is made and the session restored (from storage,
   * or from the refresh cookie; always false on a server); the snapshot
   * reads signed out until then.
   */
  ready: boolean;
  /** Why the client could not be made (e.g. code "invalid_option"), or null. */
  error: AuthError | null;
}

/** The store's getters, read from `snapshot`. */
export interface AuthStoreGetters {
  status: ComputedRef<SessionStatus>;
  signedIn: ComputedRef<boolean>;
  user: ComputedRef<SessionUser | null>;
  reason: ComputedRef<SignOutReason | null>;
  expiresAt: ComputedRef<number | null>;
}

/** The store's actions; each waits for the client first. */
export interface AuthStoreActions {
  /** The client, once made; rejects with the AuthError that prevented it (on a server: code "unsupported_environment"). */
  getClient(): Promise<AuthClient>;
  /** Signs in; resolves to the new snapshot (also in `snapshot`). Rejects with an AuthError. */
  login(credentials: Credentials): Promise<Snapshot>;
  /** Signs out (see the client's `logout`): resets `resetStores`, then navigates. Never rejects once the client is made. */
  logout(): Promise<LogoutResult>;
  /** `fetch` with the session's Bearer token on requests to the API's origin. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** `GET` the signed-in user (`paths.me`). */
  me(): Promise<User>;
  /** Renews the access token now (see the client's `refresh`); resolves to the new snapshot. */
  refresh(): Promise<Snapshot>;
  /** Adopts a session the server answered elsewhere, `{ access_token }` (see the client's `setSession`). */
  setSession(answer: SessionAnswer): Promise<Snapshot>;
  /** Registers a new member (see the client's `register`); resolves to the server's message. */
  register(member: Registration): Promise<ServerMessage>;
  /** Verifies the member's email with the mailed code and signs in (see the client's `verifyEmail`). */
  verifyEmail(given: EmailCode): Promise<Snapshot>;
  /** Asks for a new code by mail (see the client's `resendCode`). */
  resendCode(given: { email: string }): Promise<ServerMessage>;
}

export type AuthStoreDefinition<Id extends string = 'auth'> = StoreDefinition<
  Id,
  AuthStoreState,
  AuthStoreGetters,
  AuthStoreActions
>;

/** The client's options plus the store's, as an options function returns them (the id comes first instead). */
export type AuthStoreSetupOptions = Omit<AuthStoreOptions, 'id'> & { id?: undefined };

/**
 * Defines the Pinia store of the session and returns its `useAuthStore`.
 * The client is made (with `createAuthClient`) when the store is first used,
 * in the browser only: on a server the store reads signed out with `ready`
 * false, its state is plain data (it serialises into Nuxt's payload and
 * hydrates), and the actions reject with code "unsupported_environment".
 * Throws an AuthError (code "invalid_option") for bad adapter options; the
 * client's own option errors arrive in `error` and reject the actions.
 *
 * The options may also come from a function, called once when the store is
 * first used in the browser, inside the store's setup: composables such as
 * `useRouter()` or Nuxt's `useRuntimeConfig()` work there. Its errors arrive
 * in `error` too.
 *
 * @example
 * export const useAuthStore = defineAuthStore({
 *   baseUrl: 'https://api.example.com',
 *   redirectTo: '/login',
 *   router,
 *   resetStores: () => [useProfileStore(), useNotesStore()],
 * });
 *
 * @example
 * // Nuxt: the API's URL from the runtime config, navigation with Nuxt's router.
 * export const useAuthStore = defineAuthStore(() => ({
 *   baseUrl: useRuntimeConfig().public.apiUrl,
 *   redirectTo: '/login',
 *   router: useRouter(),
 * }));
 */
export function defineAuthStore<Id extends string = 'auth'>(options: AuthStoreOptions<Id>): AuthStoreDefinition<Id>;
export function defineAuthStore(options: () => AuthStoreSetupOptions): AuthStoreDefinition<'auth'>;
export function defineAuthStore<Id extends string>(id: Id, options: () => AuthStoreSetupOptions): AuthStoreDefinition<Id>;
