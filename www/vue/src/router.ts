import { createRouter, createWebHashHistory } from 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** Only for signed-in users (the guard is in main.ts). */
    requiresAuth?: boolean
  }
}

export const router = createRouter({
  // Hash URLs: the build is plain static files, with no server-side fallback to index.html.
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/profile' },
    { path: '/login', component: () => import('./views/LoginView.vue') },
    { path: '/profile', component: () => import('./views/ProfileView.vue'), meta: { requiresAuth: true } },
  ],
})
