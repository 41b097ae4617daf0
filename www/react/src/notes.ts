import { useSyncExternalStore } from 'react'

// App state outside React (like a small zustand/redux store), kept in
// sessionStorage for this tab. The auth client resets it on logout (onLogout).
export interface Notes {
  readonly notes: readonly string[]
  readonly draft: string
}

const KEY = 'demo:notes'
const INITIAL: Notes = { notes: [], draft: '' }

function restore(): Notes {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Notes | null
    return saved ? { notes: saved.notes ?? [], draft: saved.draft ?? '' } : INITIAL
  } catch {
    return INITIAL
  }
}

let state = restore()
const listeners = new Set<() => void>()

function set(next: Notes) {
  state = next
  if (next.notes.length === 0 && next.draft === '') sessionStorage.removeItem(KEY)
  else sessionStorage.setItem(KEY, JSON.stringify(next))
  for (const listener of listeners) listener()
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

export function useNotes(): Notes {
  return useSyncExternalStore(subscribe, () => state)
}

export function setDraft(draft: string) {
  set({ ...state, draft })
}

export function addNote() {
  const text = state.draft.trim()
  if (text !== '') set({ notes: [...state.notes, text], draft: '' })
}

/** Back to the initial state. */
export function resetNotes() {
  set(INITIAL)
}
