import { AuthClient, type AuthOptions } from './sociapp_auth.js';

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
export { AuthClient };

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
