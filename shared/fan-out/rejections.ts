import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import type { InvalidNotificationError, RejectionReason } from '../errors.js'
import { byteLength } from '../protocol/limits.js'

/** A publish Herald refused: kept with its reason, so a publisher can learn why nothing arrived. */
export interface RejectedNotification {
  /** SNS's id for the message. */
  messageId: string
  /** When the fan-out refused it (ISO-8601 UTC). */
  at: string
  reason: RejectionReason
  /** What was wrong, for people: `data.title is required`. */
  message: string
  /** The body as the publisher sent it, cut to fit one queue message when it is very large. */
  body: string
  truncated: boolean
}

/** Where refused publishes are kept (an SQS queue with 14 days' retention). */
export interface RejectionLog {
  keep(rejected: RejectedNotification): Promise<void>
}

// SQS takes 256 KB a message; what surrounds the body stays well under the margin.
const MAX_KEPT_BODY_BYTES = 240 * 1024

/** The record kept for a body the fan-out refused. */
export function rejectionOf(
  error: InvalidNotificationError,
  messageId: string,
  body: string,
  at: Date = new Date(),
): RejectedNotification {
  const truncated = byteLength(body) > MAX_KEPT_BODY_BYTES
  return {
    messageId,
    at: at.toISOString(),
    reason: error.reason,
    message: error.message,
    body: truncated ? Buffer.from(body).subarray(0, MAX_KEPT_BODY_BYTES).toString('utf8') : body,
    truncated,
  }
}

/**
 * One line for a person: `rejected notification 6dc4a1b2…: data.title is required`.
 *
 * @example describeRejection(rejected) // 'rejected notification 6dc4a1b2…: data.title is required'
 */
export function describeRejection(rejected: Pick<RejectedNotification, 'messageId' | 'message'>): string {
  return `rejected notification ${rejected.messageId.slice(0, 8)}…: ${rejected.message}`
}

export function sqsRejectionLog(client: SQSClient, queueUrl: string): RejectionLog {
  return {
    async keep(rejected) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(rejected) }))
    },
  }
}
