import { ApiGatewayManagementApiClient, GetConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi'
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb'
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2'
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { FUNCTIONS } from '../../functions/manifest.js'
import { credentialsOf } from '../../local/iam.js'
import { withLocalStack } from '../support/local-stack.js'
import type { TestClient } from '../support/ws-client.js'

// The twin checks every call a function makes against the role the construct gives it
// (functions/manifest.ts): what the role lacks, the twin refuses as AWS would.
const herald = withLocalStack({ env: { HERALD_MAX_MESSAGES_PER_SECOND: '5' } })
const clients: { destroy(): void }[] = []
afterAll(() => {
  for (const client of clients) client.destroy()
})

const secretsEndpoint = () => herald.stack.secretsManagerEndpoint
const schedulerEndpoint = () => herald.stack.schedulerEndpoint

/** An SDK client signing as one of Herald's functions, against the twin. */
function as<T extends { destroy(): void }>(
  entry: string,
  Client: new (config: object) => T,
  endpoint: string,
): T {
  const client = new Client({ endpoint, region: herald.stack.region, credentials: credentialsOf(entry) })
  clients.push(client)
  return client
}

describe('The twin refuses what a function’s role does not grant', () => {
  it('DynamoDB: AccessDeniedException for a table the role does not name', async () => {
    const welcome = as('welcome', DynamoDBClient, herald.stack.dynamodbEndpoint)
    const query = new QueryCommand({
      TableName: herald.stack.env.HERALD_CONNECTIONS_TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'user#x' } },
    })
    await expect(welcome.send(query)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /herald-welcome is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:.*:table\//,
      ),
    })
    // The same call under a role that grants it goes through.
    await expect(
      as('connect', DynamoDBClient, herald.stack.dynamodbEndpoint).send(query),
    ).resolves.toBeDefined()
  })

  it('SQS: only the fan-out may keep rejected notifications', async () => {
    const send = new SendMessageCommand({ QueueUrl: herald.stack.rejectedQueueUrl, MessageBody: '{}' })
    await expect(as('deliver', SQSClient, herald.stack.sqsEndpoint).send(send)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
  })

  it('SNS: refuses an unsigned Publish with MissingAuthenticationToken, as AWS does', async () => {
    const response = await fetch(herald.stack.snsEndpoint, {
      method: 'POST',
      body: new URLSearchParams({ Action: 'Publish', TopicArn: herald.stack.topicArn, Message: '{}' }),
    })
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>')
  })

  it('SNS: no function may publish (none is granted sns:Publish)', async () => {
    const publish = new PublishCommand({ TopicArn: herald.stack.topicArn, Message: '{}' })
    await expect(as('fanout', SNSClient, herald.stack.snsEndpoint).send(publish)).rejects.toMatchObject({
      name: 'AuthorizationErrorException',
      $metadata: { httpStatusCode: 403 },
    })
  })

  it('Secrets Manager: only the authorizer may read the token key', async () => {
    const read = new GetSecretValueCommand({ SecretId: herald.stack.env.HERALD_JWT_SECRET_ARN })
    await expect(as('connect', SecretsManagerClient, secretsEndpoint()).send(read)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    await expect(
      as('authorizer', SecretsManagerClient, secretsEndpoint()).send(read),
    ).resolves.toHaveProperty('SecretString')
  })

  it('Lambda: only connect may invoke welcome', async () => {
    const invoke = new InvokeCommand({
      FunctionName: 'herald-welcome',
      InvocationType: 'Event',
      Payload: '{}',
    })
    await expect(as('fanout', LambdaClient, herald.stack.lambdaEndpoint).send(invoke)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    })
  })

  it('Secrets Manager: only the push function may read the VAPID private key', async () => {
    const read = new GetSecretValueCommand({ SecretId: herald.stack.env.HERALD_VAPID_SECRET_ARN })
    await expect(as('fanout', SecretsManagerClient, secretsEndpoint()).send(read)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    await expect(as('push', SecretsManagerClient, secretsEndpoint()).send(read)).resolves.toHaveProperty(
      'SecretString',
    )
  })

  it('Lambda: only the functions that publish may start the push function', async () => {
    const invoke = new InvokeCommand({ FunctionName: 'herald-push', InvocationType: 'Event', Payload: '{}' })
    await expect(as('message', LambdaClient, herald.stack.lambdaEndpoint).send(invoke)).rejects.toMatchObject(
      {
        name: 'AccessDeniedException',
      },
    )
    for (const entry of ['fanout', 'events', 'ingest-logs'])
      await expect(as(entry, LambdaClient, herald.stack.lambdaEndpoint).send(invoke)).resolves.toMatchObject({
        StatusCode: 202,
      })
  })

  it('Scheduler: only the functions that publish may schedule, in Herald’s group, handing over its role', async () => {
    const schedule = (group: string, roleArn = herald.stack.env.HERALD_ESCALATION_ROLE_ARN) =>
      new CreateScheduleCommand({
        Name: `iam-${group}-${Math.random().toString(36).slice(2)}`,
        GroupName: group,
        ScheduleExpression: 'at(2099-01-01T00:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: herald.stack.env.HERALD_ESCALATE_FUNCTION_ARN as string, RoleArn: roleArn as string },
      })
    const scheduler = (entry: string) => as(entry, SchedulerClient, schedulerEndpoint())
    const group = herald.stack.env.HERALD_ESCALATION_GROUP as string
    await expect(scheduler('message').send(schedule(group))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    await expect(scheduler('fanout').send(schedule('default'))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    await expect(
      scheduler('fanout').send(schedule(group, 'arn:aws:iam::000000000000:role/someone-else')),
    ).rejects.toThrow(/iam:PassRole/)
    for (const entry of ['fanout', 'events', 'ingest-logs'])
      await expect(scheduler(entry).send(schedule(group))).resolves.toHaveProperty('ScheduleArn')
  })

  it('SES: only the escalate function may send e-mail', async () => {
    const send = new SendEmailCommand({
      FromEmailAddress: herald.stack.env.HERALD_EMAIL_FROM,
      Destination: { ToAddresses: ['someone@example.com'] },
      Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hi' } } } },
    })
    const ses = (entry: string) => as(entry, SESv2Client, herald.stack.sesEndpoint as string)
    for (const entry of ['fanout', 'push', 'message'])
      await expect(ses(entry).send(send)).rejects.toMatchObject({ name: 'AccessDeniedException' })
    await expect(ses('escalate').send(send)).resolves.toHaveProperty('MessageId')
  })

  it('Management API: 403 for a verb the role does not grant, even on a live connection', async () => {
    const client = await herald.connect('iris')
    const get = new GetConnectionCommand({ ConnectionId: client.connectionId })
    await expect(
      as('fanout', ApiGatewayManagementApiClient, herald.stack.managementUrl).send(get),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } })
    client.close()
  })
})

