import { MAX_FRAME_BYTES } from './protocol/limits.js'

/**
 * Every default Herald has, written once. The environment variables that override them
 * (`shared/runtime/variables.ts`) name these as their defaults, and the modules that take them as
 * options fall back to these; the manifest's memory and timeout defaults are here too.
 */
export const DEFAULTS = {
  /** Partitions per notification, group and log-filter index key; raise it, never lower it. */
  shards: 4,
  /** How long a connection is kept without `$disconnect`: a little past API Gateway's 2-hour cut. */
  connectionTtlSeconds: 8100,
  /** How long notifications, and the inbox marks on them, can be resumed. */
  historySeconds: 86_400,
  groupsClaim: 'groups',
  messagesPerSecond: 10,
  connectionsPerUser: 20,
  /** A client frame's limit: API Gateway's own frame size. */
  maxClientMessageBytes: MAX_FRAME_BYTES,
  resumeLimit: 100,
  /** Posts in flight at once, and 410 checks after them: one pool size for both. */
  deliveryConcurrency: 100,
  /** Time after which a throttled or failing post is given up (re-queued by a worker). */
  deliveryDeadlineMs: 10_000,
  /** Audiences larger than this go to the delivery workers, in batches of `fanoutBatchSize`. */
  fanoutBatchThreshold: 2000,
  fanoutBatchSize: 500,
  deliveryMaxAttempts: 5,
  logRatePerSource: 50,
  /** Alerts at or above this are pushed to a user with no open tab (docs/architecture.md, Offline delivery). */
  pushMinSeverity: 'high',
  /** A critical alert still unread this long after it was published is e-mailed (Offline delivery). */
  escalateAfterSeconds: 600,
  emailClaim: 'email',
  /** A function's memory (MB) and timeout (s) unless its manifest entry says otherwise. */
  memorySize: 256,
  timeoutSeconds: 10,
} as const
