import { createHash, randomUUID } from 'node:crypto'
import { HeraldError } from '../shared/errors.js'

export interface QueuedMessage {
  messageId: string
  body: string
  md5: string
  sentAt: number
  visibleAt: number
  receiveCount: number
  receiptHandle?: string
}

export const SQS_MAX_MESSAGE_BYTES = 256 * 1024
/** SQS's longest retention, which Herald's dead-letter and rejected queues both keep. */
export const SQS_MAX_RETENTION_SECONDS = 14 * 24 * 3600
const md5 = (text: string) => createHash('md5').update(text).digest('hex')

/** An SQS error in the JSON protocol: `__type` is what the SDK names the exception after. */
export class SqsError extends HeraldError {}

/** A message as SQS stores it: its id, the MD5 the SDK checks, and when it may be received. */
export function queuedMessage(body: string, delayMs = 0, now = Date.now()): QueuedMessage {
  if (!body) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.')
  if (Buffer.byteLength(body) > SQS_MAX_MESSAGE_BYTES)
    throw new SqsError('InvalidParameterValue', 'Message must be shorter than 262144 bytes.')
  return {
    messageId: randomUUID(),
    body,
    md5: md5(body),
    sentAt: now,
    visibleAt: now + delayMs,
    receiveCount: 0,
  }
}

export interface PassiveQueueOptions {
  /** How long SQS keeps a message (MessageRetentionPeriod). @default 4 days, SQS's default */
  retentionSeconds?: number
  /** Called for each message sent to it, as a person watching the queue would see it. */
  onMessage?: (body: string) => void
}

/**
 * A queue nobody consumes automatically (a dead-letter queue, the rejected notifications): send,
 * receive with a visibility timeout and delete, as the SDK and the CLI do against SQS.
 */
export class PassiveQueue {
  readonly messages: QueuedMessage[] = []
  readonly #retentionMs: number
  readonly #onMessage: ((body: string) => void) | undefined

  constructor(options: PassiveQueueOptions = {}) {
    this.#retentionMs = (options.retentionSeconds ?? 4 * 24 * 3600) * 1000
    this.#onMessage = options.onMessage
  }

  add(body: string): QueuedMessage {
    const message = queuedMessage(body)
    this.messages.push(message)
    this.#onMessage?.(body)
    return message
  }

  action(action: string, input: Record<string, unknown>): unknown {
    const now = Date.now()
    this.#expire(now)
    if (action === 'SendMessage') {
      const message = this.add(String(input.MessageBody ?? ''))
      return { MessageId: message.messageId, MD5OfMessageBody: message.md5 }
    }
    if (action === 'ReceiveMessage') {
      const max = Math.min(10, Number(input.MaxNumberOfMessages ?? 1))
      const visibility = Number(input.VisibilityTimeout ?? 30) * 1000
      const messages = this.messages.filter((message) => message.visibleAt <= now).slice(0, max)
      for (const message of messages) {
        message.visibleAt = now + visibility
        message.receiveCount++
        message.receiptHandle = randomUUID()
      }
      return {
        Messages: messages.map((m) => ({
          MessageId: m.messageId,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: { SentTimestamp: String(m.sentAt), ApproximateReceiveCount: String(m.receiveCount) },
        })),
      }
    }
    if (action === 'DeleteMessage') {
      const index = this.messages.findIndex((message) => message.receiptHandle === input.ReceiptHandle)
      if (index >= 0) this.messages.splice(index, 1)
      return {}
    }
    throw new SqsError(
      'UnsupportedOperation',
      `${action || 'this operation'} is not supported by this local queue`,
    )
  }

  #expire(now: number): void {
    const kept = this.messages.filter((message) => now - message.sentAt < this.#retentionMs)
    this.messages.splice(0, this.messages.length, ...kept)
  }
}
