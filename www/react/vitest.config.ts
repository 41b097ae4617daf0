import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

// The app's unit tests: the Vite config of the app, on happy-dom (a page on
// the Vite dev server's origin; the API's default URL is then port 3000 of it).
export default mergeConfig(
  viteConfig,
  defineConfig({
    // The browser's resolution, as in the app's build: packages resolve to
    // their ES modules, so react-router and its DOM entry (react-router/dom)
    // share one copy of the router's contexts.
    resolve: { conditions: ['module', 'browser', 'development|production'] },
    test: {
      environment: 'happy-dom',
      environmentOptions: { happyDOM: { url: 'http://localhost:5173/' } },
      include: ['src/**/*.test.tsx'],
    },
  }),
)
