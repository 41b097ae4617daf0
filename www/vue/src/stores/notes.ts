import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

const KEY = 'demo:notes'

interface Saved {
  notes: string[]
  draft: string
}

function restore(): Saved {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Saved | null
    return { notes: saved?.notes ?? [], draft: saved?.draft ?? '' }
  } catch {
    return { notes: [], draft: '' }
  }
}

// A setup store, kept in sessionStorage for this tab. Setup stores have no
// working $reset(): the auth store calls reset() on sign-out.
export const useNotesStore = defineStore('notes', () => {
  const saved = restore()
  const notes = ref<string[]>(saved.notes)
  const draft = ref(saved.draft)

  watch(
    [notes, draft],
    ([n, d]) => {
      if (n.length === 0 && d === '') sessionStorage.removeItem(KEY)
      else sessionStorage.setItem(KEY, JSON.stringify({ notes: n, draft: d }))
    },
    { deep: true },
  )

  function add() {
    const text = draft.value.trim()
    if (text === '') return
    notes.value.push(text)
    draft.value = ''
  }

  function reset() {
    notes.value = []
    draft.value = ''
  }

  return { notes, draft, add, reset }
})
