import { HeraldError } from '../shared/errors.js'

/**
 * Why Web Push could not be turned on or off:
 * - `unsupported`: the browser has no service workers, Push API or notifications (or the page is
 *   not a secure context);
 * - `not_connected`: the socket was never welcomed, so the server's VAPID key is not known yet;
 * - `push_unavailable`: the server's welcome carried no VAPID key: Web Push is off in this deployment;
 * - `permission_denied`: the user (or a browser policy) blocked notifications: only the site's
 *   settings can undo it;
 * - `permission_dismissed`: the user closed the prompt without answering: asking again may work;
 * - `service_worker_failed`: the service worker could not be registered or installed;
 * - `subscribe_failed`: the browser or its push service refused the subscription, or did not
 *   answer in time (a browser that cannot reach its push service may never answer);
 * - `invalid_subscription`: Herald refused the subscription (its `error` frame's message says why);
 * - `no_answer`: Herald did not answer in time;
 * - `unsubscribe_failed`: the browser could not cancel its subscription.
 */
export type PushErrorCode =
  | 'unsupported'
  | 'not_connected'
  | 'push_unavailable'
  | 'permission_denied'
  | 'permission_dismissed'
  | 'service_worker_failed'
  | 'subscribe_failed'
  | 'invalid_subscription'
  | 'no_answer'
  | 'unsubscribe_failed'

/** Turning Web Push on or off failed; `code` says why, `cause` holds the browser's own error. */
export class PushError extends HeraldError {
  declare readonly code: PushErrorCode

  constructor(code: PushErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
