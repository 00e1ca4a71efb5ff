import { type CSSProperties, useState } from 'react'
import { LOG_LEVELS, type LogLevel, SEVERITIES, type Severity } from '../../shared/protocol/notifications.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'
import { publish } from './local-api.js'

const SOURCES = ['api', 'worker', 'billing']
const ENVIRONMENTS = ['prod', 'staging']
const pick = <T,>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)] as T
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Publishes sample events through the local stack, so a visitor sees every kind arrive. */
export function SamplePanel({ userId }: { userId: string }) {
  const [severity, setSeverity] = useState<Severity>('high')
  const [toEveryone, setToEveryone] = useState(false)
  const [level, setLevel] = useState<LogLevel>('error')
  const [status, setStatus] = useState('')

  const send = async (label: string, inputs: PublishInput[], pause = 0) => {
    try {
      for (const input of inputs) {
        await publish(input)
        if (pause) await sleep(pause)
      }
      setStatus(`Sent ${label}.`)
    } catch (error) {
      setStatus(`Could not send ${label}: ${(error as Error).message}`)
    }
  }

  const alert = (): PublishInput => ({
    type: 'alert',
    ...(toEveryone ? {} : { userId }),
    data: {
      severity,
      title: `${severity[0]?.toUpperCase()}${severity.slice(1)}: disk 91% full on db-1`,
      message: 'Free space below 10%.',
      source: 'monitoring',
    },
  })
  const log = (logLevel: LogLevel): PublishInput => ({
    type: 'log_event',
    data: {
      level: logLevel,
      message: `${logLevel} from a sample request #${Math.floor(Math.random() * 1000)}`,
      source: pick(SOURCES),
      environment: pick(ENVIRONMENTS),
      timestamp: new Date().toISOString(),
    },
  })
  const upload = (): PublishInput[] => {
    const uploadId = `u-${Date.now()}`
    const step = (progress: number): PublishInput => ({
      type: 'upload_status',
      userId,
      data: {
        upload_id: uploadId,
        filename: 'q3-report.csv',
        status: progress < 100 ? 'processing' : 'completed',
        progress,
      },
    })
    return [0, 35, 70, 100].map(step)
  }

  return (
    <section aria-label="Send sample events" style={styles.panel}>
      <h2 style={styles.heading}>Send sample events</h2>
      <fieldset style={styles.group}>
        <legend>Alert</legend>
        <label>
          Severity{' '}
          <select value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={toEveryone} onChange={(e) => setToEveryone(e.target.checked)} /> to
          everyone
        </label>
        <button type="button" onClick={() => send('an alert', [alert()])}>
          Send alert
        </button>
      </fieldset>
      <fieldset style={styles.group}>
        <legend>Logs</legend>
        <label>
          Level{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value as LogLevel)}>
            {LOG_LEVELS.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => send('a log event', [log(level)])}>
          Send log
        </button>
        <button
          type="button"
          onClick={() =>
            send(
              '20 log events',
              Array.from({ length: 20 }, () => log(pick(LOG_LEVELS))),
              50,
            )
          }
        >
          Send 20 mixed logs
        </button>
      </fieldset>
      <fieldset style={styles.group}>
        <legend>System and uploads</legend>
        <button
          type="button"
          onClick={() =>
            send('a system notice', [
              {
                type: 'system',
                data: {
                  title: 'Maintenance tonight',
                  message: 'Writes pause 02:00–02:10 UTC.',
                  severity: 'medium',
                },
              },
            ])
          }
        >
          Send system notice
        </button>
        <button type="button" onClick={() => send('an upload', upload(), 700)}>
          Simulate upload
        </button>
      </fieldset>
      <p role="status" style={styles.status}>
        {status}
      </p>
    </section>
  )
}

const styles = {
  panel: {
    background: '#fff',
    borderRadius: 8,
    padding: 16,
    display: 'grid',
    gap: 12,
    alignContent: 'start',
  },
  heading: { margin: 0, fontSize: 16 },
  group: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: 8,
    border: '1px solid #e5e7eb',
    borderRadius: 6,
  },
  status: { margin: 0, minHeight: '1.2em', fontSize: 13, color: '#374151' },
} satisfies Record<string, CSSProperties>
