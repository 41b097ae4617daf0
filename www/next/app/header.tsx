'use client'

import { useState } from 'react'
import Link from 'next/link'
import { useAuth } from 'sociapp-auth/react'

export function Header() {
  const auth = useAuth()
  const [loggingOut, setLoggingOut] = useState(false)

  async function logout() {
    setLoggingOut(true)
    // Never rejects: the session ends here whatever the server answers.
    await auth.logout()
    setLoggingOut(false)
  }

  return (
    <>
      <header>
        <strong>sociapp-auth · Next.js</strong>
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
      {auth.error != null && <p data-testid="auth-error">The client could not start: {String(auth.error)}</p>}
      <nav>
        <Link href="/">Home</Link> · <Link href="/profile">Profile</Link>
      </nav>
    </>
  )
}
