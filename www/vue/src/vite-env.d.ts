/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The SociApp API, e.g. http://localhost:3000 (read at build time). */
  readonly VITE_API_URL?: string
}
