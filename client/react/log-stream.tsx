import {
  type CSSProperties,
  type FormEvent,
  type ReactElement,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react'
import type { LogFilters } from '../../shared/protocol/frames.js'
import { LOG_LEVELS, type LogLevel } from '../../shared/protocol/notifications.js'
import { LEVEL_COLOURS } from './presentation.js'
import { type LogEnvelope, useLogStream } from './use-log-stream.js'

export interface LogStreamProps {
  /** Rows kept on screen. @default 100 */
  maxLogs?: number
  /** Show the level, source and environment filters. @default true */
  showFilters?: boolean
}

function LogRow({ log }: { log: LogEnvelope }): ReactElement {
  const { level, message, source, environment, timestamp } = log.data
  const time = timestamp ?? log.timestamp
  return (
    <li data-testid="herald-log" data-level={level} style={styles.row}>
      <time dateTime={time} style={styles.time}>
        {new Date(time).toLocaleTimeString([], { hour12: false })}
      </time>
      <span
        style={{
          ...styles.level,
          background: LEVEL_COLOURS[level],
          fontWeight: level === 'critical' ? 700 : 500,
        }}
      >
        {level.toUpperCase()}
      </span>
      <span style={styles.origin}>{[source, environment].filter(Boolean).join(' · ')}</span>
      <span style={styles.message}>{message}</span>
    </li>
  )
}

/** A labelled free-text filter; empty means any value. */
function TextFilter(props: {
  label: string
  value: string
  size: number
  onChange: (value: string) => void
}): ReactElement {
  const id = useId()
  return (
    <>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        value={props.value}
        placeholder="any"
        size={props.size}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </>
  )
}

/** The server-side filters: a draft the reader edits, applied with the button, and what the server confirmed. */
function FilterForm({
  activeFilters,
  setFilters,
}: {
  activeFilters: LogFilters
  setFilters: (filters: LogFilters) => void
}): ReactElement {
  const [draft, setDraft] = useState<{ level: LogLevel | ''; source: string; environment: string }>({
    level: '',
    source: '',
    environment: '',
  })
  const levelId = useId()
  const applied = Object.entries(activeFilters)
    .map(([field, value]) => `${field} ${value}`)
    .join(', ')
  const apply = (event: FormEvent): void => {
    event.preventDefault()
    const filters: LogFilters = {}
    if (draft.level) filters.level = draft.level
    if (draft.source.trim()) filters.source = draft.source.trim()
    if (draft.environment.trim()) filters.environment = draft.environment.trim()
    setFilters(filters)
  }
  return (
    <form onSubmit={apply} style={styles.filters} aria-label="Log filters">
      <label htmlFor={levelId}>Level</label>
      <select
        id={levelId}
        value={draft.level}
        onChange={(e) => setDraft({ ...draft, level: e.target.value as LogLevel | '' })}
      >
        <option value="">any</option>
        {LOG_LEVELS.map((level) => (
          <option key={level} value={level}>
            {level}
          </option>
        ))}
      </select>
      <TextFilter
        label="Source"
        value={draft.source}
        size={10}
        onChange={(source) => setDraft({ ...draft, source })}
      />
      <TextFilter
        label="Environment"
        value={draft.environment}
        size={8}
        onChange={(environment) => setDraft({ ...draft, environment })}
      />
      <button type="submit">Apply filters</button>
      <output data-testid="herald-active-filters" style={styles.applied}>
        {applied ? `Showing ${applied}` : 'Showing all'}
      </output>
    </form>
  )
}

/** Live or offline, pause and resume (holding what was shown), clear. */
function Controls({
  isConnected,
  paused,
  onPause,
  onClear,
}: {
  isConnected: boolean
  paused: boolean
  onPause: () => void
  onClear: () => void
}): ReactElement {
  return (
    <div style={styles.actions}>
      <span role="status" style={{ ...styles.state, color: isConnected ? '#15803d' : '#b91c1c' }}>
        {isConnected ? 'Live' : 'Offline'}
      </span>
      <button type="button" aria-pressed={paused} onClick={onPause}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" onClick={onClear}>
        Clear
      </button>
    </div>
  )
}

/**
 * A live log viewer: server-side filters by level, source and environment, pause and resume,
 * clear, level colours, and auto-scroll that stops while the reader scrolls up.
 */
export function LogStream({ maxLogs = 100, showFilters = true }: LogStreamProps): ReactElement {
  const { isConnected, logs, clearLogs, setFilters, activeFilters } = useLogStream()
  const [paused, setPaused] = useState<LogEnvelope[] | undefined>()
  const list = useRef<HTMLOListElement>(null)
  const pinned = useRef(true)
  const visible = (paused ?? logs).slice(-maxLogs)

  useEffect(() => {
    const element = list.current
    if (element && pinned.current && visible.length) element.scrollTop = element.scrollHeight
  }, [visible])

  return (
    <section aria-label="Log stream" style={styles.root}>
      <div style={styles.toolbar}>
        {showFilters && <FilterForm activeFilters={activeFilters} setFilters={setFilters} />}
        <Controls
          isConnected={isConnected}
          paused={paused !== undefined}
          onPause={() => setPaused(paused ? undefined : logs)}
          onClear={() => {
            clearLogs()
            if (paused) setPaused([])
          }}
        />
      </div>
      <ol
        ref={list}
        role="log"
        aria-live={paused ? 'off' : 'polite'}
        aria-label="Log events"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
        tabIndex={0}
        style={styles.list}
        onScroll={(event) => {
          const element = event.currentTarget
          pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24
        }}
      >
        {visible.map((log) => (
          <LogRow key={log.id} log={log} />
        ))}
        {visible.length === 0 && (
          <li style={styles.empty}>{paused ? 'Paused.' : 'Waiting for log events…'}</li>
        )}
      </ol>
    </section>
  )
}

const styles = {
  root: { display: 'grid', gap: 8, fontFamily: 'system-ui, sans-serif', minWidth: 0 },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: 8,
  },
  filters: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 6, fontSize: 13 },
  actions: { display: 'flex', alignItems: 'center', gap: 6 },
  state: { fontSize: 12, fontWeight: 600, minWidth: 44 },
  applied: { fontSize: 12, color: '#4b5563' },
  list: {
    height: 320,
    overflowY: 'auto',
    margin: 0,
    padding: 0,
    listStyle: 'none',
    background: '#0b1020',
    color: '#e5e7eb',
    borderRadius: 6,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace',
    fontSize: 12,
  },
  row: {
    display: 'grid',
    gridTemplateColumns: '72px 76px minmax(0, 140px) 1fr',
    gap: 8,
    alignItems: 'baseline',
    padding: '3px 8px',
  },
  time: { color: '#9ca3af' },
  level: { color: '#fff', borderRadius: 3, padding: '0 4px', textAlign: 'center', fontSize: 11 },
  origin: { color: '#93c5fd', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  message: { overflowWrap: 'anywhere' },
  empty: { padding: 12, color: '#9ca3af' },
} satisfies Record<string, CSSProperties>
