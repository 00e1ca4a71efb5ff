import { useCallback, useState } from 'react'
import type { Envelope, LogFilters } from '../../shared/protocol/frames.js'
import { ConnectionState } from '../core/connection-state.js'
import { insertById } from '../core/ordered.js'
import { useHeraldSocket } from './use-herald-socket.js'

/** How many log events the hook keeps, oldest first (by id, that is by publish time). */
export const MAX_LOGS = 1000

export type LogEnvelope = Envelope<'log_event'>

/** What {@link useLogStream} returns: the seed's hook, plus the filters the server applies. */
export interface UseLogStreamResult {
  isConnected: boolean
  connectionState: ConnectionState
  /** Oldest first, at most {@link MAX_LOGS}. */
  logs: LogEnvelope[]
  clearLogs: () => void
  /** Replaces the server-side filters; `activeFilters` changes once the server confirms. */
  setFilters: (filters: LogFilters) => void
  activeFilters: LogFilters
}

/**
 * The log stream (`?stream=logs`), with the seed's shape; `setFilters` replaces the server-side
 * filters, and `activeFilters` is what the server confirmed it applies.
 */
export function useLogStream(onLog?: (log: LogEnvelope) => void): UseLogStreamResult {
  const [logs, setLogs] = useState<LogEnvelope[]>([])
  const [activeFilters, setActiveFilters] = useState<LogFilters>({})
  const { state, service } = useHeraldSocket('logs', (frame) => {
    if (frame.type === 'filters_updated') setActiveFilters(frame.data.filters)
    if (frame.type !== 'log_event') return
    const log: LogEnvelope = frame
    setLogs((previous) => insertById(previous, log).slice(-MAX_LOGS))
    onLog?.(log)
  })
  const clearLogs = useCallback(() => setLogs([]), [])
  const setFilters = useCallback((filters: LogFilters) => service.current?.setFilters(filters), [service])
  return {
    isConnected: state === ConnectionState.Open,
    connectionState: state,
    logs,
    clearLogs,
    setFilters,
    activeFilters,
  }
}
