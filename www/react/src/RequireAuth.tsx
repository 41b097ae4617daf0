import { useState, type ReactNode } from 'react'
import { Navigate, createSearchParams, useLocation } from 'react-router'
import { useAuth } from 'sociapp-auth/react'

/** Renders `children` for a signed-in user; sends anyone else to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn } = useAuth()
  const location = useLocation()
  // Signed out while on the page: the client navigates to /login itself (redirectTo).
  const [enteredSignedIn] = useState(signedIn)
  if (signedIn) return children
  if (enteredSignedIn) return null
  const search = createSearchParams({ redirect: location.pathname }).toString()
  return <Navigate to={{ pathname: '/login', search }} replace />
}
