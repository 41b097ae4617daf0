import { defineAuthStore } from 'sociapp-auth/vue'
import { API_URL } from '../config'
import { recordEvent } from '../debugLog'
import { router } from '../router'
import { useNotesStore } from './notes'
import { useProfileStore } from './profile'

export const useAuthStore = defineAuthStore({
  baseUrl: API_URL,
  // After logout (or any other sign-out) the store calls router.push('/login').
  redirectTo: '/login',
  router,
  // Reset on sign-out: profile is an options store ($reset()), notes a setup store (its reset()).
  resetStores: () => [useProfileStore(), useNotesStore()],
  // The debug panel's timeline: every step the SDK takes.
  debug: recordEvent,
})
