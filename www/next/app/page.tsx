import Link from 'next/link'

export default function Home() {
  return (
    <section>
      <h1>Home</h1>
      <p>
        This page is the same for everyone. <Link href="/profile">Your profile</Link> needs a session.
      </p>
    </section>
  )
}
