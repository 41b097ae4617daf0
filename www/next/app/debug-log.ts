import { useSyncExternalStore } from 'react'
import type { DebugEvent } from 'sociapp-auth'

// The SDK's debug events of this page, newest last (the last 50).
let events: readonly DebugEvent[] = []
const listeners = new Set<() => void>()

/** The `debug` option of the client: each event joins the timeline. */
export function recordEvent(event: DebugEvent): void {
  events = [...events.slice(-49), event]
  listeners.forEach((l) => l())
}

/** The timeline, re-rendering on each event. */
export function useTimeline(): readonly DebugEvent[] {
  return useSyncExternalStore(
    (onChange) => {
      listeners.add(onChange)
      return () => listeners.delete(onChange)
    },
    () => events,
    () => events,
  )
}

/** One event as a line: its type, then its facts (no times). */
export function describe(event: DebugEvent): string {
  const parts = Object.entries(event)
    .filter(([k]) => k !== 'type' && k !== 'time')
    .map(([k, v]) => (k === 'ms' || k === 'inMs' ? `${Math.round(Number(v))} ms` : `${k}=${String(v)}`))
  return [event.type, ...parts].join(' ')
}
