import { createServer, type Server, type ServerResponse } from 'node:http'
import { closeServer, listen } from '../../local/http.js'

/**
 * Where test invocations wait until the test lets them through, in any thread: a held function
 * (`held-function.ts`) asks this loopback server for leave, and the answer comes on `open()`. So
 * a test knows, without sleeping, that N invocations are running at once.
 */
export class InvocationGate {
  readonly #server: Server
  readonly #held: ServerResponse[] = []
  #waiters: { count: number; resolve: () => void }[] = []
  #open = false
  /** Invocations that reached the gate, held or not. */
  arrived = 0
  url = ''

  private constructor() {
    this.#server = createServer((_request, response) => {
      this.arrived++
      if (this.#open) response.end()
      else this.#held.push(response)
      this.#waiters = this.#waiters.filter((waiter) => {
        if (this.#held.length < waiter.count) return true
        waiter.resolve()
        return false
      })
    })
  }

  static async start(): Promise<InvocationGate> {
    const gate = new InvocationGate()
    gate.url = `http://127.0.0.1:${await listen(gate.#server, 0)}/`
    return gate
  }

  /** Resolves once `count` invocations are held at the gate together. */
  holding(count: number): Promise<void> {
    if (this.#held.length >= count) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ count, resolve }))
  }

  /** Lets every held invocation through, and every later one at once. */
  open(): void {
    this.#open = true
    for (const response of this.#held.splice(0)) response.end()
  }

  close(): Promise<void> {
    this.open()
    return closeServer(this.#server)
  }
}
