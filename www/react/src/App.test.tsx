// The app's router with its real pages (Layout, LoginPage, RequireAuth,
// ProfilePage) inside <AuthProvider options={{ ...authOptions, fetch }}>, on
// happy-dom, against sociapp-auth/testing's fake API: login → the profile
// through auth.fetch → logout, and what the API saw.
import { cleanup, configure, fireEvent, render, screen } from '@testing-library/react'
import { RouterProvider } from 'react-router/dom'
import type { AuthClient } from 'sociapp-auth'
import { AuthProvider, useAuthClient } from 'sociapp-auth/react'
import { createFakeApi } from 'sociapp-auth/testing'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { authOptions } from './auth'
import { router } from './router'

// The first render waits for the WebAssembly module.
configure({ asyncUtilTimeout: 5000 })

const ANA = { email: 'ana@example.com', password: 'ana-password' }
const api = createFakeApi({ users: [{ ...ANA, nombre: 'Ana', apellidos: 'García' }] })

/** The provider's client, kept to be freed when the tests end. */
let client: AuthClient | null = null
function KeepClient() {
  client = useAuthClient()
  return null
}

/** How many of the fake's requests the test has looked at. */
let seen = 0
function newRequests() {
  const all = api.requests
  const fresh = all.slice(seen)
  seen = all.length
  return fresh
}

beforeAll(() => {
  // Every request of the SDK goes to the fake; the page's own fetch must not be used.
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('a request left the fake API')))
  // Without main.tsx's StrictMode, whose second run of the effects (in
  // development only) sends a second GET /auth/me: the requests are counted
  // as the built app sends them.
  render(
    <AuthProvider options={{ ...authOptions, fetch: api.fetch }}>
      <KeepClient />
      <RouterProvider router={router} />
    </AuthProvider>,
  )
})

afterAll(() => {
  cleanup()
  client?.free()
  vi.unstubAllGlobals()
})

test('a visitor is sent to the login page, with no request', async () => {
  expect(await screen.findByTestId('login-form')).toBeTruthy()
  expect(screen.getByTestId('auth-status').textContent).toBe('signedOut')
  expect(router.state.location.pathname).toBe('/login')
  expect(newRequests()).toEqual([])
})

test('a wrong password shows the form\'s error', async () => {
  fireEvent.change(screen.getByTestId('login-email'), { target: { value: ANA.email } })
  fireEvent.change(screen.getByTestId('login-password'), { target: { value: 'wrong' } })
  fireEvent.submit(screen.getByTestId('login-form'))
  expect((await screen.findByTestId('login-error')).textContent).toBe('Wrong email or password.')
  expect(newRequests()).toEqual([{ method: 'POST', path: '/auth/login', authorized: false }])
})

test('login opens the profile, loaded with the token', async () => {
  fireEvent.change(screen.getByTestId('login-password'), { target: { value: ANA.password } })
  fireEvent.submit(screen.getByTestId('login-form'))
  expect((await screen.findByTestId('profile-email')).textContent).toBe(ANA.email)
  expect(screen.getByTestId('profile-name').textContent).toBe('Ana García')
  expect(screen.getByTestId('auth-status').textContent).toBe('signedIn')
  expect(screen.getByTestId('auth-user').textContent).toBe(ANA.email)
  expect(router.state.location.pathname).toBe('/profile')
  expect(newRequests()).toEqual([
    { method: 'POST', path: '/auth/login', authorized: false },
    { method: 'GET', path: '/auth/me', authorized: true },
  ])
})

test('a token the API no longer accepts is renewed once with the refresh cookie', async () => {
  api.expireTokens()
  fireEvent.click(screen.getByTestId('whoami'))
  expect((await screen.findByText(`200: ${ANA.email}`)).tagName).toBe('OUTPUT')
  expect(newRequests()).toEqual([
    { method: 'GET', path: '/auth/me', authorized: true },
    { method: 'POST', path: '/auth/refresh', authorized: false },
    { method: 'GET', path: '/auth/me', authorized: true },
  ])
})

test('logout signs out, lands on the login page and sends no token after', async () => {
  fireEvent.click(screen.getByTestId('logout'))
  expect((await screen.findByTestId('logout-result')).textContent).toBe('Signed out (server: ok)')
  expect(await screen.findByTestId('login-form')).toBeTruthy()
  expect(screen.getByTestId('auth-status').textContent).toBe('signedOut')
  expect(router.state.location.pathname).toBe('/login')
  expect(localStorage.getItem('access_token')).toBeNull()
  expect(api.cookie).toBeNull()
  fireEvent.click(screen.getByTestId('whoami'))
  expect(await screen.findByText('401: not signed in')).toBeTruthy()
  expect(newRequests()).toEqual([
    { method: 'POST', path: '/auth/logout', authorized: false },
    { method: 'GET', path: '/auth/me', authorized: false },
  ])
})
