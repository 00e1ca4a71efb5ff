import { DEFAULTS } from '../defaults.js'
import { ProtocolError } from '../errors.js'
import type { Inbox, Reader } from '../inbox/inbox.js'
import { inboxView } from '../inbox/inbox-view.js'
import { withDefaults } from '../options.js'
import { type ClientMessage, type Envelope, makeFrame, parseClientMessage } from '../protocol/frames.js'
import { type InboxPreferences, inboxPreferencesOf } from '../protocol/preference-rules.js'
import type { Preferences } from '../protocol/preferences.js'
import { STREAM_TOPICS, type Topic } from '../protocol/topics.js'
import { checkEndpoint, type PushPolicy } from '../push/push-endpoint.js'
import type { PushStore } from '../push/push-store.js'
import type { Connection, ConnectionStore } from '../store/connection-store.js'
import type { HistoryStore } from '../store/history-store.js'
import type { InboxOwner } from '../store/inbox-store.js'
import type { UserStore } from '../store/user-store.js'
import type { MessageRateLimit } from './rate-limit.js'
import type { RateVerdict } from './rate-meter.js'

export interface SessionLimits {
  /** Largest client message accepted; API Gateway's frame size by default. @default 32768 */
  maxMessageBytes: number
  /** Notifications one `resume` returns at most; the client resumes again while `more` is true. @default DEFAULTS.resumeLimit */
  resumeLimit: number
}

const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxMessageBytes: DEFAULTS.maxClientMessageBytes,
  resumeLimit: DEFAULTS.resumeLimit,
}

export interface SessionDeps {
  connections: ConnectionStore
  history: HistoryStore
  inbox: Inbox
  preferences: Pick<UserStore, 'save'>
  /** Web Push, where it is on: the subscriptions and where they may point. */
  push?: { subscriptions: PushStore; policy: PushPolicy } | undefined
  /** Messages per connection per second; none means unlimited. */
  rateLimit?: MessageRateLimit
  limits?: { [K in keyof SessionLimits]?: SessionLimits[K] | undefined }
}

/** Who is on the other end, as established by the authorizer; never taken from the client's frames. */
export interface SessionContext {
  connectionId: string
  userId: string
  canReadLogs: boolean
  /** Set only in a multi-tenant deployment. */
  tenant?: string
  groups?: string[]
  /** The token's address, when it carries a usable one: escalations are e-mailed there. */
  email?: string
}

/**
 * Answers one client frame with the frames to send back, in order. Bad input is answered with an
 * `error` frame and changes nothing; the connection stays open.
 */
export async function answerClientFrame(
  deps: SessionDeps,
  context: SessionContext,
  frame: string,
): Promise<Answer> {
  const limits = withDefaults(DEFAULT_SESSION_LIMITS, deps.limits)
  const rate: RateVerdict = deps.rateLimit
    ? await deps.rateLimit.check(context.connectionId)
    : { verdict: 'ok' }
  if (rate.verdict !== 'ok') {
    const { retryAfterMs } = rate
    const message =
      rate.verdict === 'abusive'
        ? 'too many messages for too long; closing the connection'
        : `too many messages; retry in ${retryAfterMs} ms`
    return {
      frames: [makeFrame('error', { code: 'rate_limited', message, retryAfterMs })],
      close: rate.verdict === 'abusive',
    }
  }
  try {
    const message = parseClientMessage(frame, limits.maxMessageBytes)
    if (message.type === 'mark_read' || message.type === 'dismiss' || message.type === 'snooze') {
      const connection = await registered(deps, context)
      const state = await deps.inbox.apply(readerOf(context, connection.preferences), message)
      return { frames: [], toUser: [makeFrame('read_state', state)] }
    }
    if (message.type === 'set_preferences')
      return { frames: [], toUser: await setPreferences(deps, context, message.preferences) }
    return { frames: await answer(deps, limits, context, message) }
  } catch (error) {
    if (error instanceof ProtocolError)
      return { frames: [makeFrame('error', { code: error.code, message: error.message })] }
    throw error
  }
}

/**
 * The frames to send back, in order; a frame for every live connection of the user (every tab
 * and device, this one too); and whether the server should then close the connection.
 */
export interface Answer {
  frames: Envelope[]
  toUser?: Envelope[]
  close?: boolean
}

const ownerOf = (context: SessionContext): InboxOwner => ({ userId: context.userId, tenant: context.tenant })

const readerOf = (context: SessionContext, preferences: InboxPreferences | undefined): Reader => ({
  ...ownerOf(context),
  groups: context.groups,
  preferences,
})

