import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RouterProvider } from 'react-router/dom'
import { AuthProvider } from 'sociapp-auth/react'
import { authClient } from './auth'
import { router } from './router'
import './index.css'

// Renders at once: the pages show a loading state until the WebAssembly
// module is loaded and the stored session restored (`useAuth().ready`).
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider client={authClient}>
      <RouterProvider router={router} />
    </AuthProvider>
  </StrictMode>,
)
