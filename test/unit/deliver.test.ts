import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import { managementApiPoster } from '../../shared/fan-out/connection-poster.js'
import { type DeliveryClock, deliver } from '../../shared/fan-out/deliver.js'
import type { Recipient } from '../../shared/store/connection-store.js'

const management = mockClient(ApiGatewayManagementApiClient)
const poster = managementApiPoster(
  new ApiGatewayManagementApiClient({ endpoint: 'https://example.invalid/prod', region: 'us-east-1' }),
)

afterEach(() => management.reset())

const recipients = (...ids: string[]): Recipient[] =>
  ids.map((connectionId) => ({ connectionId, userId: 'u', key: { pk: 'p', sk: connectionId } }))
const gone = () => new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } })
const throttled = () =>
  new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } })
const serverError = () =>
  Object.assign(new Error('internal'), {
    name: 'InternalServerErrorException',
    $metadata: { httpStatusCode: 500 },
  })
const forbidden = () => new ForbiddenException({ message: 'no', $metadata: { httpStatusCode: 403 } })

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

describe('Function: deliver', () => {
  it('posts the payload to every recipient', async () => {
    management.on(PostToConnectionCommand).resolves({})

    const report = await deliver(poster, recipients('a', 'b', 'c'), '{"x":1}', {}, fakeClock())

    expect(report).toEqual({ delivered: 3, gone: [], rejected: [], exhausted: [], retried: 0 })
    const calls = management.commandCalls(PostToConnectionCommand).map((call) => call.args[0].input)
    expect(calls.map((input) => input.ConnectionId)).toEqual(['a', 'b', 'c'])
    expect(new TextDecoder().decode(calls[0]?.Data as Uint8Array)).toBe('{"x":1}')
  })

  it('reports 410 GoneException as gone, without retrying', async () => {
    management
      .on(PostToConnectionCommand)
      .resolves({})
      .on(PostToConnectionCommand, { ConnectionId: 'b' })
      .rejects(gone())

    const report = await deliver(poster, recipients('a', 'b'), '{}', {}, fakeClock())

    expect(report.delivered).toBe(1)
    expect(report.gone.map((r) => r.connectionId)).toEqual(['b'])
    expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(2)
  })

  it.each([
    ['429 LimitExceededException', throttled],
    ['500 InternalServerError', serverError],
  ])('retries %s with growing, jittered backoff until it succeeds', async (_, failure) => {
    management
      .on(PostToConnectionCommand)
      .rejectsOnce(failure())
      .rejectsOnce(failure())
      .rejectsOnce(failure())
      .resolves({})
    const clock = fakeClock()

    const report = await deliver(poster, recipients('a'), '{}', { baseDelayMs: 10 }, clock)

    expect(report).toMatchObject({ delivered: 1, retried: 3, exhausted: [] })
    expect(clock.slept).toEqual([10, 20, 40])
  })

  it('gives up on a recipient still throttled at the deadline, and says so', async () => {
    management.on(PostToConnectionCommand).rejects(throttled())

    const report = await deliver(
      poster,
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
    management.on(PostToConnectionCommand).rejects(forbidden())

    const report = await deliver(poster, recipients('a'), '{}', {}, fakeClock())

    expect(report.rejected.map((r) => r.connectionId)).toEqual(['a'])
    expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(1)
  })

  it('keeps at most `concurrency` posts in flight', async () => {
    let inFlight = 0
    let peak = 0
    management.on(PostToConnectionCommand).callsFake(async () => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 1))
      inFlight--
      return {}
    })

    const report = await deliver(poster, recipients(...Array.from({ length: 60 }, (_, i) => `c${i}`)), '{}', {
      concurrency: 7,
    })

    expect(report.delivered).toBe(60)
    expect(peak).toBe(7)
  })

  it('survives a Gone storm: half the recipients gone, the rest delivered', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `c${i}`)
    management.on(PostToConnectionCommand).callsFake(async (input: { ConnectionId: string }) => {
      if (Number(input.ConnectionId.slice(1)) % 2) throw gone()
      return {}
    })

    const report = await deliver(poster, recipients(...ids), '{}', { concurrency: 20 }, fakeClock())

    expect(report.delivered).toBe(100)
    expect(report.gone).toHaveLength(100)
  })
})

describe('Function: managementApiPoster.close', () => {
  it('deletes the connection and treats one already gone as closed', async () => {
    management
      .on(DeleteConnectionCommand, { ConnectionId: 'a' })
      .resolves({})
      .on(DeleteConnectionCommand, { ConnectionId: 'b' })
      .rejects(gone())

    await poster.close('a')
    await poster.close('b')

    expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(2)
  })
})
