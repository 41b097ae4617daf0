import { createAuthClient } from 'sociapp-auth'
import { API_URL } from './config'
import { resetNotes } from './notes'
import { router } from './router'

export const authClient = createAuthClient({
  baseUrl: API_URL,
  // After logout (or any other sign-out) the client calls router.navigate('/login').
  redirectTo: '/login',
  navigate: (path) => router.navigate(path),
  // The app's state that belongs to the session, reset on every sign-out.
  onLogout: [resetNotes],
})
