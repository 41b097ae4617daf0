import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { useAuthStore } from './stores/auth'
import './style.css'

const app = createApp(App)
app.use(createPinia())

// Routes wait for the stored session to be restored; protected ones need it.
const auth = useAuthStore()
router.beforeEach(async (to) => {
  await auth.getClient().catch(() => undefined)
  if (to.meta.requiresAuth && !auth.signedIn) return { path: '/login', query: { redirect: to.fullPath } }
  if (to.path === '/login' && auth.signedIn) return '/profile'
})

app.use(router)
app.mount('#app')
