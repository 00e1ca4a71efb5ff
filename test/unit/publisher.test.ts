import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidNotificationError } from '../../shared/errors.js'
import { ID_PATTERN } from '../../shared/protocol/ids.js'
import { createPublisher } from '../../shared/publisher/publisher.js'

const sns = mockClient(SNSClient)
const topicArn = 'arn:aws:sns:us-east-1:000000000000:herald'
const herald = createPublisher({ client: new SNSClient({ region: 'us-east-1' }), topicArn })

beforeEach(() => sns.on(PublishCommand).resolves({ MessageId: 'm-1' }))
afterEach(() => sns.reset())

const sent = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input)
const bodies = () => sent().map((input) => JSON.parse(input.Message as string))

describe('Function: createPublisher', () => {
  it('publishes a targeted alert with the body of docs/architecture.md (Publishing) and mirrored attributes', async () => {
    const result = await herald.sendAlertNotification('alice', {
      severity: 'high',
      title: 'Disk',
      message: '91% full',
      source: 'db-1',
    })

    expect(result.messageId).toBe('m-1')
    expect(result.id).toMatch(ID_PATTERN)
    const [input] = sent()
    expect(input).toMatchObject({
      TopicArn: topicArn,
      MessageAttributes: {
        type: { DataType: 'String', StringValue: 'alert' },
        userId: { DataType: 'String', StringValue: 'alice' },
      },
    })
    expect(bodies()[0]).toEqual({
      type: 'alert',
      userId: 'alice',
      id: result.id,
      timestamp: expect.stringMatching(/Z$/),
      data: { severity: 'high', title: 'Disk', message: '91% full', source: 'db-1' },
    })
  })

  it('publishes an alert without a user as a broadcast', async () => {
    await herald.sendAlertNotification(null, { severity: 'low', title: 'Deploy', message: 'done' })
    expect(bodies()[0]).not.toHaveProperty('userId')
  })

  it('publishes logs with level, source and environment attributes for SNS filter policies', async () => {
    await herald.sendLogStream({ level: 'error', message: 'boom', source: 'api', environment: 'prod' })
    expect(sent()[0]?.MessageAttributes).toEqual({
      type: { DataType: 'String', StringValue: 'log_event' },
      level: { DataType: 'String', StringValue: 'error' },
      source: { DataType: 'String', StringValue: 'api' },
      environment: { DataType: 'String', StringValue: 'prod' },
    })
  })

  it('publishes system notices and upload status', async () => {
    await herald.sendSystemNotification({ title: 'Maintenance', message: 'at noon' })
    await herald.sendUploadStatus('bob', {
      upload_id: 'u1',
      status: 'completed',
      progress: 100,
      filename: 'a.csv',
    })
    expect(bodies().map((b) => [b.type, b.userId, b.data.severity])).toEqual([
      ['system', undefined, 'info'],
      ['upload_status', 'bob', undefined],
    ])
  })

  it('streams every ingested log and raises a broadcast alert for a critical one', async () => {
    await herald.notifyLogIngested({ level: 'info', message: 'fine' })
    const published = await herald.notifyLogIngested({
      level: 'critical',
      message: 'db down',
      source: 'db',
      environment: 'prod',
    })

    expect(bodies().map((b) => b.type)).toEqual(['log_event', 'log_event', 'alert'])
    expect(bodies()[2]).toMatchObject({
      data: { severity: 'critical', title: 'Critical log from db', message: 'db down' },
    })
    expect(bodies()[2]).not.toHaveProperty('userId')
    expect(published).toHaveLength(2)
  })

  it.each([
    [
      'an unknown severity',
      () => herald.sendAlertNotification('a', { severity: 'urgent' as 'low', title: 't', message: 'm' }),
    ],
    [
      'progress over 100',
      () =>
        herald.sendUploadStatus('a', { upload_id: 'u', status: 'processing', progress: 150, filename: 'f' }),
    ],
    ['an empty title', () => herald.sendSystemNotification({ title: '', message: 'm' })],
    [
      'a message over 128 KB',
      () =>
        herald.sendAlertNotification(null, {
          severity: 'low',
          title: 't',
          message: 'x'.repeat(16_000),
          metadata: { blob: 'x'.repeat(140_000) },
        }),
    ],
  ])('refuses %s and sends nothing', async (_, call) => {
    await expect(call()).rejects.toBeInstanceOf(InvalidNotificationError)
    expect(sent()).toEqual([])
  })
})
