import { describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { ConnectionState } from '../../client/core/connection-state.js'
import { WebSocketService } from '../../client/websocket-service.js'
import type { FrameSource, WebSocketConstructor } from '../../client/websocket-types.js'
import type { Envelope } from '../../shared/protocol/frames.js'
import { withLocalStack } from '../support/local-stack.js'

const herald = withLocalStack()

function client(userId: string, options: { stream?: 'logs'; loadRecent?: boolean } = {}) {
  const frames: { frame: Envelope; source: FrameSource }[] = []
  let tokens = 0
  const service = new WebSocketService({
    url: herald.stack.websocketUrl,
    getToken: () => {
      tokens++
      return herald.token(userId)
    },
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnectDelay: 50,
    onMessage: (frame, source) => frames.push({ frame, source }),
    ...options,
  })
  const titles = (source?: FrameSource) =>
    frames
      .filter((f) => f.frame.type === 'alert' && (!source || f.source === source))
      .map((f) => (f.frame.data as { title: string }).title)
  return { service, frames, titles, tokens: () => tokens }
}

function connectionIdOf(frames: { frame: Envelope }[]): string {
  const welcome = frames.filter((f) => f.frame.type === 'connection_established').at(-1)
  if (!welcome) throw new Error('not connected yet')
  return (welcome.frame.data as { connectionId: string }).connectionId
}

describe('WebSocketService against the local stack', () => {
  it('survives a dropped socket: reconnects, resumes, and shows every alert exactly once, in order', async () => {
    const { service, frames, titles, tokens } = client('uma')
    service.connect()
    await vi.waitFor(() => expect(service.state).toBe(ConnectionState.Open))
    await herald.publisher.sendAlertNotification('uma', { severity: 'low', title: 'before', message: '' })
    await vi.waitFor(() => expect(titles()).toEqual(['before']))

    // The gateway loses the socket (no $disconnect), and alerts are published while the client is away.
    herald.stack.gateway.drop(connectionIdOf(frames), { skipDisconnect: true })
    await herald.publisher.sendAlertNotification('uma', { severity: 'low', title: 'away 1', message: '' })
    await herald.publisher.sendAlertNotification('uma', { severity: 'low', title: 'away 2', message: '' })
    await herald.stack.lambda.idle()

    await vi.waitFor(() => expect(titles()).toEqual(['before', 'away 1', 'away 2']))
    await herald.publisher.sendAlertNotification('uma', { severity: 'low', title: 'after', message: '' })
    await vi.waitFor(() => expect(titles()).toEqual(['before', 'away 1', 'away 2', 'after']))

    expect(titles('missed')).toEqual(['away 1', 'away 2'])
    expect(tokens()).toBe(2)
    service.disconnect()
  })

  it('keeps its log filters across a reconnect', async () => {
    const { service, frames } = client('vic', { stream: 'logs' })
    service.setFilters({ level: 'error' })
    service.connect()
    await vi.waitFor(() => expect(frames.some((f) => f.frame.type === 'filters_updated')).toBe(true))

    herald.stack.gateway.drop(connectionIdOf(frames))
    await vi.waitFor(() => expect(frames.filter((f) => f.frame.type === 'filters_updated')).toHaveLength(2))
    await herald.publisher.sendLogStream({ level: 'info', message: 'quiet' })
    await herald.publisher.sendLogStream({ level: 'error', message: 'loud' })
    await herald.stack.lambda.idle()

    await vi.waitFor(() =>
      expect(
        frames
          .filter((f) => f.frame.type === 'log_event')
          .map((f) => (f.frame.data as { message: string }).message),
      ).toEqual(['loud']),
    )
    service.disconnect()
  })
})
