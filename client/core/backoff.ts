export interface BackoffOptions {
  /** The first delay. @default 3000 */
  baseMs: number
  /** The delay grows (doubling) to at most this multiple of the first. @default 5 */
  maxFactor: number
  /** ± this fraction of randomness, so a fleet of browsers does not reconnect in lockstep. @default 0.2 */
  jitter: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 3000, maxFactor: 5, jitter: 0.2 }

/**
 * The delay before reconnect attempt `attempt` (0 for the first): 3 s, 6 s, 12 s, then 15 s,
 * each within ±20 %.
 *
 * @example reconnectDelay(0, DEFAULT_BACKOFF, () => 0.5) // 3000
 */
export function reconnectDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(options.baseMs * 2 ** attempt, options.baseMs * options.maxFactor)
  return Math.round(nominal * (1 - options.jitter + 2 * options.jitter * random()))
}
