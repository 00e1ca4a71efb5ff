import { HeraldError } from '../errors.js'

/** How a failed post should be treated: `gone` removes the connection; `retry` backs off; `reject` gives up. */
export type DeliveryFailureKind = 'gone' | 'retry' | 'reject'

export class DeliveryError extends HeraldError {
  readonly kind: DeliveryFailureKind
  readonly status: number | undefined

  constructor(
    kind: DeliveryFailureKind,
    status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`delivery_${kind}`, message, options)
    this.kind = kind
    this.status = status
  }
}

/** Posts data to one WebSocket connection through the Management API, throwing a {@link DeliveryError}. */
export interface ConnectionPoster {
  post(connectionId: string, data: string): Promise<void>
  /** Closes the connection from the server side; a connection already gone is not an error. */
  close(connectionId: string): Promise<void>
}

/**
 * What to do about a Management API answer: 410 means the connection is gone; 429 (the account
 * quota, LimitExceededException), 5xx and network faults (no status) are transient; anything else
 * (403, 413, 400) will not get better by retrying.
 */
export function failureKind(status: number | undefined, errorType = ''): DeliveryFailureKind {
  if (status === 410 || errorType === 'GoneException') return 'gone'
  if (status === undefined || status === 429 || status >= 500 || errorType === 'LimitExceededException')
    return 'retry'
  return 'reject'
}

/** Any error from a poster as a {@link DeliveryError}. */
export function classifyDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error
  return new DeliveryError('retry', undefined, String((error as Error)?.message ?? error), { cause: error })
}
