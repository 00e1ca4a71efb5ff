import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
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

interface SdkError {
  name?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

/** Sorts an error from the Management API into what the deliverer should do about it. */
export function classifyDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error
  const sdk = (error ?? {}) as SdkError
  const status = sdk.$metadata?.httpStatusCode
  const name = sdk.name ?? 'Error'
  const describe = `${name}${status ? ` (${status})` : ''}: ${sdk.message ?? String(error)}`
  if (status === 410 || name === 'GoneException')
    return new DeliveryError('gone', status, describe, { cause: error })
  // 429 is the account-wide quota (LimitExceededException); 5xx and network faults are transient.
  if (status === undefined || status === 429 || status >= 500 || name === 'LimitExceededException') {
    return new DeliveryError('retry', status, describe, { cause: error })
  }
  return new DeliveryError('reject', status, describe, { cause: error })
}

const encoder = new TextEncoder()

/** A {@link ConnectionPoster} over the AWS SDK client; give the client `maxAttempts: 1` so retries are ours. */
export function managementApiPoster(client: ApiGatewayManagementApiClient): ConnectionPoster {
  return {
    async post(connectionId, data) {
      try {
        await client.send(
          new PostToConnectionCommand({ ConnectionId: connectionId, Data: encoder.encode(data) }),
        )
      } catch (error) {
        throw classifyDeliveryError(error)
      }
    },
    async close(connectionId) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }))
      } catch (error) {
        const failure = classifyDeliveryError(error)
        if (failure.kind !== 'gone') throw failure
      }
    },
  }
}
