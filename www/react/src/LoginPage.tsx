import { useState, type FormEvent } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import type { AuthError } from 'sociapp-auth'
import { useAuth } from 'sociapp-auth/react'
import { useSignedInOnArrival } from './auth'

function isAuthError(e: unknown): e is AuthError {
  return e instanceof Error && e.name === 'AuthError'
}

export function LoginPage() {
  const auth = useAuth()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const arrivedSignedIn = useSignedInOnArrival()

  if (arrivedSignedIn === null) return <p data-testid="auth-loading">Loading the session…</p>
  if (arrivedSignedIn) return <Navigate to="/profile" replace />

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setBusy(true)
    setError('')
    try {
      await auth.login({ email, password })
      const redirect = params.get('redirect')
      await navigate(redirect?.startsWith('/') ? redirect : '/profile')
    } catch (e) {
      setError(isAuthError(e) && e.code === 'invalid_credentials' ? 'Wrong email or password.' : String(e))
      setBusy(false)
    }
  }

  return (
    <form data-testid="login-form" onSubmit={submit}>
      <h1>Sign in</h1>
      <label>
        Email
        <input
          data-testid="login-email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label>
        Password
        <input
          data-testid="login-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button data-testid="login-submit" type="submit" disabled={busy}>
        Log in
      </button>
      {error && (
        <p className="error" data-testid="login-error">
          {error}
        </p>
      )}
      <p className="hint">Demo account: demo@sociapp.dev / demo-password</p>
    </form>
  )
}
