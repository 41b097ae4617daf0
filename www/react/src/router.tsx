import { Navigate, createHashRouter } from 'react-router'
import { Layout } from './Layout'
import { LoginPage } from './LoginPage'
import { ProfilePage } from './ProfilePage'
import { RequireAuth } from './RequireAuth'

// Hash URLs: the build is plain static files, with no server-side fallback to index.html.
export const router = createHashRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <Navigate to="/profile" replace /> },
      { path: '/login', element: <LoginPage /> },
      {
        path: '/profile',
        element: (
          <RequireAuth>
            <ProfilePage />
          </RequireAuth>
        ),
      },
    ],
  },
])
