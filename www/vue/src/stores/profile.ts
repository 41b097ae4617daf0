import { defineStore } from 'pinia'
import type { User } from 'sociapp-auth'
import { api, describeApiError } from '../api'
import { useAuthStore } from './auth'

/** The categories (`categoria`, compared case-insensitively) that may administer the association. */
const ADMIN_CATEGORIES = new Set(['admin', 'administrador', 'monitor'])

// An options store: the auth store resets it with $reset() on sign-out.
export const useProfileStore = defineStore('profile', {
  state: () => ({
    /** The member's row from GET /auth/me. */
    user: null as User | null,
    status: 'idle' as 'idle' | 'loading' | 'loaded' | 'failed',
    error: '',
  }),
  getters: {
    isAdmin: (state): boolean => ADMIN_CATEGORIES.has(state.user?.categoria?.trim().toLowerCase() ?? ''),
  },
  actions: {
    async load() {
      const auth = useAuthStore()
      this.status = 'loading'
      this.error = ''
      try {
        // Through the shared axios instance, so through auth.fetch: it carries the token.
        const { data } = await api.get<User>('/auth/me')
        // A logout while the request was out has reset this store: keep it empty.
        if (!auth.signedIn) return
        this.user = data
        this.status = 'loaded'
      } catch (e) {
        if (!auth.signedIn) return
        this.user = null
        this.status = 'failed'
        this.error = describeApiError(e)
      }
    },
  },
})
