import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// https://vite.dev/config/
export default defineConfig({
  plugins: [vue()],
  // Relative asset URLs: the build works from any folder (make demo serves it at /vue/).
  base: './',
})
