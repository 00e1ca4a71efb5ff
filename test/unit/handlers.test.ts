import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { createConnectHandler } from '../../functions/connect.js'
import { createDisconnectHandler } from '../../functions/disconnect.js'
import { createFanOutHandler, DeliveryIncompleteError } from '../../functions/fanout.js'
import { createMessageHandler } from '../../functions/message.js'
import { createWelcomeHandler } from '../../functions/welcome.js'
import type { ConnectionPoster } from '../../shared/fan-out/connection-poster.js'
import { signedHttpPoster } from '../../shared/fan-out/signed-http-poster.js'
import { stableId } from '../../shared/fan-out/stable-id.js'
import type { Inbox } from '../../shared/inbox/inbox.js'
import { newId } from '../../shared/protocol/ids.js'
import { awsClients } from '../../shared/runtime/aws-clients.js'
import { invokeAsync } from '../../shared/runtime/lambda.js'
import type { WelcomeRequest } from '../../shared/session/welcome.js'
import type { ConnectionStore } from '../../shared/store/connection-store.js'
import type { HistoryStore } from '../../shared/store/history-store.js'
import type { UserStore } from '../../shared/store/user-store.js'
import { snsEvent, webSocketEvent } from '../support/events.js'
import { withLocalDynamo } from '../support/local-dynamo.js'
import { withManagementStub } from '../support/management-stub.js'

const dynamo = withLocalDynamo()
const management = withManagementStub()
let poster: ConnectionPoster
let connections: ConnectionStore
let history: HistoryStore
let inbox: Inbox
let preferences: UserStore

beforeEach(async () => {
  ;({ connections, history, inbox, preferences } = await dynamo.freshStores())
  poster = signedHttpPoster({
    endpoint: management.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  })
})

/** Frames posted to each connection, decoded, in order. */
const posted = () => management.posted()

describe('Function: connect handler', () => {
  it('stores the connection on the notification topics and asks for the welcome frame', async () => {
    const welcomed: WelcomeRequest[] = []
    const handler = createConnectHandler({
      connections,
      users: preferences,
      welcome: async (request) => void welcomed.push(request),
    })

    const result = await handler(webSocketEvent('$connect', 'c1', { userId: 'alice' }))

    expect(result).toEqual({ statusCode: 200 })
    expect(await connections.get('c1')).toMatchObject({
      userId: 'alice',
      topics: ['alerts', 'system', 'uploads'],
    })
    expect(welcomed).toEqual([
      { connectionId: 'c1', userId: 'alice', topics: ['alerts', 'system', 'uploads'], filters: {} },
    ])
  })

  it('puts ?stream=logs connections on the logs topic', async () => {
    const handler = createConnectHandler({ connections, users: preferences, welcome: async () => {} })

    await handler(webSocketEvent('$connect', 'c2', { userId: 'ops', query: { stream: 'logs' } }))

    expect((await connections.get('c2'))?.topics).toEqual(['logs'])
  })

  it('invokes the welcome function asynchronously (InvocationType Event)', async () => {
    const lambda = mockClient(LambdaClient)
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 })

    await invokeAsync(awsClients({ region: 'us-east-1' }), 'herald-welcome')({ connectionId: 'c1' })

    expect(lambda.commandCalls(InvokeCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: 'herald-welcome',
      InvocationType: 'Event',
      Payload: '{"connectionId":"c1"}',
    })
    lambda.restore()
  })
})

describe('Function: welcome handler', () => {
  const request: WelcomeRequest = { connectionId: 'c1', userId: 'alice', topics: ['alerts'], filters: {} }

  it('retries while API Gateway answers 410 for a connection still opening, then sends connection_established and marks it open', async () => {
    await connections.add(request)
    management.script('c1', 410, 410)
    const handler = createWelcomeHandler({ poster, connections, options: { intervalMs: 1 } })

    const result = await handler(request)

    expect(result).toEqual({ delivered: true })
    expect((await connections.get('c1'))?.openedAt).toEqual(expect.any(String))
    const frames = posted()
    expect(frames).toHaveLength(3)
    expect(frames.map((f) => f.frame.id)).toEqual(Array(3).fill(frames[0]?.frame.id))
    expect(frames[2]?.frame).toMatchObject({
      type: 'connection_established',
      data: { connectionId: 'c1', userId: 'alice', topics: ['alerts'], filters: {} },
    })
  })

  it('gives up at the deadline when the client has left, leaving the connection unopened', async () => {
    await connections.add(request)
    management.always('c1', 410)
    const handler = createWelcomeHandler({ poster, connections, options: { intervalMs: 1, deadlineMs: 20 } })

    expect(await handler(request)).toEqual({ delivered: false })
    expect((await connections.get('c1'))?.openedAt).toBeUndefined()
  })

  it('marks nothing when $disconnect removed the connection before its welcome landed', async () => {
    const handler = createWelcomeHandler({ poster, connections, options: { intervalMs: 1 } })

    expect(await handler(request)).toEqual({ delivered: true })
    expect(await connections.get('c1')).toBeUndefined()
  })
})

