import { createServer, type Server } from 'node:http'
import { closeServer, listen, readBody, send, sendAwsError } from './http.js'

// Handlers take their own event types; the runtime only moves JSON-shaped values between them.
// biome-ignore lint/suspicious/noExplicitAny: a registry of heterogeneous handlers
export type LambdaHandler = (event: any) => Promise<unknown>

export interface LocalLambdaOptions {
  /** Delays before Lambda's two automatic retries of a failed asynchronous invocation. @default [1000, 2000] */
  retryDelaysMs?: number[]
  /** Called when an asynchronous invocation failed every try (on AWS it would go to the dead-letter queue). */
  onFailure?: (name: string, event: unknown, error: unknown) => void
}

const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024

/**
 * The twin of Lambda's invoke semantics: synchronous invocation returns the handler's result or
 * throws its error; asynchronous invocation returns at once and retries a failure twice; and the
 * Invoke API (`POST /2015-03-31/functions/{name}/invocations`) serves the SDK's LambdaClient.
 */
export class LocalLambda {
  readonly #handlers = new Map<string, LambdaHandler>()
  readonly #inFlight = new Set<Promise<void>>()
  readonly #retryDelaysMs: number[]
  readonly #onFailure: NonNullable<LocalLambdaOptions['onFailure']>
  #server: Server | undefined

  constructor(options: LocalLambdaOptions = {}) {
    this.#retryDelaysMs = options.retryDelaysMs ?? [1000, 2000]
    this.#onFailure = options.onFailure ?? (() => {})
  }

  register(name: string, handler: LambdaHandler): void {
    this.#handlers.set(name, handler)
  }

  has(name: string): boolean {
    return this.#handlers.has(name)
  }

  /** RequestResponse: the handler's result, or its error. */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const handler = this.#handlers.get(name)
    if (!handler) throw new Error(`Function not found: ${name}`)
    // A copy, as the event would be serialized on its way to a real function.
    return handler(structuredClone(event))
  }

  /** Event: returns at once; a failing handler is retried, then reported to `onFailure`. */
  invokeAsync(name: string, event: unknown): void {
    const run = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.invoke(name, event)
          return
        } catch (error) {
          const delay = this.#retryDelaysMs[attempt]
          if (delay === undefined) {
            this.#onFailure(name, event, error)
            return
          }
          await new Promise((resolve) => setTimeout(resolve, delay))
        }
      }
    })()
    this.#inFlight.add(run)
    void run.finally(() => this.#inFlight.delete(run))
  }

  /** Resolves once every asynchronous invocation started so far, and those they started, has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight])
  }

  /** Serves the Invoke API on loopback; returns its endpoint. */
  async listen(port = 0): Promise<string> {
    this.#server = createServer(async (request, response) => {
      const match =
        request.method === 'POST' && request.url?.match(/^\/2015-03-31\/functions\/([^/]+)\/invocations/)
      if (!match) return sendAwsError(response, 404, 'UnknownOperationException', 'Unknown operation')
      const name = decodeURIComponent(match[1] as string)
        .split(':')
        .at(-1) as string
      if (!this.#handlers.has(name)) {
        return sendAwsError(response, 404, 'ResourceNotFoundException', `Function not found: ${name}`)
      }
      const body = await readBody(request, MAX_PAYLOAD_BYTES)
      if (!body)
        return sendAwsError(response, 413, 'RequestTooLargeException', 'Request must be smaller than 6 MB')
      let event: unknown
      try {
        event = body.length ? JSON.parse(body.toString('utf8')) : {}
      } catch {
        return sendAwsError(
          response,
          400,
          'InvalidRequestContentException',
          'Could not parse request body into json',
        )
      }
      if (request.headers['x-amz-invocation-type'] === 'Event') {
        this.invokeAsync(name, event)
        return send(response, 202)
      }
      try {
        send(response, 200, JSON.stringify((await this.invoke(name, event)) ?? null))
      } catch (error) {
        const failure = error as Error
        send(response, 200, JSON.stringify({ errorType: failure.name, errorMessage: failure.message }), {
          'content-type': 'application/json',
          'x-amz-function-error': 'Unhandled',
        })
      }
    })
    return `http://127.0.0.1:${await listen(this.#server, port)}`
  }

  async close(): Promise<void> {
    if (this.#server) await closeServer(this.#server)
  }
}
