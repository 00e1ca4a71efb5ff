import { TokenBucket } from '../shared/fan-out/token-bucket.js'
import type { MockRoute, RouteThrottle } from '../shared/protocol/gateway-routes.js'

// The `$context` variables a WebSocket message's mapping template may read, as API Gateway names them.
const CONTEXT_VARIABLES = [
  'requestId',
  'requestTime',
  'requestTimeEpoch',
  'connectionId',
  'routeKey',
  'stage',
]
const VARIABLE = /\$context\.([A-Za-z]+)/g

/** A route response template with its `$context` variables filled in; unknown ones are refused up front. */
export function mockAnswer(template: string): (context: Record<string, unknown>) => string {
  for (const [, name] of template.matchAll(VARIABLE))
    if (!CONTEXT_VARIABLES.includes(name as string))
      throw new Error(`$context.${name} is not a variable of a WebSocket mapping template`)
  return (context) => template.replace(VARIABLE, (_, name: string) => String(context[name] ?? ''))
}

/**
 * The stage's route throttling: one token bucket per route, shared by every client of it, as API
 * Gateway throttles. A MOCK route has its own limits; every other the stage's default.
 */
export class RouteThrottles {
  readonly #buckets = new Map<string, TokenBucket>()
  readonly #stage: RouteThrottle
  readonly #routes: Record<string, MockRoute>

  constructor(stage: RouteThrottle, routes: Record<string, MockRoute>) {
    this.#stage = stage
    this.#routes = routes
  }

  /** Whether a message on `routeKey` may pass now. */
  take(routeKey: string): boolean {
    let bucket = this.#buckets.get(routeKey)
    if (!bucket) {
      const { rateLimit, burstLimit } = this.#routes[routeKey]?.throttle ?? this.#stage
      bucket = new TokenBucket(rateLimit, burstLimit)
      this.#buckets.set(routeKey, bucket)
    }
    return bucket.take()
  }
}
