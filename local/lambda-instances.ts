import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { AwsClientSettings } from '../shared/runtime/aws-clients.js'
import type { Env } from '../shared/runtime/config.js'

/** A function run in worker threads, each thread one instance: true parallelism, like Lambda's. */
export type ThreadedFunction =
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

/**
 * Cold starts under way at once, across every function. On Lambda a cold start takes another
 * machine; here it takes ~0.3 s of this machine's CPU, which the gateway and every warm instance
 * need too. Unbounded, a burst feeds itself: cold starts slow every invocation down, so more run at
 * once, so more instances start. One at a time, the rest of the machine keeps a core.
 */
class ColdStarts {
  readonly #turns: (() => void)[] = []
  #taken = false

  /** Resolves when it is the caller's turn to start an instance. */
  async take(): Promise<void> {
    if (!this.#taken) {
      this.#taken = true
      return
    }
    await new Promise<void>((resolve) => this.#turns.push(resolve))
  }

  /** Hands the turn to the next in line. */
  give(): void {
    const next = this.#turns.shift()
    if (next) next()
    else this.#taken = false
  }
}

const coldStarts = new ColdStarts()

/**
 * The instances of one function, each a worker thread serving one invocation at a time. An
 * invocation takes the idle instance used last (Lambda reuses warm instances); when every one is
 * busy, another is started, cold start included, and the invocation takes the first instance that
 * is free or started. Whether it may run at all is the concurrency accounting's decision, made
 * before it gets here, so there are never more instances than invocations at the busiest moment.
 * The first instance stays warm; any other is stopped once idle for `keepWarmMs`, as Lambda
 * reclaims the instances a burst left behind.
 */
export class InstancePool {
  readonly #spec: ThreadedFunction
  readonly #keepWarmMs: number
  readonly #workers = new Set<Worker>()
  readonly #idle: Worker[] = []
  readonly #waiting: { resolve: (worker: Worker) => void; reject: (error: unknown) => void }[] = []
  readonly #vacancies: (() => void)[] = []
  readonly #reapTimers = new Map<Worker, NodeJS.Timeout>()
  /** Invocations in this pool: running on an instance or waiting for one. */
  #demand = 0
  /** Waiting its turn for a cold start. */
  #queued = false
  #next = 0
  #closed = false

  private constructor(spec: ThreadedFunction, keepWarmMs: number) {
    this.#spec = spec
    this.#keepWarmMs = keepWarmMs
  }

  /** A pool with its first instance started, so a function that cannot load fails here, not later. */
  static async start(spec: ThreadedFunction, keepWarmMs: number): Promise<InstancePool> {
    const pool = new InstancePool(spec, keepWarmMs)
    pool.#release(await pool.#coldStart())
    return pool
  }

  /** Instances alive, busy, idle or starting. */
  get size(): number {
    return this.#workers.size
  }

