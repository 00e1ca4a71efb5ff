import { setMaxListeners } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HeraldError } from '../shared/errors.js'
import { withDefaults } from '../shared/options.js'
import { functionPayer } from './bill-meter.js'
import { readBody, send, sendAwsError } from './http.js'
import { HttpTwin } from './http-twin.js'
import { localArn } from './iam.js'
import { ACCOUNT_CONCURRENCY, AccountConcurrency, TooManyRequestsError } from './lambda-concurrency.js'
import { InstancePool, type ThreadedFunction } from './lambda-instances.js'

export type { ThreadedFunction } from './lambda-instances.js'

// Handlers take their own event types; the runtime only moves JSON-shaped values between them.
// biome-ignore lint/suspicious/noExplicitAny: a registry of heterogeneous handlers
export type LambdaHandler = (event: any) => Promise<unknown>

export interface LocalLambdaOptions {
  /** Delays before Lambda's two automatic retries of a failed asynchronous invocation. @default [1000, 2000] */
  retryDelaysMs?: number[]
  /** Called when an asynchronous invocation failed every try (on AWS it would go to the dead-letter queue). */
  onFailure?: (name: string, event: unknown, error: unknown) => void
  /** Executions at once for all functions together, as the account's Lambda quota. @default 1000 */
  accountConcurrency?: number
  /**
   * How long a threaded function's instances beyond its first stay idle before they are stopped.
   * Lambda does not document it (minutes); here it bounds the threads a burst leaves. @default 300000
   */
  keepWarmMs?: number
  /**
   * When a throttled asynchronous invocation is tried again: after `firstMs`, doubling up to
   * `maxMs`, as Lambda's event queue does. @default { firstMs: 1000, maxMs: 300000 }
   */
  throttleRetryMs?: { firstMs: number; maxMs: number }
  /** How long Lambda keeps an event it could not run for want of concurrency. @default 21600000 (6 h) */
  maxEventAgeMs?: number
}

/** A function's own settings, as its CDK construct sets them. */
export interface FunctionSettings {
  /** Retries of a failed asynchronous invocation. @default as many as `retryDelaysMs` has (Lambda: 2) */
  retryAttempts?: number | undefined
  /** Its reserved concurrency: at most this many at once, set aside from the account's. @default unreserved */
  reservedConcurrency?: number | undefined
}

type Settings = Required<Omit<LocalLambdaOptions, 'onFailure'>> & Pick<LocalLambdaOptions, 'onFailure'>

const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations/

/**
 * The twin of Lambda's invoke semantics: synchronous invocation returns the handler's result or
 * throws its error; asynchronous invocation returns at once and retries a failure twice; and the
 * Invoke API (`POST /2015-03-31/functions/{name}/invocations`) serves the SDK's LambdaClient.
 *
 * Concurrency is Lambda's: each execution in progress holds a unit of its function's reserved
 * concurrency or of the account's unreserved rest. Beyond that, a synchronous invocation is refused
 * with TooManyRequestsException (429), and an asynchronous one stays queued and is tried again with
 * backoff, spending none of its function's retries. A threaded function starts another instance
 * whenever every one it has is busy.
 */
export class LocalLambda extends HttpTwin {
  readonly #handlers = new Map<string, LambdaHandler>()
  readonly #retryAttempts = new Map<string, number>()
  readonly #pools = new Map<string, InstancePool>()
  readonly #inFlight = new Set<Promise<void>>()
  /** Aborted when the stack stops: events waiting to be tried again are dropped. */
  readonly #stopping = new AbortController()
  readonly #options: Settings
  readonly #concurrency: AccountConcurrency
  /**
   * Asynchronous invocations retried after an error, as Lambda would; invocations refused for want
   * of concurrency (each try of a queued asynchronous one counts).
   */
  readonly stats = { retries: 0, throttles: 0 }

  constructor(options: LocalLambdaOptions = {}) {
    super()
    this.#options = withDefaults<Settings>(
      {
        retryDelaysMs: [1000, 2000],
        onFailure: undefined,
        accountConcurrency: ACCOUNT_CONCURRENCY,
        keepWarmMs: 300_000,
        throttleRetryMs: { firstMs: 1000, maxMs: 300_000 },
        maxEventAgeMs: 6 * 60 * 60 * 1000,
      },
      options,
    )
    this.#concurrency = new AccountConcurrency(this.#options.accountConcurrency)
    // Every event waiting to be retried listens for the stop: thousands after a storm, not a leak.
    setMaxListeners(0, this.#stopping.signal)
  }

  /** Adds a function that runs on this thread, as many invocations at once as its concurrency allows. */
  register(name: string, handler: LambdaHandler, settings: FunctionSettings = {}): void {
    this.#configure(name, settings)
    this.#handlers.set(name, handler)
  }

  /**
   * Runs `name` in a worker thread of its own hosting its instances, each running one invocation at
   * a time, another made as all are busy; resolves once the thread has loaded the function.
   */
  async registerThreaded(
    name: string,
    spec: ThreadedFunction,
    settings: FunctionSettings = {},
  ): Promise<void> {
    this.#configure(name, settings)
    const pool = await InstancePool.start(spec, this.#options.keepWarmMs)
    this.#pools.set(name, pool)
    this.#handlers.set(name, (event) => pool.run(event))
  }

  #configure(name: string, { retryAttempts, reservedConcurrency }: FunctionSettings): void {
    if (reservedConcurrency !== undefined) this.#concurrency.reserve(name, reservedConcurrency)
    if (retryAttempts !== undefined) this.#retryAttempts.set(name, retryAttempts)
  }

