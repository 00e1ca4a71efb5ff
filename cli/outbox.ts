import * as v from 'valibot'
import { HeraldError } from '../shared/errors.js'

/** One e-mail as `herald outbox --json` prints it. */
export interface OutboxEntry {
  to: string
  subject: string
  text: string
  sentAt: string
}

const SentSchema = v.array(
  v.object({ to: v.array(v.string()), subject: v.string(), text: v.string(), sentAt: v.string() }),
)

/** What the local SES twin sent, oldest first (its own `GET /outbox`: SES keeps no such list). */
export async function readOutbox(sesEndpoint: string): Promise<OutboxEntry[]> {
  const response = await fetch(`${sesEndpoint}/outbox`)
  if (!response.ok) throw new HeraldError('outbox_unreadable', `the local SES answered ${response.status}`)
  return v.parse(SentSchema, await response.json()).map((sent) => ({
    to: sent.to.join(', '),
    subject: sent.subject,
    text: sent.text,
    sentAt: sent.sentAt,
  }))
}

/** One block each: when, to whom, the subject, then the text indented. */
export function formatOutbox(entries: readonly OutboxEntry[]): string {
  if (entries.length === 0) return 'no e-mail sent'
  return entries
    .map((entry) => `${entry.sentAt}  ${entry.to}  ${entry.subject}\n${entry.text.replace(/^/gm, '    ')}`)
    .join('\n\n')
}
