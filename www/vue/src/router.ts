import { createRouter, createWebHashHistory } from 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** Only for signed-in users (the guard is in main.ts). */
    requiresAuth?: boolean
    /** Only for signed-out visitors: a signed-in member is sent to the profile. */
    guestOnly?: boolean
  }
}

export const router = createRouter({
  // Hash URLs: the build is plain static files, with no server-side fallback to index.html.
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/profile' },
    { path: '/login', component: () => import('./views/LoginView.vue'), meta: { guestOnly: true } },
    // Sign-up: the member's row, then the code the server mailed (?email=…), which signs the member in.
    { path: '/register', component: () => import('./views/RegisterView.vue'), meta: { guestOnly: true } },
    { path: '/verify', component: () => import('./views/VerifyView.vue'), meta: { guestOnly: true } },
    { path: '/profile', component: () => import('./views/ProfileView.vue'), meta: { requiresAuth: true } },
  ],
})
