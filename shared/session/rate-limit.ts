import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { type RateLimits, type RateVerdict, rateConstants, refusal } from './rate-meter.js'

export interface RateLimitOptions extends Partial<RateLimits> {
  client: DynamoDBDocumentClient
  tableName: string
  now?: () => number
}

/**
 * Each connection's token bucket (rate-meter.ts), kept in DynamoDB since every frame is its own
 * Lambda invocation and frames of one connection may run in parallel. Each step of the algorithm
 * is one conditional update, so parallel frames are counted exactly, with no read-then-write
 * race. The item expires a minute after the last frame.
 */
export class MessageRateLimit {
  readonly #limits: RateLimits
  readonly #options: RateLimitOptions

  constructor(options: RateLimitOptions) {
    const { rate = 10, burst = rate * 2, closeFactor = 3, abuseSeconds = 3 } = options
    this.#limits = { rate, burst, closeFactor, abuseSeconds }
    this.#options = options
  }

  async check(connectionId: string): Promise<RateVerdict> {
    const now = (this.#options.now ?? Date.now)()
    const { interval, tolerance } = rateConstants(this.#limits)
    const start = { ':now': now, ':start': now + interval }
    // An idle bucket restarts at now; a busy one moves on by one interval, within the burst.
    const passed =
      (await this.#step(
        connectionId,
        now,
        'tat = :start',
        'attribute_not_exists(tat) OR tat < :now',
        start,
      )) ||
      (await this.#step(connectionId, now, 'tat = tat + :interval', 'tat <= :limit', {
        ':interval': interval,
        ':limit': now + tolerance,
      }))
    if (passed) return { verdict: 'ok' }
    // Refused: the debt of refused frames grows the same way, with no limit of its own.
    const refused =
      (await this.#step(
        connectionId,
        now,
        'refusedTat = :start',
        'attribute_not_exists(refusedTat) OR refusedTat < :now',
        start,
      )) ||
      (await this.#step(connectionId, now, 'refusedTat = refusedTat + :interval', undefined, {
        ':interval': interval,
      }))
    const item = refused as { tat: number; refusedTat: number }
    return refusal(item.tat, item.refusedTat, now, this.#limits)
  }

  /** One step as one conditional update: the item after it, or false when its condition failed. */
  async #step(
    connectionId: string,
    now: number,
    assignment: string,
    condition: string | undefined,
    values: Record<string, number>,
  ): Promise<Record<string, unknown> | false> {
    try {
      const { Attributes } = await this.#options.client.send(
        new UpdateCommand({
          TableName: this.#options.tableName,
          Key: { pk: `rate#${connectionId}`, sk: 'bucket' },
          UpdateExpression: `SET ${assignment}, expiresAt = :expires`,
          ConditionExpression: condition,
          ExpressionAttributeValues: { ...values, ':expires': Math.floor(now / 1000) + 60 },
          ReturnValues: 'ALL_NEW',
        }),
      )
      return Attributes ?? {}
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false
      throw error
    }
  }
}
