/**
 * AWS list prices `herald cost` bills with: us-east-1, on-demand, free tiers left out. Read on
 * 2026-12-06 from the sources named beside each; AWS's own pricing pages render their tables from
 * tokens, so where a page gave no number the figure is from the copies named.
 */
export const PRICES_READ_ON = '2026-12-06'

/** A price that falls with volume: `upTo` units a month at `usd` per `per` units, then the next tier. */
export interface Tier {
  readonly upTo: number
  readonly usd: number
}

export interface Price {
  readonly service: string
  readonly item: string
  readonly unit: string
  /** Units one price applies to (1,000,000 for "per million"). */
  readonly per: number
  readonly tiers: readonly Tier[]
  readonly source: string
}

const price = (
  service: string,
  item: string,
  unit: string,
  per: number,
  tiers: readonly Tier[],
  source: string,
): Price => ({ service, item, unit, per, tiers, source })

const MILLION = 1_000_000
const BILLION = 1_000_000_000

export const PRICES = {
  messages: price(
    'API Gateway',
    'WebSocket messages',
    'messages (32 KB units)',
    MILLION,
    [
      { upTo: BILLION, usd: 1.0 },
      { upTo: Number.POSITIVE_INFINITY, usd: 0.8 },
    ],
    'aws.amazon.com/api-gateway/pricing ("messages sent and received", 32 KB increments); $1.00 first 1 billion, $0.80 over (AWS Pricing API copy, effective 2025-07-01)',
  ),
  connectionMinutes: price(
    'API Gateway',
    'WebSocket connection minutes',
    'connection-minutes',
    MILLION,
    [{ upTo: Number.POSITIVE_INFINITY, usd: 0.25 }],
    'aws.amazon.com/api-gateway/pricing: $0.25 per million connection minutes',
  ),
  lambdaRequests: price(
    'Lambda',
    'requests',
    'requests',
    MILLION,
    [{ upTo: Number.POSITIVE_INFINITY, usd: 0.2 }],
    'aws.amazon.com/lambda/pricing: $0.20 per 1M requests',
  ),
  lambdaDuration: price(
    'Lambda',
    'duration (arm64)',
    'GB-seconds',
    1,
    [
      { upTo: 7.5 * BILLION, usd: 0.0000133334 },
      { upTo: 18.75 * BILLION, usd: 0.0000120001 },
      { upTo: Number.POSITIVE_INFINITY, usd: 0.0000106667 },
    ],
    'aws.amazon.com/lambda/pricing, arm64 tiers: first 7.5 billion GB-s, next 11.25 billion, then 20 % off the first',
  ),
  writeUnits: price(
    'DynamoDB',
    'write request units (on demand)',
    'write request units',
    MILLION,
    [{ upTo: Number.POSITIVE_INFINITY, usd: 0.625 }],
    'aws.amazon.com/dynamodb/pricing/on-demand, after the 2024-11-01 price cut',
  ),
  readUnits: price(
    'DynamoDB',
    'read request units (on demand)',
    'read request units',
    MILLION,
    [{ upTo: Number.POSITIVE_INFINITY, usd: 0.125 }],
    'aws.amazon.com/dynamodb/pricing/on-demand, after the 2024-11-01 price cut',
  ),
  snsRequests: price(
    'SNS',
    'publishes',
    'requests (64 KB units)',
    MILLION,
    [{ upTo: Number.POSITIVE_INFINITY, usd: 0.5 }],
    'aws.amazon.com/sns/pricing: $0.50 per million requests, each 64 KB chunk one request; delivery to Lambda free',
  ),
  sqsRequests: price(
    'SQS',
    'standard queue requests',
    'requests (64 KB units)',
    MILLION,
    [
      { upTo: 100 * BILLION, usd: 0.4 },
      { upTo: 200 * BILLION, usd: 0.3 },
      { upTo: Number.POSITIVE_INFINITY, usd: 0.24 },
    ],
    'aws.amazon.com/sqs/pricing: $0.40 per million standard requests, each 64 KB chunk one request',
  ),
  logBytes: price(
    'CloudWatch Logs',
    'ingestion (standard)',
    'GB',
    1,
    [{ upTo: Number.POSITIVE_INFINITY, usd: 0.5 }],
    'aws.amazon.com/cloudwatch/pricing: $0.50 per GB ingested',
  ),
} as const satisfies Record<string, Price>

/** What `quantity` units cost, tier by tier. */
export function priced(price: Price, quantity: number): number {
  let usd = 0
  let below = 0
  for (const tier of price.tiers) {
    const inTier = Math.max(0, Math.min(quantity, tier.upTo) - below)
    usd += (inTier / price.per) * tier.usd
    below = tier.upTo
    if (quantity <= below) break
  }
  return usd
}
