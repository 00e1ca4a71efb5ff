import type { ConnectionPoster } from '../../shared/fan-out/connection-poster.js'
import { DeliveryError } from '../../shared/fan-out/connection-poster.js'
import type { Envelope } from '../../shared/protocol/frames.js'

/**
 * Stands in for the Management API in store-level tests: records what each connection would have
 * received and answers 410 for connections marked gone.
 */
export class RecordingPoster implements ConnectionPoster {
  readonly received = new Map<string, Envelope[]>()
  readonly gone = new Set<string>()
  readonly closed: string[] = []

  async post(connectionId: string, data: string): Promise<void> {
    if (this.gone.has(connectionId)) throw new DeliveryError('gone', 410, 'GoneException')
    const frames = this.received.get(connectionId) ?? []
    frames.push(JSON.parse(data) as Envelope)
    this.received.set(connectionId, frames)
  }

  async close(connectionId: string): Promise<void> {
    this.closed.push(connectionId)
  }

  framesOf(connectionId: string): Envelope[] {
    return this.received.get(connectionId) ?? []
  }

  clear(): void {
    this.received.clear()
  }
}
