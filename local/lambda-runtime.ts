import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { HeraldError } from '../shared/errors.js'
import type { AwsClientSettings } from '../shared/runtime/aws-clients.js'
import type { Env } from '../shared/runtime/config.js'
import { closeServer, guarded, listen, readBody, send, sendAwsError } from './http.js'
import { type Guard, localArn } from './iam.js'

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

/** A function run in worker threads, each thread one instance: true parallelism, like Lambda's. */
export type ThreadedFunction = { instances: number } & (
  | {
      /** The function module's path; it must export `fromEnvironment(env, aws)`. */
      module: string
      env: Env
      settings: AwsClientSettings
    }
  | {
      /** An esbuild bundle exporting `handler`, run with `processEnv` as the thread's environment. */
      bundle: string
      processEnv: Env
      name: string
      timeoutSeconds: number
      memorySize: number
    }
)

/** The worker script, its data and its environment for one instance of `spec`. */
function instanceOf(spec: ThreadedFunction) {
  if ('bundle' in spec) {
    const { bundle, name, timeoutSeconds, memorySize } = spec
    return {
      script: new URL('./lambda-bundle-instance.mjs', import.meta.url),
      options: { workerData: { bundle, name, timeoutSeconds, memorySize }, env: spec.processEnv },
    }
  }
  const clientsModule = fileURLToPath(new URL('../shared/runtime/aws-clients.ts', import.meta.url))
  return {
    script: new URL('./lambda-instance.mjs', import.meta.url),
    options: { workerData: { module: spec.module, clientsModule, env: spec.env, settings: spec.settings } },
  }
}

interface Reply {
  id: number
  ok: boolean
  result?: unknown
  error?: { name: string; message: string }
}

/** Instances of one function in worker threads; an invocation waits for a free one. */
class InstancePool {
  readonly #idle: Worker[] = []
  readonly #waiting: ((worker: Worker) => void)[] = []
  readonly #workers: Worker[] = []
  readonly ready: Promise<void>
  #next = 0

  constructor(spec: ThreadedFunction) {
    const { script, options } = instanceOf(spec)
    const started = Array.from({ length: spec.instances }, () => {
      const worker = new Worker(script, { ...options, execArgv: [] })
      this.#workers.push(worker)
      return new Promise<void>((resolve, reject) => {
        worker.once('error', reject)
        worker.once('message', () => {
          this.#release(worker)
          resolve()
        })
      })
    })
    this.ready = Promise.all(started).then(() => undefined)
  }

  async run(event: unknown): Promise<unknown> {
    const worker = this.#idle.pop() ?? (await new Promise<Worker>((resolve) => this.#waiting.push(resolve)))
    const id = this.#next++
    try {
      return await new Promise((resolve, reject) => {
        const onReply = (reply: Reply) => {
          if (reply.id !== id) return
          worker.off('message', onReply)
          if (reply.ok) resolve(reply.result)
          else reject(Object.assign(new Error(reply.error?.message), { name: reply.error?.name }))
        }
        worker.on('message', onReply)
        worker.postMessage({ id, event })
      })
    } finally {
      this.#release(worker)
    }
  }

  #release(worker: Worker): void {
    const waiter = this.#waiting.shift()
    if (waiter) waiter(worker)
    else this.#idle.push(worker)
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.#workers.map((worker) => worker.terminate()))
  }
}

/**
 * The twin of Lambda's invoke semantics: synchronous invocation returns the handler's result or
 * throws its error; asynchronous invocation returns at once and retries a failure twice; and the
 * Invoke API (`POST /2015-03-31/functions/{name}/invocations`) serves the SDK's LambdaClient.
 */
export class LocalLambda {
  readonly #handlers = new Map<string, LambdaHandler>()
  readonly #retryAttempts = new Map<string, number>()
  #guard: Guard | undefined
  /** Asynchronous invocations retried after an error, as Lambda would. */
  readonly stats = { retries: 0 }
  readonly #pools: InstancePool[] = []
  readonly #inFlight = new Set<Promise<void>>()
  readonly #retryDelaysMs: number[]
  readonly #onFailure: NonNullable<LocalLambdaOptions['onFailure']>
  #server: Server | undefined

  constructor(options: LocalLambdaOptions = {}) {
    this.#retryDelaysMs = options.retryDelaysMs ?? [1000, 2000]
    this.#onFailure = options.onFailure ?? (() => {})
  }

  /** Adds a function; `retryAttempts` is its asynchronous retry setting, as the CDK stack sets it. */
  register(name: string, handler: LambdaHandler, retryAttempts?: number): void {
    this.#handlers.set(name, handler)
    if (retryAttempts !== undefined) this.#retryAttempts.set(name, retryAttempts)
  }

  /** Runs `name` in `spec.instances` worker threads; resolves once every instance has started. */
  async registerThreaded(name: string, spec: ThreadedFunction, retryAttempts?: number): Promise<void> {
    const pool = new InstancePool(spec)
    this.#pools.push(pool)
    await pool.ready
    this.register(name, (event) => pool.run(event), retryAttempts)
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

  /** RequestResponse: the handler's result, or its error. */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const handler = this.#handlers.get(name)
    if (!handler) throw new HeraldError('function_not_found', `Function not found: ${name}`)
    // A copy, as the event would be serialized on its way to a real function.
    return handler(structuredClone(event))
  }

  /** Event: returns at once; a failing handler is retried (as many times as its setting allows), then reported to `onFailure`. */
  invokeAsync(name: string, event: unknown): void {
    const delays = this.#retryDelaysMs.slice(0, this.#retryAttempts.get(name) ?? this.#retryDelaysMs.length)
    const run = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.invoke(name, event)
          return
        } catch (error) {
          const delay = delays[attempt]
          if (delay === undefined) {
            this.#onFailure(name, event, error)
            return
          }
          this.stats.retries++
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

  /** Checks every Invoke API call against the caller's role from now on. */
  enforce(guard: Guard): void {
    this.#guard = guard
  }

  /** Serves the Invoke API on loopback; returns its endpoint. */
  async listen(port = 0): Promise<string> {
    this.#server = createServer(
      guarded(async (request, response) => {
        const match =
          request.method === 'POST' && request.url?.match(/^\/2015-03-31\/functions\/([^/]+)\/invocations/)
        if (!match) return sendAwsError(response, 404, 'UnknownOperationException', 'Unknown operation')
        const name = decodeURIComponent(match[1] as string)
          .split(':')
          .at(-1) as string
        const denial = this.#guard?.(
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
      }),
    )
    return `http://127.0.0.1:${await listen(this.#server, port)}`
  }

  async close(): Promise<void> {
    await Promise.all(this.#pools.map((pool) => pool.terminate()))
    if (this.#server) await closeServer(this.#server)
  }
}
