import { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, describe, expect, it } from 'vitest'
import { formatRejected, listRejected } from '../../cli/rejected.js'
import { LOCAL_CREDENTIALS } from '../../local/defaults.js'
import { describeRejection, type RejectedNotification } from '../../shared/fan-out/rejections.js'
import { withLocalStack } from '../support/local-stack.js'

// A publish Herald refuses is never silent: kept with its reason, listed, and told as it happens.
const told: RejectedNotification[] = []
const herald = withLocalStack({ onRejected: (rejected) => told.push(rejected) })
let sqs: SQSClient | undefined
afterAll(() => sqs?.destroy())

const publishRaw = (message: string) =>
  herald.rawPublish({ Action: 'Publish', TopicArn: herald.stack.topicArn, Message: message })

describe('Rejected notifications', () => {
  const bodies = [
    ['not_json', '{"type":"alert",', 'message body is not valid JSON'],
    [
      'unknown_type',
      '{"type":"sms","data":{}}',
      'type "sms": must be one of alert, log_event, system, upload_status',
    ],
    ['invalid_field', '{"type":"system","data":{"message":"no title"}}', 'data.title is required'],
    [
      'too_large',
      JSON.stringify({
        type: 'log_event',
        data: { level: 'info', message: 'x'.repeat(60_000), pad: 'y'.repeat(90_000) },
      }),
      /^notification is \d+ bytes; API Gateway's limit is 131072$/,
    ],
  ] as const

  it('keeps each refused body with its reason, lists it, and tells the local stack’s user in one line', async () => {
    const client = await herald.connect('watcher')
    for (const [, body] of bodies) expect((await publishRaw(body)).status).toBe(200)
    await herald.stack.idle()

    sqs ??= new SQSClient({
      endpoint: herald.stack.sqsEndpoint,
      region: herald.stack.region,
      credentials: LOCAL_CREDENTIALS,
    })
    const kept = await listRejected(sqs, herald.stack.rejectedQueueUrl)

    expect(kept.map((each) => each.reason).sort()).toEqual(bodies.map(([reason]) => reason).sort())
    for (const [reason, body, message] of bodies) {
      const each = kept.find((rejected) => rejected.reason === reason)
      expect(each?.message).toMatch(message)
      expect(each?.body).toBe(body)
      expect(each?.truncated).toBe(false)
      expect(formatRejected(each as RejectedNotification)).toContain(reason)
    }
    expect(told.map((each) => describeRejection(each))).toContain(
      `rejected notification ${kept.find((each) => each.reason === 'invalid_field')?.messageId.slice(0, 8)}…: data.title is required`,
    )
    expect(client.received('system')).toEqual([])
  })

  it('lists without consuming: every refused body stays on the queue for its 14 days', async () => {
    sqs ??= new SQSClient({
      endpoint: herald.stack.sqsEndpoint,
      region: herald.stack.region,
      credentials: LOCAL_CREDENTIALS,
    })
    const queue = herald.stack.sqs.passive.get(herald.stack.rejectedQueueUrl.split('/').at(-1) as string)
    expect(queue?.messages).toHaveLength(bodies.length)
  })
})
