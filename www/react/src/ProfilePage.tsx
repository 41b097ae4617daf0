import { useEffect, useState, type FormEvent } from 'react'
import type { User } from 'sociapp-auth'
import { useAuth } from 'sociapp-auth/react'
import { API_URL } from './config'
import { addNote, setDraft, useNotes } from './notes'

type Profile = { status: 'loading' } | { status: 'loaded'; user: User } | { status: 'failed'; error: string }

export function ProfilePage() {
  const auth = useAuth()
  const { fetch } = auth
  const notes = useNotes()
  const [profile, setProfile] = useState<Profile>({ status: 'loading' })

  useEffect(() => {
    let ignore = false
    async function load() {
      try {
        // auth.fetch adds "Authorization: Bearer …" while signed in.
        const response = await fetch(`${API_URL}/auth/me`)
        if (!response.ok) throw new Error(`GET /auth/me answered ${response.status}`)
        const user = (await response.json()) as User
        if (!ignore) setProfile({ status: 'loaded', user })
      } catch (e) {
        if (!ignore) setProfile({ status: 'failed', error: e instanceof Error ? e.message : String(e) })
      }
    }
    load()
    return () => {
      ignore = true
    }
  }, [fetch])

  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    addNote()
  }

  return (
    <>
      <section>
        <h1>Profile</h1>
        {profile.status === 'loading' && <p>Loading…</p>}
        {profile.status === 'failed' && <p className="error">{profile.error}</p>}
        {/* Only while signed in: a logout clears the page before it navigates away. */}
        {profile.status === 'loaded' && auth.signedIn && (
          <dl>
            <dt>Email</dt>
            <dd data-testid="profile-email">{profile.user.email}</dd>
            <dt>Name</dt>
            <dd data-testid="profile-name">
              {profile.user.nombre} {profile.user.apellidos}
            </dd>
            <dt>Id</dt>
            <dd>{profile.user.IdUsuario}</dd>
          </dl>
        )}
      </section>

      <section>
        <h2>Notes</h2>
        <form onSubmit={add}>
          <input
            data-testid="note-input"
            placeholder="A note for this session"
            value={notes.draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button data-testid="note-add" type="submit">
            Add
          </button>
        </form>
        <ul>
          {notes.notes.map((note, i) => (
            <li key={i} data-testid="note-item">
              {note}
            </li>
          ))}
        </ul>
      </section>
    </>
  )
}
