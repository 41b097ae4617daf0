import type { User } from './index.js';

/**
 * A member the fake API starts with: the credentials and the row's other
 * columns (the profile: `nombre`, `apellidos`, `categoria`, …), which
 * `GET /auth/me` answers as given. Ids (`IdUsuario`, the tokens' `sub`) are
 * 1, 2, … in the order of `users`.
 */
export interface FakeUser extends Partial<User> {
  email: string;
  password: string;
  /**
   * False: the email is not verified yet. Login answers 401 with the
   * backend's message asking to verify it, and a code has been "mailed"
   * (`codeOf(email)`) for `verifyEmail`. Default true.
   */
  isVerified?: boolean;
  /** Given by the fake: 1, 2, … in the order of `users`. */
  IdUsuario?: never;
}

/** One request the fake received, in `requests`. */
export interface FakeRequest {
  /** `GET`, `POST`, … */
  readonly method: string;
  /** The URL's path, without the query. */
  readonly path: string;
  /** It carried `Authorization: Bearer <token>` (any token, valid or not). */
  readonly authorized: boolean;
}

/**
 * How `failNext` makes the next request to a path fail:
 * - `{ status }`: an answer with this status (200–599), with `body` (JSON;
 *   a string is sent as is) or else the NestJS error of that status
 *   (`{ statusCode: 503, message: "Service Unavailable" }`; 429 answers the
 *   throttler's message, 500 "Internal server error"), and `headers`.
 * - `{ network: true }`: the fetch rejects with a TypeError, as a browser's
 *   does for a refused or reset connection or a CORS refusal.
 * - `{ timeout: true }`: no answer ever comes; the fetch rejects with the
 *   request's signal's reason once it aborts (the SDK's `timeoutMs`), as
 *   fetch does, and never settles without a signal.
 */
export type FakeFailure =
  | { status: number; body?: unknown; headers?: HeadersInit; network?: undefined; timeout?: undefined }
  | { network: true; status?: undefined; timeout?: undefined }
  | { timeout: true; status?: undefined; network?: undefined };

/** What a handler learns about the request besides the request itself. */
export interface FakeHandlerContext {
  /**
   * The row of the signed-in member (what `GET /auth/me` answers) when the
   * request carries a valid access token; null otherwise.
   */
  user: User | null;
}

/**
 * Answers a request to a path the fake does not serve (anything but the
 * auth endpoints): a `Response` made with the environment's `Response`, or
 * a promise of one; undefined (or null) answers the NestJS 404
 * `Cannot GET /path`. One that throws answers 500, and the error is logged
 * with `console.error`. The request's body is unread.
 */
export type FakeHandler = (
  request: Request,
  context: FakeHandlerContext,
) => Response | null | undefined | Promise<Response | null | undefined>;

export interface FakeApiOptions {
  /** The members the API starts with (and goes back to on `reset()`). */
  users?: readonly FakeUser[];
  /** The app's own endpoints; see `FakeHandler`. */
  handler?: FakeHandler;
}

/**
 * The SociApp API in memory, as `createFakeApi` makes it. It serves
 * `POST /auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/register`,
 * `/auth/verify-email`, `/auth/resend-code` and `GET /auth/me` with the
 * backend's status codes, messages and validation (400 with a `message`
 * array), NestJS-shaped errors `{ statusCode, message, error }`, access
 * tokens that are JWTs of `{ sub, email, iat, exp }` valid 15 minutes, and
 * refresh-token rotation. Paths are matched on the URL's path, whatever its
 * origin. It has no rate limit: make one with
 * `failNext(path, { status: 429 })`.
 */
export interface FakeApi {
  /**
   * A `fetch` that answers from the fake: give it to the SDK's `fetch`
   * option (`createAuthClient({ baseUrl, fetch: api.fetch })`). Reads the
   * request with the environment's `Request` and answers with its
   * `Response`. Works detached from the object.
   */
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /** Every request received so far, oldest first (a copy, taken when read). */
  readonly requests: readonly FakeRequest[];
  /**
   * The refresh cookie the "browser" holds, or null: what the next
   * `POST /auth/refresh` sends. Login, verify-email and refresh store a new
   * one (the old one stops working: rotation); logout clears it but revokes
   * nothing. Set it to null to drop it, or back to an earlier value to send
   * a used one (answered 401).
   */
  cookie: string | null;
  /**
   * Every access token issued so far stops working now (401 from
   * `GET /auth/me` and for the handler's `user`), although each still reads
   * as valid to the SDK: its next request meets a 401 and renews the token
   * with the refresh cookie.
   */
  expireTokens(): void;
  /**
   * The next request to `path` (e.g. `"/auth/refresh"`) fails this way;
   * several calls for one path fail its next requests in order.
   */
  failNext(path: string, failure: FakeFailure): void;
  /** The verification code last "mailed" to this email (register, resend-code), or undefined. */
  codeOf(email: string): string | undefined;
  /**
   * Makes the email's code expire now: verify-email then answers 401 and
   * deletes the registration, as the backend does. False when it has no code.
   */
  expireCode(email: string): boolean;
  /**
   * Back to the users given, as new: registrations, tokens, the cookie,
   * pending failures and the request log are gone, ids start at 1 again.
   */
  reset(): void;
}

/**
 * Creates the SociApp API in memory, for an app's unit tests: give its
 * `fetch` to the SDK (`createAuthClient`, `defineAuthStore` or
 * `<AuthProvider options>`), and no request leaves the test.
 *
 * @example
 * import { createFakeApi } from 'sociapp-auth/testing';
 * import { createAuthClient } from 'sociapp-auth';
 *
 * const api = createFakeApi({
 *   users: [{ email: 'ana@example.com', password: 'secret', nombre: 'Ana', categoria: 'admin' }],
 *   handler: (request, { user }) =>
 *     new URL(request.url).pathname === '/posts' && user
 *       ? Response.json([{ id: 1, author: user.IdUsuario }])
 *       : undefined,
 * });
 * const auth = await createAuthClient({ baseUrl: 'https://api.test', redirectTo: null, fetch: api.fetch });
 * await auth.login({ email: 'ana@example.com', password: 'secret' });
 * api.expireTokens(); // the next request meets a 401 and renews the token
 * await auth.fetch('https://api.test/posts');
 */
export function createFakeApi(options?: FakeApiOptions): FakeApi;
