import { request } from 'node:http'
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/defaults.js'
import { LocalLambda } from '../../local/lambda-runtime.js'

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

  const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
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
        retryAttempts,
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
