// The app shell with the real router, the real Pinia stores (the auth store
// made by defineAuthStore) and the real views, on jsdom, against
// sociapp-auth/testing's fake API: login → signed in → the profile through
// the shared axios instance (so through auth.fetch) → a token the API stops
// accepting, renewed with the refresh cookie → logout.
import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createFakeApi } from 'sociapp-auth/testing'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import App from './App.vue'
import { router } from './router'
import { transport, useAuthStore } from './stores/auth'

const ANA = { email: 'ana@example.com', password: 'ana-password' }
const api = createFakeApi({
  users: [{ ...ANA, nombre: 'Ana', apellidos: 'García', categoria: 'Administrador' }],
})

const pinia = createPinia()
let wrapper: VueWrapper
/** How many of the fake's requests the test has looked at. */
let seen = 0
function newRequests() {
  const all = api.requests
  const fresh = all.slice(seen)
  seen = all.length
  return fresh
}
const text = (testId: string) => wrapper.find(`[data-testid="${testId}"]`).text()
/** Waits until `check` passes (a lazily loaded view may take a moment on a busy machine). */
const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 10 })

beforeAll(async () => {
  // Every request of the SDK goes to the fake; the page's own fetch must not be used.
  transport.fetch = api.fetch
  vi.stubGlobal('fetch', () => Promise.reject(new TypeError('a request left the fake API')))
  setActivePinia(pinia)
  await router.push('/login')
  wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body })
  await router.isReady()
  await useAuthStore().getClient()
})

afterAll(async () => {
  const client = await useAuthStore().getClient()
  wrapper.unmount()
  client.free()
  vi.unstubAllGlobals()
})

test('starts signed out on the login page, with no request', async () => {
  await until(() => expect(text('auth-status')).toBe('signedOut'))
  expect(wrapper.find('[data-testid="login-form"]').exists()).toBe(true)
  expect(newRequests()).toEqual([])
})

test('a wrong password shows the form\'s error and stays signed out', async () => {
  await wrapper.get('[data-testid="login-email"]').setValue(ANA.email)
  await wrapper.get('[data-testid="login-password"]').setValue('wrong')
  await wrapper.get('[data-testid="login-form"]').trigger('submit')
  await until(() => expect(text('login-error')).toBe('Wrong email or password.'))
  expect(useAuthStore().signedIn).toBe(false)
  expect(newRequests()).toEqual([{ method: 'POST', path: '/auth/login', authorized: false }])
})

test('login signs in and the profile page loads the member through axios with the token', async () => {
  await wrapper.get('[data-testid="login-password"]').setValue(ANA.password)
  await wrapper.get('[data-testid="login-form"]').trigger('submit')
  await until(() => expect(text('profile-email')).toBe(ANA.email))
  expect(router.currentRoute.value.path).toBe('/profile')
  expect(text('auth-status')).toBe('signedIn')
  expect(text('auth-user')).toBe(ANA.email)
  expect(text('profile-name')).toBe('Ana García')
  expect(text('profile-id')).toBe('1')
  expect(text('profile-admin')).toBe('yes')
  expect(newRequests()).toEqual([
    { method: 'POST', path: '/auth/login', authorized: false },
    { method: 'GET', path: '/auth/me', authorized: true },
  ])
})

test('a token the API no longer accepts is renewed once with the refresh cookie', async () => {
  api.expireTokens()
  await wrapper.get('[data-testid="profile-reload"]').trigger('click')
  await until(() => expect(text('profile-state')).toBe('loaded'))
  expect(text('profile-email')).toBe(ANA.email)
  expect(newRequests()).toEqual([
    { method: 'GET', path: '/auth/me', authorized: true },
    { method: 'POST', path: '/auth/refresh', authorized: false },
    { method: 'GET', path: '/auth/me', authorized: true },
  ])
})

test('an API failure shows on the profile page and keeps the session', async () => {
  api.failNext('/auth/me', { status: 503 })
  await wrapper.get('[data-testid="profile-reload"]').trigger('click')
  await until(() => expect(text('profile-error')).toBe('GET /auth/me answered 503'))
  expect(useAuthStore().signedIn).toBe(true)
  newRequests()
})

test('logout signs out, resets the stores, goes to the login page and sends no token after', async () => {
  await wrapper.get('[data-testid="logout"]').trigger('click')
  await until(() => expect(text('logout-result')).toBe('Signed out (server: ok)'))
  expect(text('auth-status')).toBe('signedOut')
  await until(() => expect(router.currentRoute.value.path).toBe('/login'))
  expect(text('profile-state')).toBe('idle')
  expect(api.cookie).toBeNull()
  // The shared axios instance still goes through auth.fetch: no token now.
  await wrapper.get('[data-testid="whoami"]').trigger('click')
  await until(() => expect(text('whoami-result')).toBe('401: not signed in'))
  expect(newRequests()).toEqual([
    { method: 'POST', path: '/auth/logout', authorized: false },
    { method: 'GET', path: '/auth/me', authorized: false },
  ])
})
