import type { ReactNode } from 'react'
import { Navigate, createSearchParams, useLocation } from 'react-router'
import { useAuth } from 'sociapp-auth/react'
import { useSignedInOnArrival } from './auth'

/** Renders `children` for a signed-in user; sends anyone else to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn, ready } = useAuth()
  const location = useLocation()
  const arrivedSignedIn = useSignedInOnArrival()
  if (!ready) return null
  if (signedIn) return children
  // Signed out while on the page: the client navigates to /login itself (redirectTo).
  if (arrivedSignedIn) return null
  const search = createSearchParams({ redirect: location.pathname }).toString()
  return <Navigate to={{ pathname: '/login', search }} replace />
}