  /**
   * Undefined when no invocation waits for an instance, else a promise of the moment none does.
   * Lambda takes an asynchronous event from its queue when an instance can run it, and would have
   * started one within a second; here instances start one at a time, so events taken at once would
   * pile up waiting, each holding a unit of the account's concurrency that Lambda would not count,
   * and throttle every other function.
   */
  vacancy(): Promise<void> | undefined {
    if (this.#waiting.length === 0 && this.#vacancies.length === 0) return undefined
    return new Promise((resolve) => this.#vacancies.push(resolve))
  }

  async run(event: unknown): Promise<unknown> {
    this.#demand++
    let worker: Worker | undefined
    try {
      worker = this.#idle.pop()
      if (worker) this.#offerVacancy()
      else worker = await this.#instance()
      clearTimeout(this.#reapTimers.get(worker))
      this.#reapTimers.delete(worker)
      return await this.#call(worker, event)
    } finally {
      this.#demand--
      if (worker) this.#release(worker)
    }
  }

  /** The first instance to come free or finish starting, starting one if every one is taken. */
  #instance(): Promise<Worker> {
    const taken = new Promise<Worker>((resolve, reject) => this.#waiting.push({ resolve, reject }))
    this.#grow()
    return taken
  }

  /**
   * Starts an instance while invocations outnumber them: one cold start at a time across the twin
   * (ColdStarts), each function taking its turn, so the fan-out's burst cannot delay the welcomes'.
   */
  #grow(): void {
    if (this.#closed || this.#queued || this.#workers.size >= this.#demand) return
    this.#queued = true
    void this.#add()
  }

  async #add(): Promise<void> {
    await coldStarts.take()
    this.#queued = false
    try {
      // Demand may have been met while this waited its turn.
      if (this.#closed || this.#workers.size >= this.#demand) return
      this.#release(await this.#coldStart())
    } catch (error) {
      // As on Lambda, a failed init fails the invocation that waited for it; the next one tries again.
      this.#waiting.shift()?.reject(error)
    } finally {
      coldStarts.give()
      // Behind the other functions waiting to start one, if this one still needs more.
      this.#grow()
    }
  }

  async terminate(): Promise<void> {
    this.#closed = true
    for (const timer of this.#reapTimers.values()) clearTimeout(timer)
    await Promise.all([...this.#workers].map((worker) => worker.terminate()))
  }

  #coldStart(): Promise<Worker> {
    const { script, options } = instanceOf(this.#spec)
    const worker = new Worker(script, { ...options, execArgv: [] })
    this.#workers.add(worker)
    // An instance that dies is gone for good; an invocation it was running fails (see #call).
    worker.on('error', () => {})
    worker.once('exit', () => {
      this.#forget(worker)
      this.#grow()
    })
    return new Promise((resolve, reject) => {
      worker.once('exit', (code) => reject(new Error(`Function instance exited (${code}) while starting`)))
      worker.once('message', () => resolve(worker))
    })
  }

  #call(worker: Worker, event: unknown): Promise<unknown> {
    const id = this.#next++
    return new Promise((resolve, reject) => {
      const onReply = (reply: Reply) => {
        if (reply.id !== id) return
        done()
        if (reply.ok) resolve(reply.result)
        else reject(Object.assign(new Error(reply.error?.message), { name: reply.error?.name }))
      }
      // What Lambda reports when the runtime dies in the middle of an invocation.
      const onExit = (code: number) => {
        done()
        reject(Object.assign(new Error(`exit status ${code}`), { name: 'Runtime.ExitError' }))
      }
      const done = () => {
        worker.off('message', onReply)
        worker.off('exit', onExit)
      }
      worker.on('message', onReply)
      worker.once('exit', onExit)
      worker.postMessage({ id, event })
    })
  }

  /** Hands an instance that came free (or started) to the first invocation waiting, else keeps it idle. */
  #release(worker: Worker): void {
    if (!this.#workers.has(worker)) return
    const waiter = this.#waiting.shift()
    this.#offerVacancy()
    if (waiter) {
      waiter.resolve(worker)
      return
    }
    this.#idle.push(worker)
    if (this.#workers.size === 1) return
    const timer = setTimeout(() => this.#reap(worker), this.#keepWarmMs)
    // Reaping is housekeeping: it must not keep a test or npm start's process alive.
    timer.unref()
    this.#reapTimers.set(worker, timer)
  }

  /** The next queued asynchronous event may come in: nothing is waiting for an instance. */
  #offerVacancy(): void {
    if (this.#waiting.length === 0) this.#vacancies.shift()?.()
  }

  #reap(worker: Worker): void {
    this.#reapTimers.delete(worker)
    if (this.#workers.size <= 1 || !this.#idle.includes(worker)) return
    this.#forget(worker)
    void worker.terminate()
  }

  #forget(worker: Worker): void {
    clearTimeout(this.#reapTimers.get(worker))
    this.#reapTimers.delete(worker)
    this.#workers.delete(worker)
    const index = this.#idle.indexOf(worker)
    if (index !== -1) this.#idle.splice(index, 1)
  }
}
