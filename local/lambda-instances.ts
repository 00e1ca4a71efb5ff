import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { AwsClientSettings } from '../shared/runtime/aws-clients.js'
import type { Env } from '../shared/runtime/config.js'

/** A function run in a worker thread of its own, hosting its instances: off the gateway's core, like Lambda's. */
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

/** What Lambda reports when the runtime dies in the middle of an invocation. */
const exitError = (code: number) =>
  Object.assign(new Error(`exit status ${code}`), { name: 'Runtime.ExitError' })

interface Reply {
  id: number
  ok: boolean
  result?: unknown
  error?: { name: string; message: string }
}

/**
 * The instances of one function, hosted in one worker thread of their own: an invocation takes the
 * idle instance used last (Lambda reuses warm instances), or, when every one is busy, a new one,
 * made in the host on its first invocation (its cold start: the handler and its state, not the
 * thread). Whether it may run at all is the concurrency accounting's decision, made before it gets
 * here, so there are never more instances than invocations at the busiest moment. Instances are not
 * threads because a thread costs this machine ~0.3 s of CPU and ~45 MB to start: a reconnect storm
 * scaled to hundreds of them took every core and gigabytes from the stack it was meant to model.
 * The first instance stays warm; any other is retired once idle for `keepWarmMs`, as Lambda
 * reclaims the instances a burst left behind.
 */
export class InstancePool {
  readonly #host: Worker
  readonly #keepWarmMs: number
  readonly #idle: number[] = []
  readonly #reapTimers = new Map<number, NodeJS.Timeout>()
  #instances = 0
  #nextInstance = 0
  #nextCall = 0
  #exited: number | undefined

  /** Invocations sent to the host and not answered yet, by call id. */
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: unknown) => void }
  >()

  private constructor(host: Worker, keepWarmMs: number) {
    this.#host = host
    this.#keepWarmMs = keepWarmMs
    host.on('message', (reply: Reply) => {
      const call = this.#pending.get(reply.id)
      if (!call) return
      this.#pending.delete(reply.id)
      if (reply.ok) call.resolve(reply.result)
      else call.reject(Object.assign(new Error(reply.error?.message), { name: reply.error?.name }))
    })
    // Invocations running when the host dies fail, as Lambda reports a runtime that died; later ones fail at once.
    host.on('error', () => {})
    host.once('exit', (code) => {
      this.#exited = code
      for (const call of this.#pending.values()) call.reject(exitError(code))
      this.#pending.clear()
    })
  }

  /** A pool with its host started, so a function that cannot load fails here, not later. */
  static async start(spec: ThreadedFunction, keepWarmMs: number): Promise<InstancePool> {
    const { script, options } = instanceOf(spec)
    const host = new Worker(script, { ...options, execArgv: [] })
    await new Promise<void>((resolve, reject) => {
      host.once('exit', (code) => reject(new Error(`Function host exited (${code}) while starting`)))
      host.once('message', () => resolve())
    })
    return new InstancePool(host, keepWarmMs)
  }

  /** Instances alive, busy or idle. */
  get size(): number {
    return this.#instances
  }

  async run(event: unknown): Promise<unknown> {
    let instance = this.#idle.pop()
    if (instance === undefined) {
      instance = this.#nextInstance++
      this.#instances++
    }
    clearTimeout(this.#reapTimers.get(instance))
    this.#reapTimers.delete(instance)
    try {
      return await this.#call(instance, event)
    } finally {
      this.#release(instance)
    }
  }

  async terminate(): Promise<void> {
    for (const timer of this.#reapTimers.values()) clearTimeout(timer)
    await this.#host.terminate()
  }

  #call(instance: number, event: unknown): Promise<unknown> {
    if (this.#exited !== undefined) return Promise.reject(exitError(this.#exited))
    const id = this.#nextCall++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#host.postMessage({ id, instance, event })
    })
  }

  /** An instance that came free waits for the next invocation, and is retired if none comes in time. */
  #release(instance: number): void {
    this.#idle.push(instance)
    if (this.#instances === 1) return
    const timer = setTimeout(() => this.#retire(instance), this.#keepWarmMs)
    // Retiring is housekeeping: it must not keep a test or npm start's process alive.
    timer.unref()
    this.#reapTimers.set(instance, timer)
  }

  #retire(instance: number): void {
    this.#reapTimers.delete(instance)
    const index = this.#idle.indexOf(instance)
    if (this.#instances <= 1 || index === -1) return
    this.#idle.splice(index, 1)
    this.#instances--
    this.#host.postMessage({ retire: instance })
  }
}
