import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalGateway } from '../../local/gateway.js'
import { LocalLambda } from '../../local/lambda-runtime.js'
import { InvocationGate } from '../support/invocation-gate.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

const allow = {
  principalId: 'u1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
  },
  context: { userId: 'u1' },
}

let gate: InvocationGate
let gateway: LocalGateway
beforeEach(async () => {
  gate = await InvocationGate.start()
})
afterEach(async () => {
  await gateway.close()
  await gate.close()
})

/**
 * A gateway whose `held` route waits at the gate and may run once at a time: a second call is
 * throttled by Lambda (docs: Lambda, "Handling errors with an API Gateway API": API Gateway answers
 * 500 when Lambda refuses the invocation, and does not retry it).
 */
async function start(held: 'authorizer' | 'default') {
  const lambda = new LocalLambda()
  const hold = async () => void (await fetch(gate.url))
  const authorize = async () => {
    if (held === 'authorizer') await hold()
    return allow
  }
  lambda.register('authorizer', authorize, { reservedConcurrency: 1 })
  lambda.register('connect', async () => ({ statusCode: 200 }))
  lambda.register('disconnect', async () => ({ statusCode: 200 }))
  lambda.register('default', hold, { reservedConcurrency: 1 })
  gateway = new LocalGateway({
    lambda,
    routes: { authorizer: 'authorizer', $connect: 'connect', $disconnect: 'disconnect', $default: 'default' },
  })
  await gateway.listen(0)
  return `${gateway.websocketUrl}/?token=t`
}

describe('Class: LocalGateway, when Lambda throttles a route’s function', () => {
  it('refuses the handshake with 500 while the authorizer has no concurrency left', async () => {
    const url = await start('authorizer')
    const first = TestClient.open(url)
    await gate.holding(1)

    const refusal = (await TestClient.open(url)) as Refusal

    expect(refusal.status).toBe(500)
    gate.open()
    const accepted = await first
    expect(accepted).toBeInstanceOf(TestClient)
    ;(accepted as TestClient).close()
  })

  it('answers a throttled message with “Internal server error”, and keeps the socket', async () => {
    const url = await start('default')
    const client = (await TestClient.open(url)) as TestClient
    client.send('{"type":"first"}')
    await gate.holding(1)

    client.send('{"type":"second"}')

    expect(await client.next()).toMatchObject({
      message: 'Internal server error',
      connectionId: expect.any(String),
    })
    expect(client.closed).toBeUndefined()
    client.close()
  })
})
