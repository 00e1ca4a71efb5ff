import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { sqsDeliveryQueue } from '../shared/fan-out/sqs-delivery-queue.js'
import type { Publisher } from '../shared/publisher/publisher.js'
import { readDeadLetter } from './dead-letters.js'

export interface ReplayOptions {
  sqs: SQSClient
  publisher: Publisher
  deadLetterQueueUrl: string
  deliveryQueueUrl: string
  /** Starts a function asynchronously: an escalation's check, run again. */
  invoke: (functionArn: string, payload: unknown) => Promise<void>
  /** Stop after this many messages. @default all */
  max?: number
}

export interface ReplayReport {
  notifications: number
  batches: number
  escalations: number
  /** Messages left on the queue because they could not be read; each with why. */
  unreadable: { messageId: string; reason: string }[]
}

/**
 * Drains the dead-letter queue: publishes each notification again (with its first id, so
 * clients that saw it drop the repeat), puts each delivery batch back on the workers' queue, and
 * starts each failed escalation's check again.
 * A message is deleted only once it has been replayed.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayReport> {
  const report: ReplayReport = { notifications: 0, batches: 0, escalations: 0, unreadable: [] }
  const queue = sqsDeliveryQueue(options.sqs, options.deliveryQueueUrl)
  const max = options.max ?? Number.POSITIVE_INFINITY
  let seen = 0
  while (seen < max) {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    )
    if (Messages.length === 0) break
    for (const message of Messages) {
      seen++
      try {
        for (const letter of readDeadLetter(message.Body ?? '')) {
          if (letter.kind === 'notification') {
            await options.publisher.publish(letter.body)
            report.notifications++
          } else if (letter.kind === 'batch') {
            await queue.send([letter.batch])
            report.batches++
          } else {
            // Checked again: still unread, it is e-mailed; read since, it is not.
            await options.invoke(letter.functionArn, letter.request)
            report.escalations++
          }
        }
        await options.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: options.deadLetterQueueUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        )
      } catch (error) {
        report.unreadable.push({ messageId: message.MessageId ?? '', reason: (error as Error).message })
      }
    }
  }
  return report
}
