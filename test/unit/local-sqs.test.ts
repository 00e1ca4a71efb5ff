import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import type { SQSEvent } from 'aws-lambda'
import { afterEach, describe, expect, it } from 'vitest'
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/defaults.js'
import { LocalLambda } from '../../local/lambda-runtime.js'
import { LocalSqs } from '../../local/sqs.js'
import { sqsDeliveryQueue } from '../../shared/fan-out/sqs-delivery-queue.js'

let sqs: LocalSqs | undefined
afterEach(() => sqs?.close())

async function start(
  consume: (event: SQSEvent) => Promise<unknown>,
  options: { maxReceiveCount?: number } = {},
) {
  const lambda = new LocalLambda()
  lambda.register('consumer', consume)
  sqs = new LocalSqs({ lambda, queueName: 'q', consumer: 'consumer', visibilityTimeoutMs: 10, ...options })
  const endpoint = await sqs.listen()
  return { sqs, client: new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }) }
}

describe('Class: LocalSqs', () => {
  it('accepts the SDK’s SendMessage and SendMessageBatch (MD5 checked) and hands batches to the consumer', async () => {
    const bodies: string[] = []
    const { sqs, client } = await start(
      async (event) => void bodies.push(...event.Records.map((r) => r.body)),
    )

    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: 'one' }))
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'two' },
          { Id: 'b', MessageBody: 'three' },
        ],
      }),
    )
    await sqs.idle()

    expect(bodies.sort()).toEqual(['one', 'three', 'two'])
  })

  it('retries the records a consumer reports failed, then dead-letters them after maxReceiveCount', async () => {
    const attempts = new Map<string, number>()
    const { sqs, client } = await start(
      async (event) => ({
        batchItemFailures: event.Records.filter((r) => {
          attempts.set(r.body, (attempts.get(r.body) ?? 0) + 1)
          return r.body === 'poison'
        }).map((r) => ({ itemIdentifier: r.messageId })),
      }),
      { maxReceiveCount: 3 },
    )

    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'fine' },
          { Id: 'b', MessageBody: 'poison' },
        ],
      }),
    )
    await sqs.idle()

    expect(Object.fromEntries(attempts)).toEqual({ fine: 1, poison: 3 })
    expect(sqs.deadLetters.map((m) => m.body)).toEqual(['poison'])
  })

  it('holds delayed messages back', async () => {
    const received: number[] = []
    const { sqs, client } = await start(async () => void received.push(Date.now()))
    const sent = Date.now()

    await client.send(
      new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: 'later', DelaySeconds: 1 }),
    )
    await sqs.idle()

    expect((received[0] as number) - sent).toBeGreaterThanOrEqual(950)
  })

  it('refuses an unknown queue and an oversized batch as SQS does', async () => {
    const { sqs, client } = await start(async () => {})
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: `${sqs.queueUrl}-nope`, MessageBody: 'x' })),
    ).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    })
    const big = 'x'.repeat(100_000)
    await expect(
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: sqs.queueUrl,
          Entries: ['a', 'b', 'c'].map((Id) => ({ Id, MessageBody: big })),
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchRequestTooLong' })
  })
})

describe('Function: sqsDeliveryQueue', () => {
  it('packs batches into requests of at most 10 messages and 256 KB', async () => {
    const bodies: string[] = []
    const { sqs, client } = await start(
      async (event) => void bodies.push(...event.Records.map((r) => r.body)),
    )
    const payload = 'x'.repeat(60_000)
    const batches = Array.from({ length: 23 }, (_, i) => ({
      payload,
      recipients: [[`c${i}`, 'u', 'pk', `c${i}`]] as [string, string, string, string][],
      attempt: 0,
    }))

    await sqsDeliveryQueue(client, sqs.queueUrl).send(batches)
    await sqs.idle()

    expect(bodies).toHaveLength(23)
  })
})
