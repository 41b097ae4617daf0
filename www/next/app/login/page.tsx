'use client'

import { Suspense, useEffect, useState, type FormEvent } from 'react'
import { useRouter, useSearchParams } from 'next/navigation'
import type { AuthError } from 'sociapp-auth'
import { useAuth } from 'sociapp-auth/react'

function isAuthError(e: unknown): e is AuthError {
  return e instanceof Error && e.name === 'AuthError'
}

// useSearchParams needs a Suspense boundary in the App Router.
export default function LoginPage() {
  return (
    <Suspense>
      <LoginForm />
    </Suspense>
  )
}

function LoginForm() {
  const auth = useAuth()
  const router = useRouter()
  const params = useSearchParams()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const next = params.get('redirect')?.startsWith('/') ? params.get('redirect')! : '/profile'

  // Already signed in (once the stored session is restored): go on.
  useEffect(() => {
    if (auth.ready && auth.signedIn && !busy) router.replace(next)
  }, [auth.ready, auth.signedIn, busy, next, router])

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setBusy(true)
    setError('')
    try {
      await auth.login({ email, password })
      router.push(next)
    } catch (e) {
      setError(isAuthError(e) && e.code === 'invalid_credentials' ? 'Wrong email or password.' : String(e))
      setBusy(false)
    }
  }

  return (
    <form data-testid="login-form" onSubmit={submit}>
      <h1>Sign in</h1>
      <label>
        Email{' '}
        <input data-testid="login-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password{' '}
        <input
          data-testid="login-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button data-testid="login-submit" type="submit" disabled={busy || !auth.ready}>
        Sign in
      </button>
      {error && (
        <p className="error" data-testid="login-error">
          {error}
        </p>
      )}
    </form>
  )
}
