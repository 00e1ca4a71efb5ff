import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { listen } from '../../local/http.js'
import type { Envelope } from '../../shared/protocol/frames.js'

const ERROR_TYPES: Record<number, string> = {
  403: 'ForbiddenException',
  410: 'GoneException',
  413: 'PayloadTooLargeException',
  429: 'LimitExceededException',
  500: 'InternalServerErrorException',
}

export interface ReceivedCall {
  method: string
  path: string
  connectionId: string
  headers: IncomingHttpHeaders
  body: string
  /** What the stub answered. */
  status: number
}

/**
 * A Management API that answers what a test scripts, per connection (200 by default), over real
 * HTTP, so posters are tested with their actual requests and the real error answers.
 */
export class ManagementStub {
  readonly calls: ReceivedCall[] = []
  readonly #scripts = new Map<string, number[]>()
  readonly #always = new Map<string, number>()
  #server: Server | undefined
  endpoint = ''
  /** Milliseconds each answer waits, for concurrency tests. */
  delayMs = 0

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const path = request.url ?? ''
        const connectionId = decodeURIComponent(path.split('/@connections/')[1] ?? '')
        const status = this.#scripts.get(connectionId)?.shift() ?? this.#always.get(connectionId) ?? 200
        this.calls.push({
          method: request.method ?? '',
          path,
          connectionId,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
        })
        const answer = () => {
          const type = ERROR_TYPES[status]
          response.writeHead(
            status,
            type ? { 'x-amzn-errortype': type, 'content-type': 'application/json' } : {},
          )
          response.end(type ? JSON.stringify({ message: type }) : '')
        }
        if (this.delayMs) setTimeout(answer, this.delayMs)
        else answer()
      })
    })
    this.endpoint = `http://127.0.0.1:${await listen(this.#server, 0)}/prod`
  }

  /** The next answers for a connection, in order; then 200 (or what `always` set). */
  script(connectionId: string, ...statuses: number[]): void {
    this.#scripts.set(connectionId, statuses)
  }

  always(connectionId: string, status: number): void {
    this.#always.set(connectionId, status)
  }

  /** Frames posted, decoded, in order; `delivered` only those it answered with success. */
  posted({ delivered = false } = {}): { connectionId: string; frame: Envelope }[] {
    return this.calls
      .filter((c) => c.method === 'POST' && (!delivered || c.status < 300))
      .map((c) => ({ connectionId: c.connectionId, frame: JSON.parse(c.body) as Envelope }))
  }

  reset(): void {
    this.calls.length = 0
    this.#scripts.clear()
    this.#always.clear()
    this.delayMs = 0
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server?.close(() => resolve()) ?? resolve())
  }
}

/** A stub for the test file, reset after each test. */
export function withManagementStub(): ManagementStub {
  const stub = new ManagementStub()
  beforeAll(() => stub.start())
  afterEach(() => stub.reset())
  afterAll(() => stub.stop())
  return stub
}
