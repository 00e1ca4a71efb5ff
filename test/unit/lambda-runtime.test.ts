import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import {
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/defaults.js'
import { LocalLambda } from '../../local/lambda-runtime.js'
import { ConfigError } from '../../shared/errors.js'
import type { HeldEvent } from '../support/held-function.js'
import { InvocationGate } from '../support/invocation-gate.js'

const RESERVED_LIMIT = 'ReservedFunctionConcurrentInvocationLimitExceeded'
const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

describe('Class: LocalLambda', () => {
  const runtime = new LocalLambda({ retryDelaysMs: [5, 5] })
  const failures: unknown[] = []
  const calls: unknown[] = []
  let client: LambdaClient
  let endpoint: string

  beforeAll(async () => {
    runtime.register('echo', async (event: unknown) => ({ echoed: event }))
    runtime.register('record', async (event: unknown) => void calls.push(event))
    runtime.register('boom', async () => {
      throw new TypeError('kaput')
    })
    endpoint = await runtime.listen()
    client = new LambdaClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS })
  })
  afterAll(() => runtime.close())

  const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes))

  it('answers a RequestResponse invoke with the handler’s result', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ a: 1 }) }))
    expect(result.StatusCode).toBe(200)
    expect(decode(result.Payload)).toEqual({ echoed: { a: 1 } })
  })

  it('reports a handler error as FunctionError Unhandled, as Lambda does', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'boom', Payload: payload({}) }))
    expect(result.FunctionError).toBe('Unhandled')
    expect(decode(result.Payload)).toEqual({ errorType: 'TypeError', errorMessage: 'kaput' })
  })

  it('accepts an Event invoke with 202 and runs the handler afterwards', async () => {
    const result = await client.send(
      new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: payload({ n: 7 }) }),
    )
    await runtime.idle()
    expect(result.StatusCode).toBe(202)
    expect(calls).toContainEqual({ n: 7 })
  })

  it('answers an unknown function with ResourceNotFoundException', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    )
  })

  it('retries a failed asynchronous invocation twice, then reports it as a dead letter', async () => {
    let attempts = 0
    const flaky = new LocalLambda({
      retryDelaysMs: [1, 1],
      onFailure: (name, event) => failures.push({ name, event }),
    })
    flaky.register('always-fails', async () => {
      attempts++
      throw new Error('no')
    })

    flaky.invokeAsync('always-fails', { id: 1 })
    await flaky.idle()

    expect(attempts).toBe(3)
    expect(failures).toEqual([{ name: 'always-fails', event: { id: 1 } }])
  })

  it.each([
    [0, 1],
    [1, 2],
  ])(
    'honours a function’s retryAttempts of %i: %i attempt(s), then the failure is reported',
    async (retryAttempts, expected) => {
      let attempts = 0
      const reported: string[] = []
      const lambda = new LocalLambda({ retryDelaysMs: [1, 1], onFailure: (name) => reported.push(name) })
      lambda.register(
        'best-effort',
        async () => {
          attempts++
          throw new Error('no')
        },
        { retryAttempts },
      )

      lambda.invokeAsync('best-effort', {})
      await lambda.idle()

      expect(attempts).toBe(expected)
      expect(reported).toEqual(['best-effort'])
    },
  )

  it('keeps serving when a caller hangs up halfway through its request body', async () => {
    const { hostname, port } = new URL(endpoint)
    const partial = request({
      hostname,
      port,
      method: 'POST',
      path: '/2015-03-31/functions/echo/invocations',
      headers: { 'content-length': '1000' },
    })
    partial.on('error', () => {})
    // Headers and half a body on the wire, then the caller goes.
    await new Promise((resolve) => partial.write('{"half":', resolve))
    const closed = new Promise((resolve) => partial.on('close', resolve))
    partial.destroy()
    await closed

    const result = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ a: 2 }) }))
    expect(decode(result.Payload)).toEqual({ echoed: { a: 2 } })
  })

  it('passes each invocation a copy of its event', async () => {
    const event = { nested: { value: 1 } }
    runtime.register('mutate', async (received: { nested: { value: number } }) => {
      received.nested.value = 2
    })
    await runtime.invoke('mutate', event)
    expect(event.nested.value).toBe(1)
  })
})

