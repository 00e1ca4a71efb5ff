import { isRead } from '../inbox/inbox-view.js'
import type { NotificationEnvelope } from '../protocol/frames.js'
import { offlineRefusal } from '../protocol/preference-rules.js'
import { STREAM_TOPICS } from '../protocol/topics.js'
import { type Header, type HistoryStore, headerOfEnvelope } from '../store/history-store.js'
import type { InboxOwner, InboxState, InboxStore } from '../store/inbox-store.js'
import type { UserStore } from '../store/user-store.js'

/** What a schedule hands the escalate function when the wait is over: whose alert, and which. */
export interface EscalationRequest {
  owner: InboxOwner
  id: string
}

/** One e-mail, as the sender is given it. */
export interface OutgoingEmail {
  to: string
  subject: string
  text: string
}

export interface EscalationDeps {
  history: Pick<HistoryStore, 'find' | 'headers'>
  marks: Pick<InboxStore, 'state' | 'claimEscalation' | 'releaseEscalation'>
  users: Pick<UserStore, 'get' | 'email'>
  send: (email: OutgoingEmail) => Promise<void>
  /** A link the e-mail offers, to the dashboard. */
  link?: string | undefined
}

/**
 * What became of one escalation: sent, or why not. `read`, `dismissed` and `snoozed` mean the user
 * saw it in time; `gone` that history no longer has it (expired); `muted` and `below_threshold`
 * that their preferences keep it from e-mail; `already_sent` a retry.
 */
export type EscalationOutcome =
  | 'sent'
  | 'read'
  | 'dismissed'
  | 'snoozed'
  | 'gone'
  | 'muted'
  | 'below_threshold'
  | 'no_address'
  | 'already_sent'

/** What the user did that makes an e-mail needless: the outcomes counted as skipped because read. */
export const SEEN: ReadonlySet<EscalationOutcome> = new Set(['read', 'dismissed', 'snoozed'])

/** Newer notifications read to find a thread's later ones: a thread marked by its newest is marked whole. */
const THREAD_LOOKAHEAD = 100

/**
 * E-mails a critical alert that is still unread (docs/architecture.md, Offline delivery): not read
 * or dismissed, itself or through a newer notification of its thread, nor snoozed; not expired;
 * not muted since. At most one e-mail per alert, however often it is invoked.
 */
export async function escalate(deps: EscalationDeps, request: EscalationRequest): Promise<EscalationOutcome> {
  const { owner, id } = request
  const query = { ...owner, topics: STREAM_TOPICS.notifications }
  const [[envelope], state, preferences, address] = await Promise.all([
    deps.history.find(query, [id]),
    deps.marks.state(owner),
    deps.users.get(owner),
    deps.users.email(owner),
  ])
  if (!envelope) return 'gone'
  const header = headerOfEnvelope(envelope)
  const seen = seenAs(state, id) ?? (await seenInThread(deps, query, header, state))
  if (seen) return seen
  const refusal = offlineRefusal(preferences, header, 'email')
  if (refusal) return refusal
  if (!address) return 'no_address'
  if (!(await deps.marks.claimEscalation(owner, id))) return 'already_sent'
  try {
    await deps.send({ to: address, ...emailOf(envelope, deps.link) })
  } catch (error) {
    await deps.marks.releaseEscalation(owner, id)
    throw error
  }
  return 'sent'
}

function seenAs(state: InboxState, id: string): EscalationOutcome | undefined {
  if (state.snoozed.has(id)) return 'snoozed'
  if (state.dismissed.has(id)) return 'dismissed'
  return isRead(state, id) ? 'read' : undefined
}

/** Marking a thread's newest notification marks the thread: a newer one of this thread, seen, covers it. */
async function seenInThread(
  deps: EscalationDeps,
  query: InboxOwner & { topics: typeof STREAM_TOPICS.notifications },
  alert: Header,
  state: InboxState,
): Promise<EscalationOutcome | undefined> {
  if (alert.thread === undefined) return undefined
  const { headers } = await deps.history.headers(query, alert.id, THREAD_LOOKAHEAD)
  for (const header of headers) {
    if (header.thread !== alert.thread) continue
    const seen = seenAs(state, header.id)
    if (seen) return seen
  }
  return undefined
}

/** The e-mail: the alert as the user would have seen it, and why it came. */
export function emailOf(envelope: NotificationEnvelope, link: string | undefined): Omit<OutgoingEmail, 'to'> {
  const data = envelope.data as { title?: string; message?: string; source?: string; severity?: string }
  const lines = [
    data.title ?? '',
    '',
    ...(data.message ? [data.message, ''] : []),
    `Severity: ${data.severity ?? 'critical'}`,
    ...(data.source ? [`Source: ${data.source}`] : []),
    `Published: ${envelope.timestamp}`,
    ...(link ? ['', `Open Herald: ${link}`] : []),
    '',
    'This alert is still unread. Herald e-mails a critical alert once, when it stays unread; reading or dismissing it in time sends none.',
  ]
  // Header injection is not possible through SES's Simple content, but a subject stays one line.
  const title = (data.title ?? 'Alert').replace(/[\r\n]+/g, ' ')
  return { subject: `[Herald] Unread critical alert: ${title}`, text: lines.join('\n') }
}
