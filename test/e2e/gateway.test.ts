import { afterEach, describe, expect, it, vi } from 'vitest'
import type { WebSocketEvent } from '../../functions/websocket-event.js'
import { LocalGateway } from '../../local/gateway.js'
import { LocalLambda } from '../../local/lambda-runtime.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

const allow = (principalId: string, effect = 'Allow') => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: '*' }],
  },
  context: { userId: principalId },
})

let gateway: LocalGateway | undefined
afterEach(() => gateway?.close())

/** A gateway whose functions are the given stand-ins, to pin API Gateway's own behaviour. */
async function start(
  handlers: Partial<
    Record<
      'authorizer' | 'connect' | 'disconnect' | 'default' | 'shout',
      (event: WebSocketEvent & Record<string, unknown>) => Promise<unknown>
    >
  >,
) {
  const lambda = new LocalLambda()
  lambda.register('authorizer', handlers.authorizer ?? (async () => allow('u1')))
  lambda.register('connect', handlers.connect ?? (async () => ({ statusCode: 200 })))
  lambda.register('disconnect', handlers.disconnect ?? (async () => ({ statusCode: 200 })))
  lambda.register('default', handlers.default ?? (async () => ({ statusCode: 200 })))
  lambda.register('shout', handlers.shout ?? (async () => ({ statusCode: 200 })))
  gateway = new LocalGateway({
    lambda,
    routes: {
      authorizer: 'authorizer',
      $connect: 'connect',
      $disconnect: 'disconnect',
      $default: 'default',
      shout: 'shout',
    },
  })
  await gateway.listen(0)
  return { gateway, lambda }
}

const post = (managementUrl: string, connectionId: string, body: string) =>
  fetch(`${managementUrl}/@connections/${encodeURIComponent(connectionId)}`, { method: 'POST', body })

