import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import * as v from 'valibot'
import { REJECTION_REASONS } from '../shared/errors.js'
import type { RejectedNotification } from '../shared/fan-out/rejections.js'

const RejectedSchema = v.object({
  messageId: v.string(),
  at: v.string(),
  reason: v.picklist(REJECTION_REASONS),
  message: v.string(),
  body: v.string(),
  truncated: v.boolean(),
})

// Listing must not consume: SQS has no peek, so each message is hidden only this long, then
// visible again to the next `herald rejected`. Until the 14 days' retention drops it.
const LISTING_VISIBILITY_SECONDS = 5

/** What the rejected queue holds, oldest first, at most `max`; it deletes nothing. */
export async function listRejected(
  sqs: SQSClient,
  queueUrl: string,
  max = 100,
): Promise<RejectedNotification[]> {
  const found = new Map<string, RejectedNotification>()
  while (found.size < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - found.size),
        VisibilityTimeout: LISTING_VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
      }),
    )
    if (Messages.length === 0) break
    for (const message of Messages) {
      const parsed = v.safeParse(RejectedSchema, safeJson(message.Body))
      if (parsed.success) found.set(parsed.output.messageId, parsed.output)
    }
  }
  return [...found.values()].sort((a, b) => a.at.localeCompare(b.at))
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '')
  } catch {
    return undefined
  }
}

/** One line each: when, why, what was wrong, and the start of the body as sent. */
export function formatRejected(rejected: RejectedNotification, excerptChars = 120): string {
  const body = rejected.body.replace(/\s+/g, ' ')
  const excerpt = body.length > excerptChars ? `${body.slice(0, excerptChars)}…` : body
  return `${rejected.at}  ${rejected.reason.padEnd(13)}  ${rejected.message}\n    ${excerpt}`
}
