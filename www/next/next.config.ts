import type { NextConfig } from 'next'

// The Next.js demo: App Router, the session from sociapp-auth/react in a
// 'use client' provider. Nothing for WebAssembly: the package's
// `new URL('./sociapp_auth_bg.wasm', import.meta.url)` is an asset to the bundler.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The demo lives inside the SDK's repository: its root is this folder.
  turbopack: { root: import.meta.dirname },
}

export default config
