import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RouterProvider } from 'react-router/dom'
import { AuthProvider } from 'sociapp-auth/react'
import { authClient } from './auth'
import { router } from './router'
import './index.css'

const root = createRoot(document.getElementById('root')!)

// The client is ready once the WebAssembly module is loaded and the stored session restored.
authClient.then(
  (client) =>
    root.render(
      <StrictMode>
        <AuthProvider client={client}>
          <RouterProvider router={router} />
        </AuthProvider>
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <p className="error" data-testid="auth-error">
        The client could not start: {String(error)}
      </p>,
    ),
)
