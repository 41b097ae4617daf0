'use client'

import { useAuth } from 'sociapp-auth/react'
import { describe, useTimeline } from './debug-log'

/**
 * The session, what storage holds, and the timeline of the SDK's debug
 * events. Storage is read only once the client is ready: never on the
 * server, nor in the first render of a hydrating page.
 */
export function DebugPanel() {
  const auth = useAuth()
  const timeline = useTimeline()
  const token = auth.ready ? localStorage.getItem('access_token') : null
  const keys = auth.ready ? Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i) ?? '') : []
  return (
    <aside className="debug-panel" data-testid="debug-panel">
      <h2>What the SDK did</h2>
      <dl>
        <dt>Session</dt>
        <dd data-testid="panel-session">
          {auth.ready ? auth.status : 'loading'}
          {auth.reason ? ` (${auth.reason})` : ''}
          {auth.snapshot.renewal ? ` · renewal pending: ${auth.snapshot.renewal.code}` : ''}
        </dd>
        <dt>localStorage.access_token</dt>
        <dd data-testid="panel-token">{!auth.ready ? '…' : token ? `present (${token.length} characters)` : 'none'}</dd>
        <dt>sessionStorage</dt>
        <dd data-testid="panel-session-storage">{!auth.ready ? '…' : keys.length ? keys.join(', ') : 'empty'}</dd>
      </dl>
      <ol data-testid="timeline">
        {timeline.map((event, i) => (
          <li key={i} data-testid="timeline-item">
            {describe(event)}
          </li>
        ))}
      </ol>
    </aside>
  )
}