  /**
   * Puts `wrapper` around a registered function, as a test's stand-in for a function slower or
   * busier than this one, at a moment the test chooses.
   */
  wrap(name: string, wrapper: (handler: LambdaHandler) => LambdaHandler): void {
    const handler = this.#handlers.get(name)
    if (!handler) throw new HeraldError('function_not_found', `Function not found: ${name}`)
    this.#handlers.set(name, wrapper(handler))
  }

  has(name: string): boolean {
    return this.#handlers.has(name)
  }

  /** A threaded function's instances alive now, busy or idle; 0 for one on this thread. */
  instances(name: string): number {
    return this.#pools.get(name)?.size ?? 0
  }

  /** RequestResponse: the handler's result, or its error; TooManyRequestsError without concurrency to run it. */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const handler = this.#handlers.get(name)
    if (!handler) throw new HeraldError('function_not_found', `Function not found: ${name}`)
    const throttled = this.#concurrency.acquire(name)
    if (throttled) {
      this.stats.throttles++
      throw new TooManyRequestsError(throttled)
    }
    // Lambda bills each invocation that runs, retries included; a throttled one is not billed.
    this.billMeter?.add(functionPayer(name), 'lambda.requests')
    try {
      // A copy, as the event would be serialized on its way to a real function.
      return await handler(structuredClone(event))
    } finally {
      this.#concurrency.release(name)
    }
  }

  /**
   * Event: returns at once, the first try made already (a test sees it throttled or running). A
   * failing handler is retried as many times as its setting allows, then reported to `onFailure`;
   * a throttled one stays queued, tried again with backoff, until it runs or its age runs out.
   */
  invokeAsync(name: string, event: unknown): void {
    const run = this.#runQueued(name, event)
    this.#inFlight.add(run)
    void run.finally(() => this.#inFlight.delete(run))
  }

  async #runQueued(name: string, event: unknown): Promise<void> {
    const delays = this.#options.retryDelaysMs.slice(0, this.#retryAttempts.get(name))
    const { firstMs, maxMs } = this.#options.throttleRetryMs
    const expires = Date.now() + this.#options.maxEventAgeMs
    let failures = 0
    let throttles = 0
    for (;;) {
      let wait: number | undefined
      try {
        await this.invoke(name, event)
        return
      } catch (error) {
        if (error instanceof TooManyRequestsError) {
          // Lambda's queue keeps it and tries later: no function error, so no retry is spent.
          wait = Math.min(firstMs * 2 ** throttles++, maxMs)
          if (Date.now() + wait > expires) wait = undefined
        } else {
          wait = delays[failures++]
          if (wait !== undefined) this.stats.retries++
        }
        if (wait === undefined) {
          this.#options.onFailure?.(name, event, error)
          return
        }
      }
      if (!(await this.#pause(wait))) return
    }
  }

  /** Waits `ms` before a retry; false when the stack stopped meanwhile. */
  #pause(ms: number): Promise<boolean> {
    const { signal } = this.#stopping
    if (signal.aborted) return Promise.resolve(false)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop)
        resolve(true)
      }, ms)
      const stop = () => {
        clearTimeout(timer)
        resolve(false)
      }
      signal.addEventListener('abort', stop, { once: true })
    })
  }

  /**
   * Drops the asynchronous events waiting to be tried again (a throttled one may wait minutes), so
   * a stack that stops waits only for what is running: Ctrl-C after a storm would otherwise hang.
   */
  abandonRetries(): void {
    this.#stopping.abort()
  }

  /** Resolves once every asynchronous invocation started so far, and those they started, has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight])
  }

  /** The Invoke API. */
  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = request.method === 'POST' && request.url?.match(INVOKE_PATH)
    if (!match) return sendAwsError(response, 404, 'UnknownOperationException', 'Unknown operation')
    const name = decodeURIComponent(match[1] as string)
      .split(':')
      .at(-1) as string
    const denial = this.guard?.(
      request.headers.authorization,
      'lambda:InvokeFunction',
      localArn.function(name),
    )
    if (denial) return sendAwsError(response, 403, denial.type, denial.message)
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
    // Accepted into Lambda's queue even when the function is throttled: the queue retries it.
    if (request.headers['x-amz-invocation-type'] === 'Event') {
      this.invokeAsync(name, event)
      return send(response, 202)
    }
    try {
      send(response, 200, JSON.stringify((await this.invoke(name, event)) ?? null))
    } catch (error) {
      if (error instanceof TooManyRequestsError) {
        const answer = { Reason: error.reason, Type: 'User', message: error.message }
        return send(response, error.status, JSON.stringify(answer), {
          'content-type': 'application/json',
          'x-amzn-errortype': error.type,
        })
      }
      const failure = error as Error
      send(response, 200, JSON.stringify({ errorType: failure.name, errorMessage: failure.message }), {
        'content-type': 'application/json',
        'x-amz-function-error': 'Unhandled',
      })
    }
  }

  override async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.terminate()))
    await super.close()
  }
}
