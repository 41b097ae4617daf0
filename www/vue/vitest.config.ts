import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

// The app's unit tests: the Vite config of the app, on jsdom (a page on the
// Vite dev server's origin; the API's default URL is then port 3000 of it).
export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'jsdom',
      environmentOptions: { jsdom: { url: 'http://localhost:5173/' } },
      include: ['src/**/*.test.ts'],
    },
  }),
)
