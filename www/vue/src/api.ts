import axios from 'axios'
import { API_URL } from './config'
import { useAuthStore } from './stores/auth'

/**
 * The app's one HTTP client for the SociApp API, shared by every store.
 *
 * Axios's fetch adapter builds a `Request` (method, headers, body, signal)
 * and hands it to `env.fetch`; here that is the auth store's `fetch`, so
 * every call goes through sociapp-auth: it adds `Authorization: Bearer …`
 * while signed in and only to the API's origin, renews the token once when
 * the API answers 401 and retries, and sends no token once signed out. No
 * interceptor touches the token.
 */
export const api = axios.create({
  baseURL: API_URL,
  adapter: 'fetch',
  // The fetch adapter would add `User-Agent: axios/<version>`; a browser that
  // sends it (Firefox) would need the API to allow that header across origins.
  headers: { 'User-Agent': false },
  env: { fetch: (input, init) => useAuthStore().fetch(input, init) },
})

/** A short text for a failed API call: the status the API answered, or why there was no answer. */
export function describeApiError(e: unknown): string {
  if (axios.isAxiosError(e)) {
    if (e.response) return `${e.config?.method?.toUpperCase() ?? 'The request'} ${e.config?.url ?? ''} answered ${e.response.status}`
    // An AuthError from auth.fetch (e.g. a renewal that failed for a passing reason) arrives wrapped, its name kept.
    if (e.name === 'AuthError') return e.message
    return `the API is unreachable (${e.message})`
  }
  return e instanceof Error ? e.message : String(e)
}
