import { createHash } from 'node:crypto'
import { idFrom } from '../protocol/ids.js'

/**
 * The id of a notification published without one, derived from its transport's own message id
 * and time: SNS redelivering the same message yields the same id, so browsers drop the repeat.
 */
export function stableId(messageId: string, timestamp: string): string {
  const ms = Date.parse(timestamp)
  const random = createHash('sha256').update(messageId).digest()
  return idFrom(Number.isNaN(ms) ? Date.now() : ms, random)
}