describe('Class: LocalLambda, concurrency', () => {
  const heldModule = fileURLToPath(new URL('../support/held-function.ts', import.meta.url))
  const settings = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }
  let gate: InvocationGate
  beforeEach(async () => {
    gate = await InvocationGate.start()
  })
  afterEach(() => gate.close())

  it('starts an instance for each invocation that finds every one busy, and throttles past its reserved concurrency', async () => {
    // Prepare
    const failures: unknown[] = []
    const lambda = new LocalLambda({
      throttleRetryMs: { firstMs: 5, maxMs: 20 },
      onFailure: (_name, _event, error) => failures.push(error),
    })
    await lambda.registerThreaded(
      'held',
      { module: heldModule, env: {}, settings },
      { reservedConcurrency: 3 },
    )
    const endpoint = await lambda.listen()
    const client = new LambdaClient({
      endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    })
    const event = { gate: gate.url }

    // Act
    const running = [1, 2, 3].map(() => lambda.invoke('held', event) as Promise<{ instance: string }>)
    await gate.holding(3)
    const refused = await lambda.invoke('held', event).catch((error: unknown) => error)
    const refusedOverHttp = await client
      .send(new InvokeCommand({ FunctionName: 'held', Payload: payload(event) }))
      .catch((error: unknown) => error)
    lambda.invokeAsync('held', event)
    const throttles = lambda.stats.throttles

    // Assess
    expect(lambda.instances('held')).toBe(3)
    expect(refused).toMatchObject({ name: 'TooManyRequestsError', status: 429, reason: RESERVED_LIMIT })
    expect(refusedOverHttp).toBeInstanceOf(TooManyRequestsException)
    expect(refusedOverHttp).toMatchObject({
      Reason: RESERVED_LIMIT,
      $metadata: { httpStatusCode: 429 },
    })
    // The asynchronous one was tried at once, and throttled: it waits in the queue.
    expect(throttles).toBe(3)
    gate.open()
    const instances = new Set((await Promise.all(running)).map((result) => result.instance))
    await lambda.idle()
    expect(instances.size).toBe(3)
    // The queued invocation ran once concurrency was free, on a warm instance: no error, no retry.
    expect(gate.arrived).toBe(4)
    expect(failures).toEqual([])
    expect(lambda.stats.retries).toBe(0)
    expect(lambda.instances('held')).toBe(3)
    client.destroy()
    await lambda.close()
  })

  it('keeps one instance warm and stops the others once they have been idle for keepWarmMs', async () => {
    const lambda = new LocalLambda({ keepWarmMs: 20 })
    await lambda.registerThreaded('held', { module: heldModule, env: {}, settings })
    const running = [1, 2].map(() => lambda.invoke('held', { gate: gate.url }))
    await gate.holding(2)
    expect(lambda.instances('held')).toBe(2)

    gate.open()
    await Promise.all(running)

    await vi.waitFor(() => expect(lambda.instances('held')).toBe(1))
    await lambda.close()
  })

  it('stops waiting to retry a throttled event once the stack stops, so closing does not hang', async () => {
    const lambda = new LocalLambda({
      accountConcurrency: 1,
      throttleRetryMs: { firstMs: 600_000, maxMs: 600_000 },
    })
    lambda.register('held', async (event: HeldEvent) => fetch(event.gate))
    const running = lambda.invoke('held', { gate: gate.url })
    await gate.holding(1)
    lambda.invokeAsync('held', { gate: gate.url })
    expect(lambda.stats.throttles).toBe(1)

    lambda.abandonRetries()
    gate.open()
    await running
    await lambda.idle()

    // The running one finished; the throttled one was dropped rather than waited for 10 minutes.
    expect(gate.arrived).toBe(1)
    await lambda.close()
  })

  it('lets a storm on one function take the account’s unreserved rest, but never what another reserved', async () => {
    // Prepare: an account of 3, one of them reserved for `welcome`.
    const lambda = new LocalLambda({ accountConcurrency: 3 })
    const held = async (event: HeldEvent) => fetch(event.gate)
    lambda.register('welcome', held, { reservedConcurrency: 1 })
    lambda.register('storm', held)
    lambda.register('fanout', held)
    const event = { gate: gate.url }

    // Act
    const running = [lambda.invoke('storm', event), lambda.invoke('storm', event)]
    await gate.holding(2)
    const fanout = lambda.invoke('fanout', event).catch((error: unknown) => error)
    running.push(lambda.invoke('welcome', event))
    await gate.holding(3)
    const secondWelcome = lambda.invoke('welcome', event).catch((error: unknown) => error)

    // Assess
    expect(await fanout).toMatchObject({ reason: 'ConcurrentInvocationLimitExceeded' })
    expect(await secondWelcome).toMatchObject({ reason: RESERVED_LIMIT })
    gate.open()
    await Promise.all(running)
    await expect(lambda.invoke('fanout', event)).resolves.toBeDefined()
  })

  it('reports a throttled asynchronous invocation as failed only once its event is too old to keep', async () => {
    const failures: string[] = []
    const lambda = new LocalLambda({
      maxEventAgeMs: 0,
      onFailure: (_name, _event, error) => failures.push((error as Error).name),
    })
    lambda.register('held', async (event: HeldEvent) => fetch(event.gate), { reservedConcurrency: 0 })

    lambda.invokeAsync('held', { gate: gate.url })
    await lambda.idle()

    expect(failures).toEqual(['TooManyRequestsError'])
    expect(gate.arrived).toBe(0)
  })

  it('refuses a reserved concurrency the account cannot set aside', () => {
    const lambda = new LocalLambda({ accountConcurrency: 10 })
    lambda.register('a', async () => {}, { reservedConcurrency: 6 })
    expect(() => lambda.register('b', async () => {}, { reservedConcurrency: 5 })).toThrow(ConfigError)
  })
})
