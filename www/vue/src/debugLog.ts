import { shallowRef } from 'vue'
import type { DebugEvent } from 'sociapp-auth'

/** The SDK's debug events of this page, newest last (the last 50). */
export const timeline = shallowRef<readonly DebugEvent[]>([])

/** The `debug` option of the auth store: each event joins the timeline. */
export function recordEvent(event: DebugEvent): void {
  timeline.value = [...timeline.value.slice(-49), event]
}

/** One event as a line: its type, then its facts (no times). */
export function describe(event: DebugEvent): string {
  const parts = Object.entries(event)
    .filter(([k]) => k !== 'type' && k !== 'time')
    .map(([k, v]) => (k === 'ms' || k === 'inMs' ? `${Math.round(Number(v))} ms` : `${k}=${String(v)}`))
  return [event.type, ...parts].join(' ')
}
