'use client'

import { createContext, useContext, type ReactNode } from 'react'
import { useRouter } from 'next/navigation'
import { AuthProvider } from 'sociapp-auth/react'
import { recordEvent } from './debug-log'

/**
 * The session for every page. This module also runs on the server, where
 * AuthProvider renders its children signed out with `ready` false and
 * creates no client; in the browser it creates the client once, from these
 * options, and the pages render at once.
 */
export function Providers({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  const router = useRouter()
  return (
    <ApiUrl.Provider value={apiUrl}>
      <AuthProvider
        options={{
          baseUrl: apiUrl,
          // After logout (or any other sign-out) the client calls router.push('/login').
          redirectTo: '/login',
          navigate: (path) => router.push(path),
          // The debug panel's timeline: every step the SDK takes.
          debug: recordEvent,
        }}
      >
        {children}
      </AuthProvider>
    </ApiUrl.Provider>
  )
}

const ApiUrl = createContext('')

/** The API's origin, as the layout read it. */
export function useApiUrl(): string {
  return useContext(ApiUrl)
}