async function registered(deps: SessionDeps, context: SessionContext): Promise<Connection> {
  const connection = await deps.connections.get(context.connectionId)
  if (!connection) throw notRegistered()
  return connection
}

/**
 * Keeps the user's new preferences, then rewrites each of their live connections with them (its
 * index items carry them for the fan-out); every tab gets them, and the count they change.
 */
async function setPreferences(
  deps: SessionDeps,
  context: SessionContext,
  preferences: Preferences,
): Promise<Envelope[]> {
  await deps.preferences.save(ownerOf(context), preferences)
  const inboxPreferences = inboxPreferencesOf(preferences)
  const { recipients } = await deps.connections.recipientsOfUserOn(
    context.userId,
    STREAM_TOPICS.notifications,
    {
      tenant: context.tenant,
    },
  )
  await Promise.all(
    recipients.map((recipient) =>
      deps.connections.update(recipient.connectionId, (current) => ({
        topics: current.topics,
        filters: current.filters,
        preferences: inboxPreferences,
      })),
    ),
  )
  return [
    makeFrame('preferences', preferences),
    makeFrame('read_state', await deps.inbox.readState(readerOf(context, inboxPreferences))),
  ]
}

async function answer(
  deps: SessionDeps,
  limits: SessionLimits,
  context: SessionContext,
  message: Exclude<ClientMessage, { type: 'mark_read' | 'dismiss' | 'snooze' | 'set_preferences' }>,
): Promise<Envelope[]> {
  switch (message.type) {
    case 'ping':
      return [makeFrame('pong', {})]
    // API Gateway's own route takes it; one that reaches a function (a stack without that route) needs no answer.
    case 'keepalive':
      return []
    case 'subscribe': {
      if (message.topics.includes('logs') && !context.canReadLogs) {
        throw new ProtocolError('forbidden', 'this token may not read the log stream')
      }
      const updated = await change(deps, context, (current) => ({
        topics: [...current.topics, ...message.topics],
        filters: current.filters,
      }))
      return [makeFrame('subscribed', { topics: updated.topics })]
    }
    case 'unsubscribe': {
      const dropped = new Set<Topic>(message.topics)
      const updated = await change(deps, context, (current) => ({
        topics: current.topics.filter((topic) => !dropped.has(topic)),
        filters: current.filters,
      }))
      return [makeFrame('unsubscribed', { topics: updated.topics })]
    }
    case 'set_filters': {
      const updated = await change(deps, context, (current) => ({
        topics: current.topics,
        filters: message.filters,
      }))
      return [makeFrame('filters_updated', { filters: updated.filters })]
    }
    case 'push_subscribe': {
      if (!deps.push) throw new ProtocolError('invalid_subscription', 'Web Push is not on in this deployment')
      // Checked before anything is kept: a subscription makes Herald post to a URL the client chose.
      await checkEndpoint(message.subscription.endpoint, deps.push.policy)
      await deps.push.subscriptions.save(ownerOf(context), message.subscription)
      return [makeFrame('push_subscribed', {})]
    }
    case 'push_unsubscribe':
      await deps.push?.subscriptions.remove(ownerOf(context), message.endpoint)
      return [makeFrame('push_unsubscribed', {})]
    case 'resume': {
      const connection = await registered(deps, context)
      const reader = readerOf(context, connection.preferences)
      const [missed, lens] = await Promise.all([
        deps.history.missed({
          ...reader,
          topics: connection.topics,
          since: message.since,
          limit: limits.resumeLimit,
        }),
        deps.inbox.lens(reader),
      ])
      // The recent list (no `since`) also holds the entries back from a snooze.
      const shown = inboxView(missed.envelopes, lens, { recent: message.since === undefined })
      // Where the page ended, even if its last notifications are not shown: paging from the last
      // shown one would read a page of dismissed notifications forever.
      const cursor = missed.envelopes.at(-1)?.id
      const unread = await deps.inbox.unread(reader, lens)
      return [
        ...shown.map((envelope) => ({ ...envelope, replayed: true })),
        makeFrame('resumed', {
          count: shown.length,
          more: missed.more,
          ...(cursor === undefined ? {} : { cursor }),
          ...unread,
        }),
      ]
    }
  }
}

async function change(
  deps: SessionDeps,
  context: SessionContext,
  mutate: Parameters<ConnectionStore['update']>[1],
): Promise<Connection> {
  const updated = await deps.connections.update(context.connectionId, mutate)
  if (!updated) throw notRegistered()
  return updated
}

function notRegistered(): ProtocolError {
  return new ProtocolError('forbidden', 'this connection is no longer registered; reconnect')
}
