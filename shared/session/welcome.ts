import type { ConnectionPoster } from '../fan-out/connection-poster.js'
import { type OpeningOptions, postOnceOpen } from '../fan-out/post-once-open.js'
import type { UnreadCount } from '../protocol/frames.js'
import type { Connection } from '../store/connection-store.js'
import { welcomeFrame } from './client-session.js'

/** What `$connect` hands to the welcome function, which runs once `$connect` has returned. */
export type WelcomeRequest = Pick<
  Connection,
  'connectionId' | 'userId' | 'tenant' | 'groups' | 'topics' | 'filters'
>

export type WelcomeOptions = Omit<OpeningOptions, 'budget'>

/**
 * Sends `connection_established` as soon as API Gateway has opened the socket (see
 * {@link postOnceOpen}). Returns whether the frame was delivered.
 */
export function sendWelcome(
  poster: ConnectionPoster,
  request: WelcomeRequest,
  options: WelcomeOptions = {},
  unread?: UnreadCount,
): Promise<boolean> {
  return postOnceOpen(poster, request.connectionId, JSON.stringify(welcomeFrame(request, unread)), options)
}
