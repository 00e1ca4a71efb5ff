import type { ConnectionPoster } from '../fan-out/connection-poster.js'
import { type OpeningOptions, postOnceOpen } from '../fan-out/post-once-open.js'
import { type Envelope, makeFrame, type ReadState } from '../protocol/frames.js'
import type { Preferences } from '../protocol/preferences.js'
import type { Connection } from '../store/connection-store.js'

/** What `$connect` hands to the welcome function, which runs once `$connect` has returned. */
export type WelcomeRequest = Pick<
  Connection,
  'connectionId' | 'userId' | 'tenant' | 'groups' | 'topics' | 'filters'
> & { preferences?: Preferences }

export type WelcomeOptions = Omit<OpeningOptions, 'budget'>

/** What a welcome tells of the user's inbox (the unread count, what is snoozed) and of Web Push. */
export type WelcomeInbox = Partial<
  Pick<ReadState, 'unread' | 'unreadCapped' | 'countedThrough' | 'snoozed'>
> & {
  push?: { publicKey: string }
}

/**
 * The frame a client receives first, once `$connect` has returned; on the notifications endpoint
 * with the unread count, what is snoozed, and the user's preferences.
 */
export function welcomeFrame(
  connection: WelcomeRequest,
  inbox?: WelcomeInbox,
): Envelope<'connection_established'> {
  return makeFrame('connection_established', {
    connectionId: connection.connectionId,
    userId: connection.userId,
    ...(connection.tenant === undefined ? {} : { tenant: connection.tenant }),
    groups: connection.groups ?? [],
    topics: connection.topics,
    filters: connection.filters,
    ...inbox,
    ...(connection.preferences === undefined ? {} : { preferences: connection.preferences }),
  })
}

/**
 * Sends `connection_established` as soon as API Gateway has opened the socket (see
 * {@link postOnceOpen}). Returns whether the frame was delivered.
 */
export function sendWelcome(
  poster: ConnectionPoster,
  request: WelcomeRequest,
  options: WelcomeOptions = {},
  inbox?: WelcomeInbox,
): Promise<boolean> {
  return postOnceOpen(poster, request.connectionId, JSON.stringify(welcomeFrame(request, inbox)), options)
}
