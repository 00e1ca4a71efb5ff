import { describe, expect, it, vi } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

const herald = withLocalStack()

/** Waits until a fan-out (and any cleanup it started) has finished on the local Lambda runtime. */
const settled = () => herald.stack.lambda.idle()

describe('Local stack: connecting', () => {
  it('sends connection_established first, unprompted, with the connection’s identity and subscriptions', async () => {
    const token = await herald.token('alice')
    const client = (await TestClient.open(`${herald.stack.websocketUrl}/?token=${token}`)) as TestClient

    const first = await client.next()

    expect(first).toMatchObject({
      type: 'connection_established',
      data: { userId: 'alice', topics: ['alerts', 'system', 'uploads'], filters: {} },
    })
    expect(first.data).toHaveProperty('connectionId', expect.stringMatching(/^[A-Za-z0-9+/]{15}=$/))
    expect(first.id).toMatch(/^[0-9A-Z]{26}$/)
    client.close()
  })

  it('puts ?stream=logs on the log stream', async () => {
    const client = await herald.connect('ops', 'stream=logs')
    expect(client.frames[0]?.data).toMatchObject({ topics: ['logs'] })
    client.close()
  })

  it.each([
    ['no token', '', 401],
    ['an empty token', '?token=', 401],
    ['a malformed token', '?token=abc.def.ghi', 401],
  ])('refuses %s before any socket opens, storing nothing', async (_, query, status) => {
    const result = await TestClient.open(`${herald.stack.websocketUrl}/${query}`)

    expect((result as Refusal).status).toBe(status)
    // Every stored connection belongs to a socket the gateway has open: the refused one left nothing.
    await vi.waitFor(async () => {
      const stored = (await herald.storedItems())
        .filter((item) => item.sk === 'meta')
        .map((item) => item.connectionId)
      expect(stored.sort()).toEqual(herald.stack.gateway.connectionIds.sort())
    })
  })

  it('refuses an expired token with 401', async () => {
    const token = await herald.token('alice', { ttlSeconds: -120 })
    expect(await TestClient.open(`${herald.stack.websocketUrl}/?token=${token}`)).toEqual({ status: 401 })
  })

  it('removes a closed socket’s connection from the store', async () => {
    const client = await herald.connect('carl')
    const { connectionId } = client
    expect((await herald.storedItems()).some((item) => item.connectionId === connectionId)).toBe(true)

    client.close()

    await vi.waitFor(async () =>
      expect((await herald.storedItems()).some((item) => item.connectionId === connectionId)).toBe(false),
    )
  })
})

describe('Local stack: control frames', () => {
  it('answers ping, subscribe, unsubscribe and set_filters', async () => {
    const client = await herald.connect('dora')

    client.send({ type: 'ping' })
    expect((await client.next()).type).toBe('pong')
    client.send({ type: 'unsubscribe', topics: ['system', 'uploads'] })
    expect(await client.next()).toMatchObject({ type: 'unsubscribed', data: { topics: ['alerts'] } })
    client.send({ type: 'subscribe', topics: ['logs'] })
    expect(await client.next()).toMatchObject({ type: 'subscribed', data: { topics: ['alerts', 'logs'] } })
    client.send({ type: 'set_filters', filters: { level: 'error' } })
    expect(await client.next()).toMatchObject({
      type: 'filters_updated',
      data: { filters: { level: 'error' } },
    })
    client.close()
  })

  it('answers bad frames with an error and keeps the connection open', async () => {
    const client = await herald.connect('eddy')

    client.send('{oops')
    expect(await client.next()).toMatchObject({ type: 'error', data: { code: 'invalid_json' } })
    client.send({ type: 'teleport' })
    expect(await client.next()).toMatchObject({ type: 'error', data: { code: 'unknown_type' } })
    client.send({ type: 'ping' })
    expect((await client.next()).type).toBe('pong')
    client.close()
  })
})

