import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { useAuthStore } from './stores/auth'
import './style.css'

const app = createApp(App)
app.use(createPinia())

// Every navigation first waits for the auth store's client, i.e. for the
// session to be restored (from storage, or from the refresh cookie); then
// protected routes need a session and the sign-in pages need none.
const auth = useAuthStore()
router.beforeEach(async (to) => {
  await auth.getClient().catch(() => undefined)
  if (to.meta.requiresAuth && !auth.signedIn) return { path: '/login', query: { redirect: to.fullPath } }
  if (to.meta.guestOnly && auth.signedIn) return '/profile'
})

app.use(router)
app.mount('#app')
