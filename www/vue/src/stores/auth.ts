import type { AuthOptions } from 'sociapp-auth'
import { defineAuthStore } from 'sociapp-auth/vue'
import { API_URL } from '../config'
import { recordEvent } from '../debugLog'
import { router } from '../router'
import { useNotesStore } from './notes'
import { useProfileStore } from './profile'

/**
 * The `fetch` the SDK sends with. The app leaves it unset (the page's
 * fetch); unit tests set it to their fake API's (sociapp-auth/testing)
 * before the store is first used.
 */
export const transport: { fetch?: AuthOptions['fetch'] } = {}

// The options are read when the store is first used.
export const useAuthStore = defineAuthStore(() => ({
  baseUrl: API_URL,
  // After logout (or any other sign-out) the store calls router.push('/login').
  redirectTo: '/login',
  router,
  // Reset on sign-out: profile is an options store ($reset()), notes a setup store (its reset()).
  resetStores: () => [useProfileStore(), useNotesStore()],
  // The debug panel's timeline: every step the SDK takes.
  debug: recordEvent,
  ...(transport.fetch ? { fetch: transport.fetch } : {}),
}))
