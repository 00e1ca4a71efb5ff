import WebSocket from 'ws'
import type { LogFilters } from '../shared/protocol/frames.js'
import type { Flags } from './flags.js'
import type { Target } from './target.js'

/** Connects as a browser would and prints every frame as a JSON line; stops after `--count` notifications. */
export async function tail(target: Target, flags: Flags, token: string): Promise<void> {
  const stream = flags.stream === 'logs' ? '&stream=logs' : ''
  const filters: LogFilters = {
    level: flags.level as LogFilters['level'],
    source: flags.source,
    environment: flags.environment,
  }
  const wantsFilters = Object.values(filters).some((value) => value !== undefined)
  let left = flags.count ? Number(flags.count) : Number.POSITIVE_INFINITY
  const socket = new WebSocket(`${target.websocketUrl}/?token=${encodeURIComponent(token)}${stream}`)
  socket.on('unexpected-response', (_, response) => {
    console.error(`refused: HTTP ${response.statusCode}`)
    process.exit(1)
  })
  socket.on('message', (data) => {
    const text = data.toString()
    console.log(text)
    const type = (JSON.parse(text) as { type: string }).type
    if (type === 'connection_established' && wantsFilters) {
      socket.send(JSON.stringify({ type: 'set_filters', filters: JSON.parse(JSON.stringify(filters)) }))
    }
    if (
      !['connection_established', 'pong', 'subscribed', 'unsubscribed', 'filters_updated'].includes(type) &&
      --left <= 0
    ) {
      socket.close()
    }
  })
  // A heartbeat well under API Gateway's 10-minute idle timeout.
  const heartbeat = setInterval(() => socket.send('{"type":"ping"}'), 5 * 60 * 1000)
  await new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve())
    socket.on('error', reject)
  })
  clearInterval(heartbeat)
}
