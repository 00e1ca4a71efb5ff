import { describe, expect, it } from 'vitest'
import { type DeliveryClock, deliver } from '../../shared/fan-out/post-to-recipients.js'
import { signedHttpPoster } from '../../shared/fan-out/signed-http-poster.js'
import type { Recipient } from '../../shared/store/index-queries.js'
import { withManagementStub } from '../support/management-stub.js'

const stub = withManagementStub()
const poster = () =>
  signedHttpPoster({
    endpoint: stub.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  })
const recipients = (...ids: string[]): Recipient[] =>
  ids.map((connectionId) => ({ connectionId, userId: 'u', key: { pk: 'p', sk: connectionId } }))

/** A clock that moves only when the deliverer sleeps: deadlines are tested without waiting. */
function fakeClock(): DeliveryClock & { slept: number[] } {
  let now = 0
  const slept: number[] = []
  return {
    slept,
    now: () => now,
    random: () => 1,
    sleep: async (ms) => {
      slept.push(ms)
      now += ms
    },
  }
}

describe('Function: signedHttpPoster', () => {
  it('posts to /{stage}/@connections/{url-encoded id}, SigV4-signed for execute-api', async () => {
    await poster().post('L0SM9cOFvHcCIhw=', '{"x":1}')

    const [call] = stub.calls
    expect(call).toMatchObject({
      method: 'POST',
      path: '/prod/@connections/L0SM9cOFvHcCIhw%3D',
      body: '{"x":1}',
    })
    expect(call?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    )
    expect(call?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/)
  })

  it('deletes a connection, and treats one already gone as closed', async () => {
    stub.script('gone', 410)
    await poster().close('live')
    await poster().close('gone')
    expect(stub.calls.map((c) => [c.method, c.connectionId])).toEqual([
      ['DELETE', 'live'],
      ['DELETE', 'gone'],
    ])
  })

  it.each([
    [410, 'gone'],
    [429, 'retry'],
    [500, 'retry'],
    [403, 'reject'],
    [413, 'reject'],
  ])('turns a %s answer into a %s DeliveryError', async (status, kind) => {
    stub.script('c', status)
    await expect(poster().post('c', '{}')).rejects.toMatchObject({ kind, status })
  })

  it('treats an unreachable endpoint as retryable', async () => {
    const nowhere = signedHttpPoster({
      endpoint: 'http://127.0.0.1:9/prod',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    })
    await expect(nowhere.post('c', '{}')).rejects.toMatchObject({ kind: 'retry', status: undefined })
  })
})

describe('Function: deliver', () => {
  it('posts the payload to every recipient', async () => {
    const report = await deliver(poster(), recipients('a', 'b', 'c'), '{"x":1}', {}, fakeClock())

    expect(report).toEqual({ delivered: 3, gone: [], refused: [], exhausted: [], retried: 0 })
    expect(stub.calls.map((c) => [c.connectionId, c.body])).toEqual([
      ['a', '{"x":1}'],
      ['b', '{"x":1}'],
      ['c', '{"x":1}'],
    ])
  })

  it('reports 410 GoneException as gone, without retrying', async () => {
    stub.always('b', 410)

    const report = await deliver(poster(), recipients('a', 'b'), '{}', {}, fakeClock())

    expect(report.delivered).toBe(1)
    expect(report.gone.map((r) => r.connectionId)).toEqual(['b'])
    expect(stub.calls).toHaveLength(2)
  })

  it.each([
    ['429 LimitExceededException', 429],
    ['500 InternalServerError', 500],
  ])('retries %s with growing, jittered backoff until it succeeds', async (_, status) => {
    stub.script('a', status, status, status)
    const clock = fakeClock()

    const report = await deliver(poster(), recipients('a'), '{}', { baseDelayMs: 10 }, clock)

    expect(report).toMatchObject({ delivered: 1, retried: 3, exhausted: [] })
    expect(clock.slept).toEqual([10, 20, 40])
  })

  it('gives up on a recipient still throttled at the deadline, and says so', async () => {
    stub.always('a', 429)

    const report = await deliver(
      poster(),
      recipients('a'),
      '{}',
      { baseDelayMs: 100, deadlineMs: 1000 },
      fakeClock(),
    )

    expect(report.delivered).toBe(0)
    expect(report.exhausted.map((r) => r.connectionId)).toEqual(['a'])
    expect(report.retried).toBe(3)
  })

  it('does not retry a post the API refuses outright (403)', async () => {
    stub.always('a', 403)

    const report = await deliver(poster(), recipients('a'), '{}', {}, fakeClock())

    expect(report.refused.map((r) => r.connectionId)).toEqual(['a'])
    expect(stub.calls).toHaveLength(1)
  })

  it('keeps at most `concurrency` posts in flight', async () => {
    stub.delayMs = 5
    let inFlight = 0
    let peak = 0
    const counting = poster()
    const tracked = {
      ...counting,
      post: async (id: string, data: string) => {
        inFlight++
        peak = Math.max(peak, inFlight)
        try {
          await counting.post(id, data)
        } finally {
          inFlight--
        }
      },
    }

    const report = await deliver(
      tracked,
      recipients(...Array.from({ length: 60 }, (_, i) => `c${i}`)),
      '{}',
      { concurrency: 7 },
    )

    expect(report.delivered).toBe(60)
    expect(peak).toBe(7)
  })

  it('survives a Gone storm: half the recipients gone, the rest delivered', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `c${i}`)
    for (const id of ids.filter((_, i) => i % 2)) stub.always(id, 410)

    const report = await deliver(poster(), recipients(...ids), '{}', { concurrency: 20 }, fakeClock())

    expect(report.delivered).toBe(100)
    expect(report.gone).toHaveLength(100)
  })
})
