import { describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { ConnectionState } from '../../client/core/connection-state.js'
import { WebSocketService } from '../../client/websocket-service.js'
import type { WebSocketConstructor } from '../../client/websocket-types.js'
import { usageSince } from '../../local/bill-meter.js'
import { LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { signLocalToken } from '../../shared/auth/local-token.js'
import { MOCK_ROUTES } from '../../shared/protocol/gateway-routes.js'
import { withLocalStack } from '../support/local-stack.js'

// A small ping budget, so one socket can take all of it within a test.
const herald = withLocalStack({
  gateway: {
    mockRoutes: { ...MOCK_ROUTES, ping: { ...MOCK_ROUTES.ping, throttle: { rateLimit: 5, burstLimit: 10 } } },
  },
})

describe('API Gateway’s own heartbeat routes', () => {
  it('answers ping with pong and takes keepalive silently, running no function: two messages and one', async () => {
    const client = await herald.connect('beating')
    await herald.stack.idle()
    const before = herald.stack.bill.usage()

    client.send({ type: 'keepalive' })
    client.send({ type: 'ping' })
    const pong = await client.next('pong')
    await herald.stack.idle()

    // API Gateway's request id and request time (Common Log Format), from the route's template.
    expect(pong).toMatchObject({ type: 'pong', data: {}, id: expect.any(String) })
    expect(pong.timestamp).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/)
    expect(client.frames.filter((frame) => frame.type !== 'connection_established')).toEqual([pong])
    expect(usageSince(before, herald.stack.bill.usage())).toEqual({
      'route:keepalive': { 'apigateway.messages': 1, 'apigateway.requests': 1 },
      'route:ping': { 'apigateway.messages': 2, 'apigateway.requests': 1 },
    })
  })

  it('keeps every other tab alive and answered while one socket floods the ping route', async () => {
    const flooder = await herald.connect('flooder')
    let wake = () => {}
    const drops: number[] = []
    const tab = new WebSocketService({
      url: herald.stack.websocketUrl,
      getToken: () => signLocalToken({ userId: 'honest', secret: LOCAL_JWT_SECRET }),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      heartbeatTimeoutMs: 2_000,
      wakeSignals: (check) => {
        wake = check
        return () => {}
      },
      onDisconnect: ({ code }) => drops.push(code),
    })
    tab.connect()
    await vi.waitFor(() => expect(tab.state).toBe(ConnectionState.Open))
    const answers: string[] = []
    tab.addListener({ onMessage: (frame) => answers.push(frame.type) })

    // The flood takes the ping route's whole budget: most of its pings are refused.
    for (let i = 0; i < 200; i++) flooder.send({ type: 'ping' })
    await vi.waitFor(() => expect(flooder.frames.length).toBe(201))
    // Meanwhile the tab's liveness check still gets an answer (the throttling message counts), and
    // its frames for functions pass on their own route's budget.
    wake()
    tab.send({ type: 'resume' })
    await vi.waitFor(() => expect(answers).toContain('resumed'))
    await new Promise((resolve) => setTimeout(resolve, 2_500))

    expect(flooder.received('pong').length).toBeLessThan(20)
    expect(drops).toEqual([])
    expect(tab.state).toBe(ConnectionState.Open)
    tab.disconnect()
  })
})
