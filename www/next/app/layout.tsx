import type { ReactNode } from 'react'
import { connection } from 'next/server'
import { Providers } from './providers'
import { Header } from './header'
import { DebugPanel } from './debug-panel'
import './globals.css'

// No icon file: the page asks for none (data URL).
export const metadata = { title: 'sociapp-auth · Next.js', icons: { icon: 'data:,' } }

// A server component: it reads the API's origin at request time
// (SOCIAPP_API_URL) and hands it to the client-side provider.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection()
  const apiUrl = process.env.SOCIAPP_API_URL ?? 'http://localhost:3000'
  return (
    <html lang="en">
      <body>
        <Providers apiUrl={apiUrl}>
          <Header />
          <main>{children}</main>
          <DebugPanel />
        </Providers>
      </body>
    </html>
  )
}