describe('Local stack: delivery', () => {
  it('delivers each notification type, published with the SDK, to exactly the right sockets', async () => {
    const [alice1, alice2, bob, ops, opsErrors] = await Promise.all([
      herald.connect('alice'),
      herald.connect('alice'),
      herald.connect('bob'),
      herald.connect('ops', 'stream=logs'),
      herald.connect('ops', 'stream=logs'),
    ])
    opsErrors?.send({ type: 'set_filters', filters: { level: 'error', environment: 'prod' } })
    await opsErrors?.next('filters_updated')
    const everyone = [alice1, alice2, bob, ops, opsErrors] as TestClient[]

    await herald.publisher.sendAlertNotification('alice', {
      severity: 'high',
      title: 'for alice',
      message: '',
    })
    await herald.publisher.sendAlertNotification(null, { severity: 'low', title: 'for all', message: '' })
    await herald.publisher.sendSystemNotification({ title: 'notice', message: '' })
    await herald.publisher.sendUploadStatus('bob', {
      upload_id: 'u1',
      status: 'completed',
      progress: 100,
      filename: 'a.csv',
    })
    await herald.publisher.sendLogStream({
      level: 'error',
      message: 'boom',
      source: 'api',
      environment: 'prod',
    })
    await herald.publisher.sendLogStream({
      level: 'error',
      message: 'dev boom',
      source: 'api',
      environment: 'dev',
    })
    await settled()

    // SNS promises no order between messages, so each socket's set of notifications is compared.
    const titles = (client: TestClient | undefined) =>
      (client as TestClient).frames
        .filter((f) => !['connection_established', 'filters_updated'].includes(f.type))
        .map(
          (f) =>
            (f.data as { title?: string }).title ??
            (f.data as { message?: string; filename?: string }).message ??
            (f.data as { filename: string }).filename,
        )
        .sort()
    // Every fan-out has ended; a post it made may still be on its way to the socket.
    await vi.waitFor(() => {
      expect(titles(alice1)).toEqual(['for alice', 'for all', 'notice'])
      expect(titles(alice2)).toEqual(['for alice', 'for all', 'notice'])
      expect(titles(bob)).toEqual(['a.csv', 'for all', 'notice'])
      expect(titles(ops)).toEqual(['boom', 'dev boom'])
    })
    expect(bob?.received('upload_status')[0]?.data).toMatchObject({ upload_id: 'u1', status: 'completed' })
    expect(titles(ops)).toEqual(['boom', 'dev boom'])
    expect(titles(opsErrors)).toEqual(['boom'])
    for (const client of everyone) client.close()
  })

  it('delivers a raw SNS Publish (awsQuery form, message attributes) and answers it in XML', async () => {
    const client = await herald.connect('fay')
    const response = await herald.rawPublish({
      Action: 'Publish',
      Version: '2010-03-31',
      TopicArn: herald.stack.topicArn,
      Message: JSON.stringify({
        type: 'alert',
        userId: 'fay',
        data: { severity: 'medium', title: 'raw', message: 'via SNS' },
      }),
      'MessageAttributes.entry.1.Name': 'type',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'alert',
    })

    expect(response.status).toBe(200)
    expect(response.body).toMatch(
      /<PublishResponse[^>]*><PublishResult><MessageId>[0-9a-f-]{36}<\/MessageId>/,
    )
    expect(await client.next('alert')).toMatchObject({ data: { title: 'raw', message: 'via SNS' } })
    client.close()
  })

  it('delivers a PublishBatch, one fan-out per entry', async () => {
    const client = await herald.connect('gus')
    const entry = (n: number) => ({
      [`PublishBatchRequestEntries.member.${n}.Id`]: `e${n}`,
      [`PublishBatchRequestEntries.member.${n}.Message`]: JSON.stringify({
        type: 'alert',
        userId: 'gus',
        data: { severity: 'low', title: `b${n}`, message: '' },
      }),
    })

    const response = await herald.rawPublish({
      Action: 'PublishBatch',
      TopicArn: herald.stack.topicArn,
      ...entry(1),
      ...entry(2),
    })
    expect(response.body).toMatch(/<Successful><member><Id>e1<\/Id>/)
    const titles = [await client.next('alert'), await client.next('alert')]
    expect(titles.map((f) => (f.data as { title: string }).title).sort()).toEqual(['b1', 'b2'])
    await settled()
    expect(client.received('alert')).toHaveLength(2)
    client.close()
  })

  it.each([
    [
      { Action: 'Publish', TopicArn: 'arn:aws:sns:us-east-1:000000000000:other', Message: 'x' },
      404,
      'NotFound',
    ],
    [{ Action: 'Publish', Message: '' }, 404, 'NotFound'],
    [{ Action: 'DeleteTopic' }, 400, 'InvalidAction'],
  ])('answers a bad SNS request %o with an SNS error', async (form, status, code) => {
    const response = await herald.rawPublish(form)
    expect(response.status).toBe(status)
    expect(response.body).toContain(`<Code>${code}</Code>`)
  })

  it('answers an empty message on the right topic with InvalidParameter', async () => {
    const response = await herald.rawPublish({
      Action: 'Publish',
      TopicArn: herald.stack.topicArn,
      Message: '',
    })
    expect(response.status).toBe(400)
    expect(response.body).toContain('<Code>InvalidParameter</Code>')
  })

  it('cleans a stale connection (socket lost without $disconnect) at the next fan-out', async () => {
    const [live, stale] = await Promise.all([herald.connect('hana'), herald.connect('hana')])
    const staleId = (stale as TestClient).connectionId
    herald.stack.gateway.drop(staleId, { skipDisconnect: true })
    await stale?.waitClosed()
    await settled()
    expect((await herald.storedItems()).some((item) => item.connectionId === staleId)).toBe(true)

    await herald.publisher.sendAlertNotification('hana', { severity: 'low', title: 'hello', message: '' })
    await settled()

    expect(await live?.next('alert')).toMatchObject({ data: { title: 'hello' } })
    expect((await herald.storedItems()).some((item) => item.connectionId === staleId)).toBe(false)
    live?.close()
  })

  it('lets a reconnecting client resume exactly what it missed', async () => {
    const first = await herald.connect('ivy')
    await herald.publisher.sendAlertNotification('ivy', { severity: 'low', title: 'seen', message: '' })
    const lastSeen = (await first.next('alert')).id
    first.close()
    await first.waitClosed()
    await settled()

    await herald.publisher.sendAlertNotification('ivy', { severity: 'low', title: 'missed 1', message: '' })
    await herald.publisher.sendAlertNotification('jack', { severity: 'low', title: 'not ivy’s', message: '' })
    await herald.publisher.sendSystemNotification({ title: 'missed 2', message: '' })
    await settled()

    const again = await herald.connect('ivy')
    again.send({ type: 'resume', since: lastSeen })
    const resumed = await again.next('resumed')

    expect(resumed.data).toMatchObject({ count: 2, more: false })
    expect(again.frames.slice(1, 3).map((f) => (f.data as { title: string }).title)).toEqual([
      'missed 1',
      'missed 2',
    ])
    expect(again.frames.slice(1, 3).map((f) => f.replayed)).toEqual([true, true])
    again.close()
  })
})
