/** The codes a client can see in an `error` frame (docs/architecture.md, Wire protocol). */
export type ProtocolErrorCode =
  | 'invalid_json'
  | 'invalid_message'
  | 'unknown_type'
  | 'too_large'
  | 'rate_limited'
  | 'forbidden'
  | 'invalid_preferences'
  | 'invalid_snooze'
  | 'invalid_subscription'

/** Base of every error Herald throws on purpose; `code` is stable, `message` is for people. */
export class HeraldError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** Bad client input; the edge turns it into an `error` frame and keeps the connection open. */
export class ProtocolError extends HeraldError {
  declare readonly code: ProtocolErrorCode

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** Why a publish body was refused; the `reason` dimension of the `rejected` metric. */
export const REJECTION_REASONS = [
  'not_json',
  'not_an_object',
  'unknown_type',
  'invalid_field',
  'invalid_audience',
  'too_large',
  'expired',
] as const
export type RejectionReason = (typeof REJECTION_REASONS)[number]

/** A publisher payload that cannot be delivered as it is. */
export class InvalidNotificationError extends HeraldError {
  readonly reason: RejectionReason
  readonly issues: readonly string[]

  constructor(reason: RejectionReason, message: string, issues: readonly string[] = []) {
    super('invalid_notification', message)
    this.reason = reason
    this.issues = issues
  }
}

/** A token that must not open a connection; `status` is the HTTP answer at `$connect`. */
export class AuthError extends HeraldError {
  readonly status: 401 | 403

  constructor(status: 401 | 403, message: string, options?: { cause?: unknown }) {
    super(status === 401 ? 'unauthorized' : 'forbidden', message, options)
    this.status = status
  }
}

/**
 * The refusal a Lambda REQUEST authorizer must throw for API Gateway to answer 401: the message has
 * to be exactly `Unauthorized`.
 */
export class UnauthorizedError extends HeraldError {
  constructor() {
    super('unauthorized', 'Unauthorized')
  }
}

/** An AWS service refused or failed a call Herald depends on (a queue send, a secret read). */
export class ServiceError extends HeraldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('service', message, options)
  }
}

/** A required setting is missing or malformed. */
export class ConfigError extends HeraldError {
  constructor(message: string) {
    super('config', message)
  }
}

/** A store write lost a race too many times in a row. */
export class ConflictError extends HeraldError {
  constructor(message: string) {
    super('conflict', message)
  }
}
