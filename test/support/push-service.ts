import { createECDH, type ECDH, randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decrypt } from 'http_ece'

/** A push a push service received: its headers, and its body decrypted as the browser would. */
export interface ReceivedPush {
  path: string
  headers: IncomingHttpHeaders
  payload: unknown
}

/**
 * A browser's side of Web Push on loopback: a push service that takes posts (answering `status`),
 * and the subscription keys only the browser holds, so a test can decrypt what Herald sent.
 */
export class LocalPushService {
  readonly #server: Server
  readonly #ecdh: ECDH = createECDH('prime256v1')
  readonly #auth = randomBytes(16).toString('base64url')
  readonly #waiters: ((push: ReceivedPush) => void)[] = []
  readonly received: ReceivedPush[] = []
  /** What it answers each push with. */
  status = 201
  origin = ''

  constructor() {
    this.#ecdh.generateKeys()
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const body = Buffer.concat(chunks)
        const push = {
          path: request.url ?? '',
          headers: request.headers,
          payload: JSON.parse(
            decrypt(body, { version: 'aes128gcm', privateKey: this.#ecdh, authSecret: this.#auth }).toString(
              'utf8',
            ),
          ),
        }
        this.received.push(push)
        response.writeHead(this.status).end()
        for (const wake of this.#waiters.splice(0)) wake(push)
      })
    })
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
    return this
  }

  /** A browser's `PushSubscription.toJSON()` for an endpoint on this service. */
  subscription(path: string): { endpoint: string; keys: { p256dh: string; auth: string } } {
    return {
      endpoint: `${this.origin}${path}`,
      keys: { p256dh: this.#ecdh.getPublicKey().toString('base64url'), auth: this.#auth },
    }
  }

  /** The next push to arrive. */
  next(): Promise<ReceivedPush> {
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}
