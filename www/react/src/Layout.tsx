import { useState } from 'react'
import { Outlet } from 'react-router'
import type { LogoutResult } from 'sociapp-auth'
import { useAuth } from 'sociapp-auth/react'
import { API_URL } from './config'
import { DebugPanel } from './DebugPanel'
import { useNotes } from './notes'

export function Layout() {
  const auth = useAuth()
  const { notes } = useNotes()
  const [loggingOut, setLoggingOut] = useState(false)
  const [lastLogout, setLastLogout] = useState<LogoutResult | null>(null)
  const [serverCheck, setServerCheck] = useState('')

  async function logout() {
    setLoggingOut(true)
    // Never rejects: the session ends here whatever the server answers.
    setLastLogout(await auth.logout())
    setLoggingOut(false)
  }

  // Any page may call the API: auth.fetch sends the token only while signed in.
  async function askServer() {
    setServerCheck('…')
    try {
      const response = await auth.fetch(`${API_URL}/auth/me`)
      const body = (await response.json()) as { email?: string }
      setServerCheck(response.ok ? `${response.status}: ${body.email}` : `${response.status}: not signed in`)
    } catch {
      setServerCheck('the API is unreachable')
    }
  }

  return (
    <>
      <header>
        <strong>sociapp-auth · React</strong>
        <span>
          Session: <b data-testid="auth-status">{auth.ready ? auth.status : 'loading'}</b>
          {auth.signedIn && (
            <>
              {' '}
              as <span data-testid="auth-user">{auth.user?.email}</span>{' '}
              <button data-testid="logout" disabled={loggingOut} onClick={logout}>
                Log out
              </button>
            </>
          )}
        </span>
      </header>

      {lastLogout && !auth.signedIn && (
        <p data-testid="logout-result">
          Signed out (server: {lastLogout.server}
          {lastLogout.errors.length > 0 && `, ${lastLogout.errors.length} step errors`})
        </p>
      )}

      {auth.error != null && (
        <p className="error" data-testid="auth-error">
          The client could not start: {String(auth.error)}
        </p>
      )}

      <main>
        <Outlet />
      </main>

      <footer>
        <span>
          Notes: <b data-testid="notes-count">{notes.length}</b>
        </span>
        <button data-testid="whoami" onClick={askServer}>
          Ask the server who I am
        </button>
        <output data-testid="whoami-result">{serverCheck}</output>
      </footer>

      <DebugPanel />
    </>
  )
}
