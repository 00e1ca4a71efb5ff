import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import { IpcPeer } from './ipc-peer.js'

export interface StormOpen {
  url: string
  secret: string
  users: string[]
  /** Handshakes under way at once while the tabs first open. */
  concurrency: number
  /** The share of tabs (every 1/share-th) that gives up on its first socket after the drop. */
  flakyShare: number
  /** For the whole opening; a tab not welcomed by then stays out of the count. */
  timeoutMs: number
}

export interface StormWait {
  /** The alert ids published to each user; every one must be shown once. */
  expected: Record<string, string[]>
  /** When the gateway cut the sockets (epoch ms, the same clock: one machine). */
  dropAt: number
  timeoutMs: number
}

export interface StormResult {
  /** From the drop until every tab was welcomed and had shown every alert (or the deadline). */
  doneMs: number
  /** From the drop to the welcome of the next socket, for each steady tab and each flaky one. */
  welcomeMs: number[]
  flapperWelcomeMs: number[]
  /** Tabs never welcomed again, by the client's state at the end (`closed`: out of attempts). */
  notWelcomed: Record<string, number>
  gaveUp: { 'in handshake': number; 'at open': number }
  /** Published alerts a welcomed tab never showed; those of tabs still without a welcome at the end. */
  lost: number
  lostByUnwelcomed: number
  /** Of `lost`, those of tabs that were answered "Internal server error" after the drop. */
  lostAfterServerError: number
  /** "Internal server error" answers (API Gateway's, when a route's function fails or is throttled). */
  serverErrors: number
  /** Shown more than once. */
  duplicated: number
  /** Second copies that reached a socket (a resume overlapping live posts) and the client dropped by id. */
  droppedByClient: number
  /** Reconnects the gateway refused, by HTTP status (500: the authorizer or `$connect` was throttled). */
  refused: Record<string, number>
  /** Sockets lost again after their welcome, by close code (4000: the client's heartbeat gave up). */
  lostAgain: Record<string, number>
}

/** The bench's handle on the storm's tabs: Herald's own client, one per user, in a process of their own. */
export class StormFleet {
  readonly #child: ChildProcess
  readonly #peer: IpcPeer

  constructor() {
    this.#child = fork(join(import.meta.dirname, 'storm-fleet.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    })
    this.#peer = new IpcPeer(this.#child)
  }

  open(request: StormOpen): Promise<{ opened: number; ms: number }> {
    return this.#peer.call('open', { ...request })
  }

  /** From now on flaky tabs give up on their next socket, within `giveUpMaxMs` of creating it. */
  arm(giveUpMaxMs: number): Promise<void> {
    return this.#peer.call('arm', { giveUpMaxMs })
  }

  wait(request: StormWait): Promise<StormResult> {
    return this.#peer.call('wait', { ...request })
  }

  async stop(): Promise<void> {
    await this.#peer.call('close').catch(() => {})
    this.#child.kill()
  }
}
