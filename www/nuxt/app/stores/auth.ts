import { defineAuthStore } from 'sociapp-auth/vue'
import { recordEvent } from '~/utils/debugLog'

// The options come from a function, called once in the browser when the
// store is first used: the API's URL from the runtime config, navigation
// with Nuxt's router. On the server the store reads signed out, not ready.
export const useAuthStore = defineAuthStore(() => ({
  baseUrl: useRuntimeConfig().public.apiUrl,
  // After logout (or any other sign-out) the store calls router.push('/login').
  redirectTo: '/login',
  router: useRouter(),
  // The debug panel's timeline: every step the SDK takes.
  debug: recordEvent,
}))
