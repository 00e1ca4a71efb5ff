import { type CSSProperties, useEffect, useState } from 'react'
import { HeraldProvider } from '../react/herald-provider.js'
import { LogStream } from '../react/log-stream.js'
import { NotificationCenter } from '../react/notification-center.js'
import { fetchConfig, fetchToken } from './local-api.js'
import { SamplePanel } from './sample-panel.js'

const params = new URLSearchParams(globalThis.location.search)
const optionalNumber = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined)

/** The local stack's demo: who you are, your notifications, the log stream, and a way to make events. */
export function Dashboard() {
  const [websocketUrl, setWebsocketUrl] = useState<string>()
  const [userId, setUserId] = useState(params.get('user') ?? 'alice')
  const [draft, setDraft] = useState(userId)

  useEffect(() => {
    fetchConfig().then((config) => setWebsocketUrl(config.websocketUrl))
  }, [])

  return (
    <div style={styles.page}>
      {websocketUrl && (
        // Keyed by user: signing in as someone else opens that user's connections.
        <HeraldProvider
          key={userId}
          url={websocketUrl}
          getToken={() => fetchToken(userId)}
          reconnectDelay={optionalNumber('reconnectDelay')}
        >
          <header style={styles.header}>
            <h1 style={styles.title}>Herald</h1>
            <form
              style={styles.user}
              onSubmit={(event) => {
                event.preventDefault()
                if (draft.trim()) setUserId(draft.trim())
              }}
            >
              <label htmlFor="user">Signed in as</label>
              <input id="user" value={draft} onChange={(e) => setDraft(e.target.value)} size={10} />
              <button type="submit">Switch</button>
            </form>
            <NotificationCenter
              position="bottom-right"
              autoHideDuration={optionalNumber('autoHide') ?? 5000}
            />
          </header>
          <main style={styles.main}>
            <section style={styles.card} aria-labelledby="logs-heading">
              <h2 id="logs-heading" style={styles.heading}>
                Log stream
              </h2>
              <LogStream maxLogs={100} />
            </section>
            <SamplePanel userId={userId} />
          </main>
        </HeraldProvider>
      )}
    </div>
  )
}

const styles = {
  page: { minHeight: '100vh' },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: 16,
    padding: '12px 24px',
    background: '#111827',
    color: '#fff',
  },
  title: { margin: 0, fontSize: 20, marginRight: 'auto' },
  user: { display: 'flex', alignItems: 'center', gap: 6, fontSize: 13 },
  main: { display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)', gap: 16, padding: 24 },
  card: { background: '#fff', borderRadius: 8, padding: 16, minWidth: 0 },
  heading: { margin: '0 0 8px', fontSize: 16 },
} satisfies Record<string, CSSProperties>
