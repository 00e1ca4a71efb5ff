import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { BillMeter } from './bill-meter.js'
import { closeServer, guarded, listen } from './http.js'
import type { Guard } from './iam.js'

/**
 * What every twin of an AWS service shares: its HTTP server on loopback, the role check every call
 * goes through (`enforce`), and the meter it counts billed units on (`meter`). A twin answers one
 * request in `handle`; a request it fails on unexpectedly gets AWS's 500 InternalFailure.
 */
export abstract class HttpTwin {
  protected guard: Guard | undefined
  protected billMeter: BillMeter | undefined
  readonly #server: Server = createServer(guarded((request, response) => this.handle(request, response)))

  protected abstract handle(request: IncomingMessage, response: ServerResponse): Promise<void>

  /** Checks every call against the caller's role from now on. */
  enforce(guard: Guard): void {
    this.guard = guard
  }

  /** Counts what AWS would bill for each call, by caller, from now on. */
  meter(meter: BillMeter): void {
    this.billMeter = meter
  }

  /** Serves on loopback; returns the endpoint. */
  async listen(port = 0): Promise<string> {
    return `http://127.0.0.1:${await listen(this.#server, port)}`
  }

  close(): Promise<void> {
    return closeServer(this.#server)
  }
}
