import { useState } from 'react'
import { createAuthClient, type AuthClient, type AuthOptions } from 'sociapp-auth'
import { useAuth } from 'sociapp-auth/react'
import { API_URL } from './config'
import { recordEvent } from './debugLog'
import { resetNotes } from './notes'
import { router } from './router'

/**
 * The client's options. Unit tests render
 * `<AuthProvider options={{ ...authOptions, fetch: api.fetch }}>` with the
 * fake API of sociapp-auth/testing.
 */
export const authOptions: AuthOptions = {
  baseUrl: API_URL,
  // After logout (or any other sign-out) the client calls router.navigate('/login').
  redirectTo: '/login',
  navigate: (path) => router.navigate(path),
  // The app's state that belongs to the session, reset on every sign-out.
  onLogout: [resetNotes],
  // The debug panel's timeline: every step the SDK takes.
  debug: recordEvent,
}

// The app's client (main.tsx). Unit tests (Vitest's "test" mode) make their
// own from authOptions: this one is never made there.
export const authClient: Promise<AuthClient> =
  import.meta.env.MODE === 'test' ? new Promise(() => {}) : createAuthClient(authOptions)

/**
 * Whether the session was signed in when this component first saw the
 * client ready (null while it loads): pages react to a sign-out that
 * happens while they are shown differently from arriving signed out.
 */
export function useSignedInOnArrival(): boolean | null {
  const { ready, signedIn } = useAuth()
  const [arrival, setArrival] = useState<boolean | null>(null)
  if (ready && arrival === null) setArrival(signedIn)
  return ready ? (arrival ?? signedIn) : null
}
