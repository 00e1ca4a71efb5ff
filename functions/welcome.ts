import type { ConnectionPoster } from '../shared/fan-out/connection-poster.js'
import type { Inbox } from '../shared/inbox/inbox.js'
import { inboxPreferencesOf } from '../shared/protocol/preference-rules.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { type Env, managementEndpoint } from '../shared/runtime/config.js'
import { inboxOf, stores } from '../shared/runtime/dynamodb.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger } from '../shared/runtime/observability.js'
import { posterOf } from '../shared/runtime/poster.js'
import {
  sendWelcome,
  type WelcomeInbox,
  type WelcomeOptions,
  type WelcomeRequest,
} from '../shared/session/welcome.js'
import type { ConnectionStore } from '../shared/store/connection-store.js'

export interface WelcomeDeps {
  poster: ConnectionPoster
  /**
   * Marks a welcomed connection open: from then on a fan-out's 410 means it is gone. Whether it is
   * still stored ends the wait for a socket that left before it opened.
   */
  connections: Pick<ConnectionStore, 'markOpen' | 'isStored'>
  /** Counts the user's unread notifications for the notifications endpoint's welcome. */
  inbox?: Inbox
  /** Where Web Push is on: the VAPID public key the notifications endpoint's welcome carries. */
  pushPublicKey?: string | undefined
  options?: WelcomeOptions
}

/**
 * The user's unread count and what is snoozed, or none when they cannot be read: the welcome
 * matters more than its count.
 */
async function inboxOfUser(inbox: Inbox, request: WelcomeRequest): Promise<WelcomeInbox | undefined> {
  try {
    // The count and what is snoozed; the marks come with each change, not with the welcome.
    const {
      read: _read,
      dismissed: _dismissed,
      all: _all,
      readBefore: _readBefore,
      ...welcome
    } = await inbox.readState({ ...request, preferences: inboxPreferencesOf(request.preferences) })
    return welcome
  } catch (error) {
    logger.warn('unread count unavailable; welcoming without it', { error: String(error) })
    return undefined
  }
}

/**
 * Marks the welcomed connection open. Failing that, it is only taken for one still opening a little
 * longer (OPENING_GRACE_MS), so the failure is logged rather than failing a welcome already sent.
 */
async function markOpen(connections: WelcomeDeps['connections'], connectionId: string): Promise<void> {
  try {
    await connections.markOpen(connectionId)
  } catch (error) {
    logger.warn('could not mark the connection open', { connectionId, error: String(error) })
  }
}

/** Invoked asynchronously by `$connect`; sends the unprompted `connection_established` frame. */
export function createWelcomeHandler(deps: WelcomeDeps) {
  return async (request: WelcomeRequest) => {
    const notifications = !request.topics.includes('logs')
    const counted = deps.inbox && notifications ? await inboxOfUser(deps.inbox, request) : undefined
    const push = deps.pushPublicKey && notifications ? { push: { publicKey: deps.pushPublicKey } } : {}
    const inbox = { ...counted, ...push }
    const stillStored = () => deps.connections.isStored(request.connectionId)
    const delivered = await sendWelcome(deps.poster, request, { ...deps.options, stillStored }, inbox)
    if (delivered) await markOpen(deps.connections, request.connectionId)
    else logger.warn('connection left before it could be welcomed', { connectionId: request.connectionId })
    return { delivered }
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  const { connections, history } = stores(env, aws)
  return createWelcomeHandler({
    poster: posterOf(aws, managementEndpoint(env), 4),
    connections,
    inbox: inboxOf(env, aws, history),
    pushPublicKey: env.HERALD_VAPID_PUBLIC_KEY || undefined,
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
