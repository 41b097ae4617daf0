// The Nuxt demo: server-rendered pages, the session in a Pinia store from
// sociapp-auth/vue, created in the browser only.
export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  modules: ['@pinia/nuxt'],
  devtools: { enabled: false },
  telemetry: false,
  runtimeConfig: {
    public: {
      // The API's origin; at run time NUXT_PUBLIC_API_URL sets it.
      apiUrl: 'http://localhost:3000',
    },
  },
  app: {
    head: { title: 'sociapp-auth · Nuxt' },
  },
})
