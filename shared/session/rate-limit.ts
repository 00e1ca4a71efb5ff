import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb'

export interface RateLimitOptions {
  client: DynamoDBDocumentClient
  tableName: string
  /** Messages a connection may send per second. @default 10 */
  perSecond?: number
  /** A second with this many times the limit is abuse: the connection is closed. @default 3 */
  closeFactor?: number
  now?: () => number
}

export type RateVerdict = 'ok' | 'limited' | 'abusive'

/**
 * Counts each connection's messages per second in DynamoDB (every frame is its own Lambda
 * invocation, so the count must live outside it): one atomic ADD per message, on an item that
 * expires a minute later.
 */
export class MessageRateLimit {
  readonly #options: Required<Omit<RateLimitOptions, 'client' | 'tableName'>> &
    Pick<RateLimitOptions, 'client' | 'tableName'>

  constructor(options: RateLimitOptions) {
    this.#options = { perSecond: 10, closeFactor: 3, now: Date.now, ...options }
  }

  async check(connectionId: string): Promise<RateVerdict> {
    const second = Math.floor(this.#options.now() / 1000)
    const { Attributes } = await this.#options.client.send(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: { pk: `rate#${connectionId}`, sk: String(second) },
        UpdateExpression: 'ADD messages :one SET expiresAt = :expires',
        ExpressionAttributeValues: { ':one': 1, ':expires': second + 60 },
        ReturnValues: 'UPDATED_NEW',
      }),
    )
    const count = (Attributes?.messages as number) ?? 1
    if (count > this.#options.perSecond * this.#options.closeFactor) return 'abusive'
    return count > this.#options.perSecond ? 'limited' : 'ok'
  }
}