describe('Function: disconnect handler', () => {
  it('removes the connection and its index items', async () => {
    await connections.add({ connectionId: 'c1', userId: 'alice', topics: ['alerts'] })

    await createDisconnectHandler({ connections })(webSocketEvent('$disconnect', 'c1', { userId: 'alice' }))

    expect(await connections.get('c1')).toBeUndefined()
    expect((await connections.recipientsOfUser('alice', 'alerts')).recipients).toEqual([])
  })
})

describe('Function: message handler', () => {
  const handler = () => createMessageHandler({ connections, history, inbox, preferences, poster })
  const send = (body: string, options: { canReadLogs?: boolean } = {}) =>
    handler()(webSocketEvent('$default', 'c1', { userId: 'alice', body, ...options }))

  beforeEach(async () => {
    await connections.add({ connectionId: 'c1', userId: 'alice', topics: ['alerts', 'system', 'uploads'] })
  })

  it('answers ping with pong, to the sender only', async () => {
    await send('{"type":"ping"}')
    expect(posted()).toEqual([
      { connectionId: 'c1', frame: expect.objectContaining({ type: 'pong', data: {} }) },
    ])
  })

  it('answers subscribe with the resulting topic list', async () => {
    await send('{"type":"subscribe","topics":["logs","alerts"]}')
    expect(posted()[0]?.frame).toMatchObject({
      type: 'subscribed',
      data: { topics: ['alerts', 'system', 'uploads', 'logs'] },
    })
    expect((await connections.get('c1'))?.topics).toEqual(['alerts', 'system', 'uploads', 'logs'])
  })

  it('answers unsubscribe with the resulting topic list', async () => {
    await send('{"type":"unsubscribe","topics":["system","uploads"]}')
    expect(posted()[0]?.frame).toMatchObject({ type: 'unsubscribed', data: { topics: ['alerts'] } })
  })

  it('answers set_filters with the stored filters, replacing the old ones', async () => {
    await send('{"type":"set_filters","filters":{"level":"error","source":"api"}}')
    await send('{"type":"set_filters","filters":{"environment":"prod"}}')
    expect(posted().map((p) => p.frame.data)).toEqual([
      { filters: { level: 'error', source: 'api' } },
      { filters: { environment: 'prod' } },
    ])
    expect((await connections.get('c1'))?.filters).toEqual({ environment: 'prod' })
  })

  it('answers resume with the missed notifications, then resumed', async () => {
    const seen = {
      id: newId(),
      type: 'alert' as const,
      data: { severity: 'low' as const, title: 'a', message: '' },
      timestamp: '',
    }
    const missed = { ...seen, id: newId(), data: { ...seen.data, title: 'b' } }
    await history.record(seen, { topic: 'alerts', userId: 'alice' })
    await history.record(missed, { topic: 'alerts', userId: 'alice' })

    await send(`{"type":"resume","since":"${seen.id}"}`)

    expect(posted().map((p) => p.frame.type)).toEqual(['alert', 'resumed'])
    expect(posted()[0]?.frame).toMatchObject({ id: missed.id, replayed: true })
    expect(posted()[1]?.frame.data).toEqual({
      count: 1,
      more: false,
      cursor: missed.id,
      unread: 2,
      countedThrough: missed.id,
    })
  })

  it.each([
    ['{not json', 'invalid_json'],
    ['{"type":"subscribe","topics":"alerts"}', 'invalid_message'],
    ['{"type":"dance"}', 'unknown_type'],
    [`{"type":"ping","pad":"${'x'.repeat(40_000)}"}`, 'too_large'],
  ])('answers %s with an error frame (%s) and changes nothing', async (body, code) => {
    await send(body)
    expect(posted()).toEqual([
      {
        connectionId: 'c1',
        frame: expect.objectContaining({ type: 'error', data: { code, message: expect.any(String) } }),
      },
    ])
    expect(await connections.get('c1')).toMatchObject({ version: 1, topics: ['alerts', 'system', 'uploads'] })
  })

  it('refuses the logs topic (forbidden) to a token that may not read logs', async () => {
    await send('{"type":"subscribe","topics":["logs"]}', { canReadLogs: false })
    expect(posted()[0]?.frame).toMatchObject({ type: 'error', data: { code: 'forbidden' } })
    expect((await connections.get('c1'))?.topics).not.toContain('logs')
  })

  it('answers forbidden when the connection is no longer registered', async () => {
    await connections.remove('c1')
    await send('{"type":"subscribe","topics":["alerts"]}')
    expect(posted()[0]?.frame).toMatchObject({ type: 'error', data: { code: 'forbidden' } })
  })
})