describe('Removing one grant from the manifest the construct builds roles from', () => {
  const withoutDelete = withLocalStack({
    env: { HERALD_MAX_MESSAGES_PER_SECOND: '5' },
    functions: { message: { ...FUNCTIONS.message, connectionVerbs: ['POST'] } },
  })

  const flood = async (client: TestClient) => {
    for (let i = 0; i < 40; i++) client.send({ type: 'hello' }) // a frame for $default: ping is API Gateway's own
  }

  it('with DELETE granted, a flooding socket is closed', async () => {
    const client = await herald.connect('flooder')
    await flood(client)
    expect((await client.waitClosed()).code).toBe(1000)
  })

  it('without it, the same socket stays open and each close fails as it would on AWS', async () => {
    const client = await withoutDelete.connect('flooder')
    await flood(client)
    // message's DELETE is refused with 403, so the $default invocation fails: API Gateway's answer.
    const internalError = () =>
      client.frames.some((frame) => (frame as { message?: string }).message === 'Internal server error')
    await vi.waitFor(() => expect(internalError()).toBe(true), { timeout: 5_000, interval: 10 })
    expect(client.closed).toBeUndefined()
    client.close()
  })

  const withoutWrite = withLocalStack({
    functions: {
      connect: {
        ...FUNCTIONS.connect,
        grants: { ...FUNCTIONS.connect.grants, connections: ['dynamodb:Query'] },
      },
    },
  })

  const withoutAddress = withLocalStack({
    functions: {
      connect: {
        ...FUNCTIONS.connect,
        grants: {
          ...FUNCTIONS.connect.grants,
          connections: FUNCTIONS.connect.grants.connections.filter((action) => action !== 'dynamodb:PutItem'),
        },
      },
    },
  })

  it('without connect’s PutItem, a token with an address not yet remembered is refused with 500, storing nothing', async () => {
    await expect(withoutAddress.connect('nia', undefined, { email: 'nia@example.com' })).rejects.toThrow(
      'connection refused with 500',
    )
    expect(await withoutAddress.storedItems()).toEqual([])
    // A token without one writes no address, so it needs no PutItem.
    await expect(withoutAddress.connect('nia')).resolves.toBeDefined()
  })

  const withoutSecret = withLocalStack({ functions: { authorizer: { ...FUNCTIONS.authorizer, grants: {} } } })

  it('without the authorizer’s GetSecretValue, no token can be checked and every handshake is refused', async () => {
    await expect(withoutSecret.connect('nell')).rejects.toThrow('connection refused with 500')
    expect(await withoutSecret.storedItems()).toEqual([])
  })

  it('without connect’s BatchWriteItem, every handshake is refused with 500 and nothing is stored', async () => {
    await expect(withoutWrite.connect('nell')).rejects.toThrow('connection refused with 500')
    expect(await withoutWrite.storedItems()).toEqual([])
  })

  const withoutMarks = withLocalStack({
    functions: {
      message: { ...FUNCTIONS.message, grants: { ...FUNCTIONS.message.grants, history: ['dynamodb:Query'] } },
    },
  })
  const withoutCount = withLocalStack({ functions: { welcome: { ...FUNCTIONS.welcome, grants: {} } } })
  const withoutFind = withLocalStack({
    functions: {
      message: {
        ...FUNCTIONS.message,
        grants: {
          ...FUNCTIONS.message.grants,
          history: FUNCTIONS.message.grants.history.filter((action) => action !== 'dynamodb:BatchGetItem'),
          connections: FUNCTIONS.message.grants.connections.filter(
            (action) => action !== 'dynamodb:DeleteItem',
          ),
        },
      },
    },
  })

  it('without BatchGetItem on history a snooze fails, and without DeleteItem an unsubscribe does, as on AWS', async () => {
    const answers = async (fixture: typeof herald, user: string) => {
      const tab = await fixture.connect(user)
      const { id } = await fixture.publisher.sendAlertNotification(user, {
        severity: 'high',
        title: 't',
        message: '',
      })
      await tab.next('alert')
      tab.send({ type: 'snooze', ids: [id], until: new Date(Date.now() + 60_000).toISOString() })
      const endpoint = 'http://127.0.0.1:9/push/x'
      const keys = { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) }
      tab.send({ type: 'push_subscribe', subscription: { endpoint, keys } })
      await tab.next('push_subscribed')
      tab.send({ type: 'push_unsubscribe', endpoint })
      return tab
    }
    const granted = await answers(herald, 'pia')
    expect((await granted.next('read_state')).data).toMatchObject({ snoozed: expect.any(Object) })
    await granted.next('push_unsubscribed')

    const refused = await answers(withoutFind, 'pia')
    const internalErrors = () =>
      refused.frames.filter((frame) => (frame as { message?: string }).message === 'Internal server error')
    await vi.waitFor(() => expect(internalErrors()).toHaveLength(2), { timeout: 5_000, interval: 10 })
    expect(refused.received('read_state')).toEqual([])
    expect(refused.received('push_unsubscribed')).toEqual([])
  })

  it('with the inbox grants, mark_read answers read_state; without BatchWriteItem on history it fails as on AWS', async () => {
    const granted = await herald.connect('nora')
    const refused = await withoutMarks.connect('nora')
    const published = await withoutMarks.publisher.sendAlertNotification('nora', {
      severity: 'low',
      title: 't',
      message: '',
    })
    await withoutMarks.stack.idle()

    granted.send({ type: 'mark_read', all: true })
    refused.send({ type: 'mark_read', ids: [published.id] })

    expect((await granted.next('read_state')).data).toMatchObject({ unread: 0, all: true })
    await vi.waitFor(
      () =>
        expect(
          refused.frames.some((frame) => (frame as { message?: string }).message === 'Internal server error'),
        ).toBe(true),
      { timeout: 5_000, interval: 10 },
    )
    expect(refused.received('read_state')).toEqual([])
  })

  it('without welcome’s grants, the welcome still comes, without an unread count and without marking the connection open', async () => {
    const counted = await herald.connect('olga')
    const uncounted = await withoutCount.connect('olga')
    await Promise.all([herald.stack.idle(), withoutCount.stack.idle()])

    expect(counted.received('connection_established')[0]?.data).toMatchObject({ unread: 0 })
    expect(uncounted.received('connection_established')[0]?.data).not.toHaveProperty('unread')
    const openedAt = async (fixture: typeof herald, connectionId: string) =>
      (await fixture.storedItems()).find((item) => item.sk === 'meta' && item.connectionId === connectionId)
        ?.openedAt
    expect(await openedAt(herald, counted.connectionId)).toEqual(expect.any(String))
    expect(await openedAt(withoutCount, uncounted.connectionId)).toBeUndefined()
  })
})
