import { type CSSProperties, useState } from 'react'
import { LOG_LEVELS, type LogLevel, SEVERITIES, type Severity } from '../../shared/protocol/notifications.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'
import { publish } from './local-api.js'
import { pick, samples } from './samples.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Send = (label: string, inputs: PublishInput[], pause?: number) => Promise<void>

function AlertSamples({ userId, send }: { userId: string; send: Send }) {
  const [severity, setSeverity] = useState<Severity>('high')
  const [toEveryone, setToEveryone] = useState(false)
  return (
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
      <button
        type="button"
        onClick={() => send('an alert', [samples.alert(severity, toEveryone ? undefined : userId)])}
      >
        Send alert
      </button>
    </fieldset>
  )
}

function LogSamples({ send }: { send: Send }) {
  const [level, setLevel] = useState<LogLevel>('error')
  return (
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
      <button type="button" onClick={() => send('a log event', [samples.log(level)])}>
        Send log
      </button>
      <button
        type="button"
        onClick={() =>
          send(
            '20 log events',
            Array.from({ length: 20 }, () => samples.log(pick(LOG_LEVELS))),
            50,
          )
        }
      >
        Send 20 mixed logs
      </button>
    </fieldset>
  )
}

/** Publishes sample events through the local stack, so a visitor sees every kind arrive. */
export function SamplePanel({ userId }: { userId: string }) {
  const [status, setStatus] = useState('')
  const send: Send = async (label, inputs, pause = 0) => {
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
  return (
    <section aria-label="Send sample events" style={styles.panel}>
      <h2 style={styles.heading}>Send sample events</h2>
      <AlertSamples userId={userId} send={send} />
      <LogSamples send={send} />
      <fieldset style={styles.group}>
        <legend>System and uploads</legend>
        <button type="button" onClick={() => send('a system notice', [samples.system()])}>
          Send system notice
        </button>
        <button type="button" onClick={() => send('an upload', samples.upload(userId), 700)}>
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
