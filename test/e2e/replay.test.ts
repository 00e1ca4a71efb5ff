import { SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { replayDeadLetters } from '../../cli/replay.js'
import { LOCAL_CREDENTIALS } from '../../local/defaults.js'
import { toCompact } from '../../shared/fan-out/delivery-batch.js'
import { type AwsClients, awsClients } from '../../shared/runtime/aws-clients.js'
import { invokeAsync } from '../../shared/runtime/lambda.js'
import { withLocalStack } from '../support/local-stack.js'

const herald = withLocalStack({
  lambda: { retryDelaysMs: [20, 40] },
  env: { HERALD_ESCALATE_AFTER_SECONDS: '1' },
})
let sqs: SQSClient | undefined
// The CLI's Lambda client: it starts a failed escalation's check again.
let operator: AwsClients
afterAll(() => {
  sqs?.destroy()
  operator?.destroy()
})

const replay = () => {
  operator ??= awsClients({
    region: herald.stack.region,
    credentials: LOCAL_CREDENTIALS,
    endpoints: { lambda: herald.stack.lambdaEndpoint },
  })
  sqs ??= new SQSClient({
    endpoint: herald.stack.sqsEndpoint,
    region: herald.stack.region,
    credentials: LOCAL_CREDENTIALS,
  })
  return replayDeadLetters({
    sqs,
    publisher: herald.publisher,
    deadLetterQueueUrl: herald.stack.deadLetterQueueUrl,
    deliveryQueueUrl: herald.stack.deliveryQueueUrl,
    invoke: (functionArn, payload) => invokeAsync(operator, functionArn)(payload),
  })
}

describe('Dead letters and herald replay', () => {
  it('dead-letters a fan-out that failed every retry, and replays it into exactly one delivery', async () => {
    const client = await herald.connect('ann')
    herald.stack.dynamo.pause()
    await herald.publisher.sendAlertNotification('ann', {
      severity: 'high',
      title: 'lost, then found',
      message: '',
    })
    await herald.stack.idle()
    herald.stack.dynamo.resume()
    expect(herald.stack.sqs.deadLetters).toHaveLength(1)
    expect(client.received('alert')).toEqual([])

    const report = await replay()
    await herald.stack.idle()

    expect(report).toEqual({ notifications: 1, batches: 0, escalations: 0, unreadable: [] })
    await vi.waitFor(() =>
      expect(client.received('alert').map((f) => (f.data as { title: string }).title)).toEqual([
        'lost, then found',
      ]),
    )
    expect(herald.stack.sqs.deadLetters).toEqual([])
    client.close()
  })

  it('puts a dead-lettered delivery batch back on the workers’ queue', async () => {
    const client = await herald.connect('ben')
    const recipient = {
      connectionId: client.connectionId,
      userId: 'ben',
      key: { pk: 'user#ben', sk: `alerts#${client.connectionId}` },
    }
    const payload = JSON.stringify({
      id: '01M8B1JZM47NH3KW0K9TCJ7EX4',
      type: 'system',
      data: { title: 'batch', message: '', severity: 'low' },
      timestamp: new Date().toISOString(),
    })
    herald.stack.sqs.addDeadLetter(
      JSON.stringify({ payload, recipients: [toCompact(recipient)], attempt: 5 }),
    )

    const report = await replay()
    await herald.stack.idle()

    expect(report).toEqual({ notifications: 0, batches: 1, escalations: 0, unreadable: [] })
    await vi.waitFor(() => expect(client.received('system')).toHaveLength(1))
    client.close()
  })

  it('checks a failed escalation again: still unread, it is e-mailed', async () => {
    const userId = 'zed'
    await herald.connect(userId, undefined, { email: 'zed@example.com' })
    // SES down for every try Lambda makes (the first and its two retries), as an outage would be.
    let outage = 3
    const failed = new Promise<void>((resolve) =>
      herald.stack.lambda.wrap('herald-escalate', (handler) => async (event) => {
        if (outage-- > 0) {
          if (outage === 0) setImmediate(resolve)
          throw new Error('ServiceUnavailable: SES is down')
        }
        return handler(event)
      }),
    )
    await herald.publisher.sendAlertNotification(userId, {
      severity: 'critical',
      title: 'while SES was down',
      message: '',
    })
    await failed
    await herald.stack.idle()
    expect(herald.stack.ses.outbox()).toEqual([])

    const report = await replay()
    await herald.stack.idle()

    expect(report).toMatchObject({ escalations: 1, unreadable: [] })
    expect(herald.stack.ses.outbox().map((email) => [email.to, email.subject])).toEqual([
      [['zed@example.com'], '[Herald] Unread critical alert: while SES was down'],
    ])
    expect(herald.stack.sqs.deadLetters).toHaveLength(0)
  })

  it('leaves an unreadable dead letter on the queue and says why', async () => {
    herald.stack.sqs.addDeadLetter('{"not":"a notification"}')

    const report = await replay()

    expect(report.unreadable).toEqual([
      { messageId: expect.any(String), reason: expect.stringContaining('type is required') },
    ])
    expect(herald.stack.sqs.deadLetters).toHaveLength(1)
  })
})
