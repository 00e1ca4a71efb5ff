import { type CSSProperties, useState } from 'react'
import { LOG_LEVELS, type LogLevel, SEVERITIES, type Severity } from '../../shared/protocol/notifications.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'
import { type DemoUser, publish } from './local-api.js'
import { panelStyles } from './panel-styles.js'
import { pick, type SampleAudience, samples } from './samples.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Send = (label: string, inputs: PublishInput[], pause?: number) => Promise<void>

/** "me", "everyone", or `group:<name>`: who alerts, notices and uploads go to. */
function audienceOf(choice: string, user: DemoUser): SampleAudience {
  const tenant = user.tenant === undefined ? {} : { tenant: user.tenant }
  if (choice === 'me') return { ...tenant, userId: user.userId }
  if (choice.startsWith('group:')) return { ...tenant, group: choice.slice('group:'.length) }
  return tenant
}

function AudiencePicker({
  user,
  value,
  onChange,
}: {
  user: DemoUser
  value: string
  onChange: (v: string) => void
}) {
  return (
    <label>
      Send to{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="me">only me</option>
        <option value="everyone">everyone{user.tenant ? ` in ${user.tenant}` : ''}</option>
        {user.groups.map((group) => (
          <option key={group} value={`group:${group}`}>
            group {group}
          </option>
        ))}
      </select>
    </label>
  )
}

function AlertSamples({ to, send }: { to: SampleAudience; send: Send }) {
  const [severity, setSeverity] = useState<Severity>('high')
  const [source, setSource] = useState('monitoring')
  const [threadKey, setThreadKey] = useState('')
  const origin = { source: source.trim() || 'monitoring', threadKey: threadKey.trim() }
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
        Source <input value={source} size={10} onChange={(e) => setSource(e.target.value)} />
      </label>
      <label>
        Thread{' '}
        <input
          value={threadKey}
          placeholder="none"
          size={10}
          onChange={(e) => setThreadKey(e.target.value)}
        />
      </label>
      <button type="button" onClick={() => send('an alert', [samples.alert(severity, to, origin)])}>
        Send alert
      </button>
    </fieldset>
  )
}

function LogSamples({ to, send }: { to: SampleAudience; send: Send }) {
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
      <button type="button" onClick={() => send('a log event', [samples.log(level, to)])}>
        Send log
      </button>
      <button
        type="button"
        onClick={() =>
          send(
            '20 log events',
            Array.from({ length: 20 }, () => samples.log(pick(LOG_LEVELS), to)),
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
export function SamplePanel({ user }: { user: DemoUser }) {
  const [status, setStatus] = useState('')
  const [choice, setChoice] = useState('me')
  const to = audienceOf(choice, user)
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
      <AudiencePicker user={user} value={choice} onChange={setChoice} />
      <AlertSamples to={to} send={send} />
      <LogSamples to={to} send={send} />
      <fieldset style={styles.group}>
        <legend>System and uploads</legend>
        <button type="button" onClick={() => send('a system notice', [samples.system(to)])}>
          Send system notice
        </button>
        <button type="button" onClick={() => send('an upload', samples.upload(to), 700)}>
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
  ...panelStyles,
  status: { margin: 0, minHeight: '1.2em', fontSize: 13, color: '#374151' },
} satisfies Record<string, CSSProperties>