describe('Class: LocalGateway', () => {
  it('refuses the handshake (500) when the authorizer context holds an array, as API Gateway does', async () => {
    const connects: unknown[] = []
    const { gateway } = await start({
      authorizer: async () => ({ ...allow('u1'), context: { userId: 'u1', groups: ['a', 'b'] } }),
      connect: async (event) => {
        connects.push(event)
        return { statusCode: 200 }
      },
    })

    const refusal = (await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as Refusal

    expect(refusal.status).toBe(500)
    expect(connects).toEqual([])
  })

  it('hands the routes every authorizer context value as a string', async () => {
    const contexts: unknown[] = []
    const { gateway } = await start({
      authorizer: async () => ({ ...allow('u1'), context: { userId: 'u1', admin: true, level: 3 } }),
      connect: async (event) => {
        contexts.push(event.requestContext.authorizer)
        return { statusCode: 200 }
      },
    })

    const client = (await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as TestClient
    client.close()

    expect(contexts).toEqual([{ userId: 'u1', admin: 'true', level: '3', principalId: 'u1' }])
  })

  it('answers 410 to a post for a connection whose $connect is still running, then accepts it once open', async () => {
    const during: number[] = []
    let management = ''
    let id = ''
    const { gateway } = await start({
      connect: async (event) => {
        id = event.requestContext.connectionId
        during.push((await post(management, id, 'too early')).status)
        return { statusCode: 200 }
      },
    })
    management = gateway.managementUrl

    const client = (await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as TestClient
    const after = await post(management, id, '{"type":"pong","id":"1","data":{},"timestamp":""}')

    expect(during).toEqual([410])
    expect(after.status).toBe(200)
    expect((await client.next()).type).toBe('pong')
    client.close()
  })

  it('answers 400 to a Management API path whose connection id is not valid percent-encoding, and keeps serving', async () => {
    const { gateway } = await start({})
    const client = (await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as TestClient

    const broken = await fetch(`${gateway.managementUrl}/@connections/%E0%A4%A`, {
      method: 'POST',
      body: 'x',
    })
    const [id] = gateway.connectionIds
    const after = await post(
      gateway.managementUrl,
      id as string,
      '{"type":"pong","id":"1","data":{},"timestamp":""}',
    )

    expect(broken.status).toBe(400)
    expect(broken.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    expect(after.status).toBe(200)
    expect((await client.next()).type).toBe('pong')
    client.close()
  })

  it('passes the authorizer’s context and principal to every route, and the query and headers to $connect', async () => {
    const seen: WebSocketEvent[] = []
    const { gateway, lambda } = await start({
      connect: async (event) => {
        seen.push(event)
        return { statusCode: 200 }
      },
      default: async (event) => void seen.push(event),
    })
    const client = (await TestClient.open(`${gateway.websocketUrl}/?token=t&stream=logs`)) as TestClient
    client.send({ type: 'resume' })
    await vi.waitFor(() => expect(seen).toHaveLength(2))
    await lambda.idle()

    expect(seen[0]).toMatchObject({
      queryStringParameters: { token: 't', stream: 'logs' },
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        authorizer: { principalId: 'u1', userId: 'u1' },
      },
    })
    expect(seen[1]).toMatchObject({
      body: '{"type":"resume"}',
      requestContext: { routeKey: '$default', eventType: 'MESSAGE', authorizer: { principalId: 'u1' } },
    })
    client.close()
  })

  it.each([
    [
      'the authorizer throws Unauthorized',
      { authorizer: async () => Promise.reject(new Error('Unauthorized')) },
      401,
    ],
    ['the authorizer denies', { authorizer: async () => allow('u1', 'Deny') }, 403],
    ['the authorizer crashes', { authorizer: async () => Promise.reject(new TypeError('bug')) }, 500],
    ['$connect answers 403', { connect: async () => ({ statusCode: 403 }) }, 403],
    ['$connect throws', { connect: async () => Promise.reject(new Error('db down')) }, 500],
  ])('refuses the handshake when %s', async (_, handlers, status) => {
    const { gateway } = await start(handlers)
    expect(((await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as Refusal).status).toBe(status)
  })

  it('selects a route by $request.body.type and falls back to $default', async () => {
    const routed: string[] = []
    const { gateway, lambda } = await start({
      shout: async (event) => void routed.push(`shout:${event.body}`),
      default: async (event) => void routed.push(`default:${event.body}`),
    })
    const client = (await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as TestClient

    for (const frame of ['{"type":"shout"}', '{"type":"whisper"}', 'not json', '{"type":"$connect"}'])
      client.send(frame)
    await vi.waitFor(() => expect(routed).toHaveLength(4))
    await lambda.idle()

    expect(routed.sort()).toEqual([
      'default:not json',
      'default:{"type":"$connect"}',
      'default:{"type":"whisper"}',
      'shout:{"type":"shout"}',
    ])
    client.close()
  })

  it('tells the client “Internal server error” when a route’s function fails, and keeps the socket', async () => {
    const { gateway } = await start({ default: async () => Promise.reject(new Error('bug')) })
    const client = (await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as TestClient

    client.send('{"type":"anything"}')

    expect(await client.next()).toMatchObject({
      message: 'Internal server error',
      connectionId: expect.any(String),
    })
    expect(client.closed).toBeUndefined()
    client.close()
  })

  it('runs $disconnect with the close code when the client leaves', async () => {
    const disconnects: unknown[] = []
    const { gateway, lambda } = await start({ disconnect: async (event) => void disconnects.push(event) })
    const client = (await TestClient.open(`${gateway.websocketUrl}/?token=t`)) as TestClient

    client.socket.close(4000, 'bye')
    await client.waitClosed()
    await vi.waitFor(() => expect(disconnects).toHaveLength(1))
    await lambda.idle()

    expect(disconnects).toEqual([
      expect.objectContaining({
        disconnectStatusCode: 4000,
        disconnectReason: 'bye',
        requestContext: expect.objectContaining({ routeKey: '$disconnect', eventType: 'DISCONNECT' }),
      }),
    ])
  })
})
