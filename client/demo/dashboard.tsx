import { type CSSProperties, useEffect, useState } from 'react'
import { HeraldProvider } from '../react/herald-provider.js'
import { LogStream } from '../react/log-stream.js'
import { NotificationCenter } from '../react/notification-center.js'
import { type DemoUser, fetchConfig, fetchToken } from './local-api.js'
import { PreferencesPanel } from './preferences-panel.js'
import { SamplePanel } from './sample-panel.js'
import { IdentityBadge, SignIn, userFromQuery } from './sign-in.js'

const params = new URLSearchParams(globalThis.location.search)
const optionalNumber = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined)

/**
 * The local stack's demo: who you are, your notifications, the log stream, a way to make events,
 * and your inbox preferences.
 */
export function Dashboard() {
  const [websocketUrl, setWebsocketUrl] = useState<string>()
  const [user, setUser] = useState<DemoUser>()

  useEffect(() => {
    fetchConfig().then((config) => {
      setUser(userFromQuery(params, config.multiTenant))
      setWebsocketUrl(config.websocketUrl)
    })
  }, [])

  return (
    <div style={styles.page}>
      {websocketUrl && user && (
        // Keyed by identity: signing in as someone else opens that user's connections.
        <HeraldProvider
          key={JSON.stringify(user)}
          url={websocketUrl}
          getToken={() => fetchToken(user)}
          reconnectDelay={optionalNumber('reconnectDelay')}
        >
          <header style={styles.header}>
            <h1 style={styles.title}>Herald</h1>
            <IdentityBadge />
            <SignIn user={user} onSignIn={setUser} />
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
            <div style={styles.side}>
              <SamplePanel user={user} />
              <PreferencesPanel pushTimeoutMs={optionalNumber('pushTimeout')} />
            </div>
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
  main: { display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)', gap: 16, padding: 24 },
  side: { display: 'grid', gap: 16, alignContent: 'start', minWidth: 0 },
  card: { background: '#fff', borderRadius: 8, padding: 16, minWidth: 0 },
  heading: { margin: '0 0 8px', fontSize: 16 },
} satisfies Record<string, CSSProperties>
