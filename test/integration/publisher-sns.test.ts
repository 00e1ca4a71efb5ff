import { SNSClient } from '@aws-sdk/client-sns'
import type { SNSEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_TOPIC_ARN } from '../../local/defaults.js'
import { LocalLambda } from '../../local/lambda-runtime.js'
import { LocalSns } from '../../local/sns.js'
import { createPublisher } from '../../shared/publisher/publisher.js'

// The publisher's message attributes as a real SNS client sends them and SNS hands them on,
// through the SNS twin, rather than as a mocked client was called.
const events: SNSEvent[] = []
const lambda = new LocalLambda()
const sns = new LocalSns({ lambda, topicArn: LOCAL_TOPIC_ARN, subscriber: 'recorder' })
let client: SNSClient

beforeAll(async () => {
  lambda.register('recorder', async (event: SNSEvent) => void events.push(event))
  client = new SNSClient({
    endpoint: await sns.listen(),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  })
})
afterAll(async () => {
  client.destroy()
  await lambda.idle()
  await sns.close()
})

describe('Publisher through the SNS twin', () => {
  it('mirrors type, user, level, source and environment as attributes the subscriber receives', async () => {
    const herald = createPublisher({ client, topicArn: LOCAL_TOPIC_ARN })

    await herald.sendAlertNotification(7, { severity: 'HIGH', title: 'Disk', message: '91%' })
    await herald.sendLogStream({ level: 'warn', message: 'slow', source: 'api', environment: 'prod' })
    await lambda.idle()

    const attributes = events.map((event) => event.Records[0]?.Sns.MessageAttributes)
    expect(attributes).toEqual([
      { type: { Type: 'String', Value: 'alert' }, userId: { Type: 'String', Value: '7' } },
      {
        type: { Type: 'String', Value: 'log_event' },
        level: { Type: 'String', Value: 'warning' },
        source: { Type: 'String', Value: 'api' },
        environment: { Type: 'String', Value: 'prod' },
      },
    ])
  })
})
