import { AuthClient, type AuthOptions } from './sociapp_auth.js';

export type {
  AuthError,
  AuthErrorCode,
  AuthOptions,
  Credentials,
  LogoutResult,
  LogoutStep,
  LogoutStepError,
  SessionStatus,
  SessionUser,
  SignOutReason,
  Snapshot,
  TokenStorage,
  User,
} from './sociapp_auth.js';
export { AuthClient };

/** Loads the WebAssembly module (once) and creates a client. Rejects with an AuthError (code "invalid_option") naming the field for bad options. */
export function createAuthClient(options: AuthOptions): Promise<AuthClient>;
