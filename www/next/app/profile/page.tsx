'use client'

import { useEffect, useRef, useState } from 'react'
import { useRouter } from 'next/navigation'
import type { User } from 'sociapp-auth'
import { useAuth } from 'sociapp-auth/react'
import { useApiUrl } from '../providers'

export default function ProfilePage() {
  const auth = useAuth()
  const { fetch } = auth
  const apiUrl = useApiUrl()
  const router = useRouter()
  const [user, setUser] = useState<User | null>(null)
  const [problem, setProblem] = useState('')
  const wasSignedIn = useRef(false)

  // The server renders the loading state (it has no session); in the
  // browser, once the client is ready, a signed-out visitor goes to the
  // login page and a signed-in one sees what the API says about them.
  useEffect(() => {
    if (!auth.ready) return
    if (!auth.signedIn) {
      // Signed out while here: the client navigates to /login itself (redirectTo).
      if (!wasSignedIn.current) router.replace('/login?redirect=/profile')
      return
    }
    wasSignedIn.current = true
    let current = true
    // auth.fetch adds the Bearer token to requests to the API.
    fetch(`${apiUrl}/auth/me`)
      .then(async (response) => {
        if (!current) return
        if (response.ok) setUser((await response.json()) as User)
        else setProblem(String(response.status))
      })
      .catch((e: unknown) => current && setProblem(String(e)))
    return () => {
      current = false
    }
  }, [auth.ready, auth.signedIn, fetch, apiUrl, router])

  return (
    <section>
      <h1>Profile</h1>
      {user ? (
        <>
          <p data-testid="profile-name">
            {user.nombre} {user.apellidos}
          </p>
          <p data-testid="profile-email">{user.email}</p>
        </>
      ) : problem ? (
        <p className="error" data-testid="profile-error">
          The API answered {problem}
        </p>
      ) : (
        <p data-testid="profile-loading">Loading…</p>
      )}
    </section>
  )
}
