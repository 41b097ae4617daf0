import type { AuthError } from 'sociapp-auth'

export function isAuthError(e: unknown): e is AuthError {
  return e instanceof Error && e.name === 'AuthError' && 'code' in e
}

/** What the page tells the member when register, verifyEmail or resendCode failed, by the AuthError's code. */
export function explain(e: unknown, action: 'register' | 'verify' | 'resend'): string {
  if (!isAuthError(e)) return e instanceof Error ? e.message : String(e)
  switch (e.code) {
    case 'conflict':
      return action === 'register'
        ? 'That email is registered already: sign in, or register with another email.'
        : 'That email is verified already: sign in instead.'
    case 'already_verified':
      return 'That email is verified already: sign in with your password instead.'
    case 'invalid_credentials':
      // The server says which: an unknown email, a wrong code, or an expired one (then the registration is gone).
      return action === 'verify' ? `Wrong or expired code: ${e.message}` : `No registration for that email: ${e.message}`
    case 'invalid_request':
      // The server's validation messages, joined.
      return `Please check the form: ${e.message}`
    case 'rate_limited':
      return 'Too many attempts: try again in a moment.'
    case 'network':
    case 'timeout':
      return 'The API could not be reached: try again.'
    default:
      return e.message
  }
}
