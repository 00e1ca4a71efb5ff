/** Messages between the benchmark and its socket fleet (a child process on the other core). */
export type FleetRequest =
  | {
      id: number
      cmd: 'open'
      url: string
      users: string[]
      secret: string
      concurrency: number
      query?: string
    }
  | { id: number; cmd: 'wait'; ids: string[]; expected: number; timeoutMs: number }
  | { id: number; cmd: 'send'; frame: string }
  | { id: number; cmd: 'close' }

export interface OpenResult {
  opened: number
  failed: number
  /** Milliseconds from the first handshake to the last connection_established. */
  ms: number
}

export interface Arrivals {
  /** Receipt times (epoch ms) of each notification id, one per socket that got it. */
  times: Record<string, number[]>
  /** Notifications a socket received more than once. */
  duplicates: number
  /** Frames no socket expected (not notifications, or not among the waited ids). */
  other: number
}

export type FleetResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
