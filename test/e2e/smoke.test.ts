import { SNSClient } from '@aws-sdk/client-sns'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { LOCAL_CREDENTIALS } from '../../local/dynamodb.js'
import { LOCAL_JWT_SECRET, type LocalStack, startLocalStack } from '../../local/stack.js'
import { signLocalToken } from '../../shared/auth/local-token.js'
import { createPublisher } from '../../shared/publisher/publisher.js'
import { TestClient } from '../support/ws-client.js'

let stack: LocalStack
beforeAll(async () => {
  stack = await startLocalStack({ port: 0 })
})
afterAll(() => stack.close())

it('smoke', async () => {
  const token = await signLocalToken({ userId: 'alice', secret: LOCAL_JWT_SECRET })
  const client = await TestClient.connect(`${stack.websocketUrl}/?token=${token}`)
  client.send({ type: 'ping' })
  expect((await client.next()).type).toBe('pong')
  const herald = createPublisher({
    client: new SNSClient({
      endpoint: stack.snsEndpoint,
      region: stack.region,
      credentials: LOCAL_CREDENTIALS,
    }),
    topicArn: stack.topicArn,
  })
  await herald.sendAlertNotification('alice', { severity: 'high', title: 'hi', message: 'there' })
  expect((await client.next()).type).toBe('alert')
  client.close()
})
