import { defineStore } from 'pinia'
import type { User } from 'sociapp-auth'
import { API_URL } from '../config'
import { useAuthStore } from './auth'

// An options store: the auth store resets it with $reset() on sign-out.
export const useProfileStore = defineStore('profile', {
  state: () => ({
    user: null as User | null,
    status: 'idle' as 'idle' | 'loading' | 'loaded' | 'failed',
    error: '',
  }),
  actions: {
    async load() {
      const auth = useAuthStore()
      this.status = 'loading'
      this.error = ''
      try {
        // auth.fetch adds "Authorization: Bearer …" while signed in.
        const response = await auth.fetch(`${API_URL}/auth/me`)
        if (!response.ok) throw new Error(`GET /auth/me answered ${response.status}`)
        const user = (await response.json()) as User
        // A logout while the request was out has reset this store: keep it empty.
        if (!auth.signedIn) return
        this.user = user
        this.status = 'loaded'
      } catch (e) {
        if (!auth.signedIn) return
        this.user = null
        this.status = 'failed'
        this.error = e instanceof Error ? e.message : String(e)
      }
    },
  },
})