describe('Function: fanout handler', () => {
  const handler = (delivery = {}) => createFanOutHandler({ connections, history, poster, delivery })
  const alertToAll = () =>
    snsEvent({ message: '{"type":"alert","data":{"severity":"low","title":"t","message":"m"}}' })

  beforeEach(async () => {
    await connections.add({ connectionId: 'c1', userId: 'alice', topics: ['alerts'] })
    await connections.add({ connectionId: 'c2', userId: 'bob', topics: ['alerts'] })
  })

  it('skips a malformed record and still delivers the valid ones in the batch', async () => {
    await handler()(
      snsEvent(
        { message: 'not json' },
        { message: '{"type":"alert","data":{"severity":"nope"}}' },
        { message: '{"type":"alert","userId":"bob","data":{"severity":"low","title":"t","message":"m"}}' },
      ),
    )
    expect(posted().map((p) => [p.connectionId, p.frame.type])).toEqual([['c2', 'alert']])
  })

  it('derives the envelope id from the SNS message, so a redelivered message has the same id', async () => {
    const record = {
      message: '{"type":"alert","data":{"severity":"low","title":"t","message":"m"}}',
      messageId: 'sns-1',
      timestamp: '2026-11-26T10:00:00.000Z',
    }

    await handler()(snsEvent(record))
    await handler()(snsEvent(record))

    const ids = posted().map((p) => p.frame.id)
    expect(ids).toHaveLength(4)
    expect(new Set(ids)).toEqual(new Set([stableId('sns-1', '2026-11-26T10:00:00.000Z')]))
    expect(posted()[0]?.frame.timestamp).toBe('2026-11-26T10:00:00.000Z')
  })

  it('fails the invocation when recipients are still throttled at the deadline, so Lambda retries it', async () => {
    management.always('c1', 429)
    management.always('c2', 429)

    await expect(handler({ deadlineMs: 30, baseDelayMs: 5 })(alertToAll())).rejects.toBeInstanceOf(
      DeliveryIncompleteError,
    )
  })

  it('removes a welcomed connection the Management API reports gone', async () => {
    await connections.markOpen('c1')
    management.always('c1', 410)

    await handler()(alertToAll())

    expect(await connections.get('c1')).toBeUndefined()
    expect(await connections.get('c2')).toBeDefined()
  })

  it('keeps a connection not yet welcomed, for which 410 means "still opening", and posts to it once it opens', async () => {
    management.script('c1', 410, 410)

    await handler()(alertToAll())

    const toC1 = (options = {}) => management.posted(options).filter((p) => p.connectionId === 'c1')
    expect(toC1()).toHaveLength(3)
    expect(toC1({ delivered: true }).map((p) => p.frame.type)).toEqual(['alert'])
    expect(await connections.get('c1')).toBeDefined()
    expect((await connections.recipientsOfUser('alice', 'alerts')).recipients).toHaveLength(1)
  })

  it('gives up on a connection that never opens within the opening deadline, and keeps it for its grace', async () => {
    management.always('c1', 410)

    await handler({ openingDeadlineMs: 50 })(alertToAll())

    expect(management.posted({ delivered: true }).map((p) => p.connectionId)).toEqual(['c2'])
    expect(management.posted().filter((p) => p.connectionId === 'c1').length).toBeGreaterThan(1)
    expect(await connections.get('c1')).toBeDefined()
  })
})
