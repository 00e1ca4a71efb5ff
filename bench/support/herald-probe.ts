// Preloaded into `npm start`'s own process (`node --import tsx --import herald-probe.ts local/main.ts`,
// see probed-herald.ts), so a bench measures local/main.ts itself, with every default it has, and
// still reaches its gateway and Lambda twin, which main.ts keeps to itself. It takes hold of them as
// they start (the first `register*` and `listen` calls), and does nothing else until the bench asks
// over the IPC channel: wrap the functions to time them, restart the gateway, read the figures.
// It leans on the twin's internals where the twin exposes nothing (see each hook), and says so when
// one stops matching rather than report zeros.
import { Worker } from 'node:worker_threads'
import { FUNCTION_SPECS } from '../../functions/manifest.js'
import { localFunctionName } from '../../local/defaults.js'
import { LocalGateway } from '../../local/gateway.js'
import { TooManyRequestsError } from '../../local/lambda-concurrency.js'
import { type LambdaHandler, LocalLambda } from '../../local/lambda-runtime.js'
import { serveIpc } from './ipc-peer.js'
import { stopState } from './stop-trace.js'

let lambda: LocalLambda | undefined
let gateway: LocalGateway | undefined

const { register, registerThreaded } = LocalLambda.prototype
LocalLambda.prototype.register = function (this: LocalLambda, ...args: Parameters<typeof register>) {
  lambda = this
  return register.apply(this, args)
}
LocalLambda.prototype.registerThreaded = function (
  this: LocalLambda,
  ...args: Parameters<typeof registerThreaded>
) {
  lambda = this
  return registerThreaded.apply(this, args)
}
const entryOf = new Map(FUNCTION_SPECS.map(([, spec]) => [localFunctionName(spec.entry), spec.entry]))

// Which function Lambda refused for want of concurrency: the runtime counts refusals, not whose.
const { invoke } = LocalLambda.prototype
LocalLambda.prototype.invoke = async function (this: LocalLambda, ...args: Parameters<typeof invoke>) {
  try {
    return await invoke.apply(this, args)
  } catch (error) {
    const tally = figures.get(entryOf.get(args[0]) ?? '')
    if (error instanceof TooManyRequestsError && tally) tally.throttles++
    throw error
  }
}
const { listen } = LocalGateway.prototype
LocalGateway.prototype.listen = function (this: LocalGateway, ...args: Parameters<typeof listen>) {
  gateway = this
  return listen.apply(this, args)
}

/** What the bench reads for one function since its last `reset`. */
export interface FunctionFigures {
  invocations: number
  /** Summed wall time of its invocations, from the runtime calling it to its answer, waits included. */
  seconds: number
  /** Of that, the time its instances spent running it: what Lambda would bill. */
  instanceSeconds: number
  /** Instances alive at the reset, and the most alive at once since (sampled every 10 ms). */
  atReset: number
  peak: number
  /** Tries refused for want of concurrency (a queued asynchronous event counts each of its tries). */
  throttles: number
}

export interface ProbeReading {
  functions: Record<string, FunctionFigures>
  /** False when no invocation was seen on an instance: `instanceSeconds` are then unknown, not 0. */
  instanceTimes: boolean
  /** Invocations refused for want of concurrency since the reset (each try of a queued one counts). */
  throttles: number
}

const figures = new Map<string, FunctionFigures>()
/** The function each event in flight belongs to, from the wrapper, for the instance hook below. */
const eventOwners = new WeakMap<object, string>()
/** Whether the instance hook has matched any invocation: if the runtime's messages change, it says so. */
let instanceHookSeen = false

/** Per host thread: each invocation posted to it and not answered yet, by the call's id. */
const inFlight = new WeakMap<Worker, Map<number, { owner: string; posted: number }>>()

/** One listener a thread, not one a call: a thread hosts every instance of its function at once. */
function callsOn(host: Worker): Map<number, { owner: string; posted: number }> {
  const calls = inFlight.get(host)
  if (calls) return calls
  const own = new Map<number, { owner: string; posted: number }>()
  host.on('message', (reply: { id?: unknown }) => {
    const call = typeof reply?.id === 'number' ? own.get(reply.id) : undefined
    if (!call) return
    own.delete(reply.id as number)
    instanceHookSeen = true
    const tally = figures.get(call.owner)
    if (tally) tally.instanceSeconds += (performance.now() - call.posted) / 1000
  })
  inFlight.set(host, own)
  return own
}

/**
 * Time on an instance, which the runtime does not expose: an InstancePool hands an invocation to
 * its function's thread as `postMessage({ id, instance, event })` (the very event object the wrapper
 * saw) and the thread answers `{ id, ... }`. The time between the two is the invocation's run on its
 * instance, without any wait before it (for concurrency, or in the runtime's queue).
 */
const { postMessage } = Worker.prototype
Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<typeof postMessage>) {
  const [message] = args as [{ id?: unknown; event?: unknown } | undefined]
  const owner =
    typeof message?.event === 'object' && message.event ? eventOwners.get(message.event) : undefined
  if (owner !== undefined && typeof message?.id === 'number')
    callsOn(this).set(message.id, { owner, posted: performance.now() })
  return postMessage.apply(this, args)
}
let throttlesAtReset = 0
let wrapped = false

function twins(): { lambda: LocalLambda; gateway: LocalGateway } {
  if (!lambda || !gateway) throw new Error('the probe did not see npm start create its Lambda and gateway')
  return { lambda, gateway }
}

/**
 * Times every function from the moment the runtime hands it the event, which includes whatever the
 * runtime does before an instance runs it; and marks the event as the function's, so the hook
 * above can time its run on the instance alone.
 */
function wrapAll(twin: LocalLambda): void {
  if (wrapped) return
  wrapped = true
  for (const [, spec] of FUNCTION_SPECS) {
    const name = localFunctionName(spec.entry)
    if (!twin.has(name)) continue
    twin.wrap(name, (handler: LambdaHandler) => async (event) => {
      if (typeof event === 'object' && event) eventOwners.set(event, spec.entry)
      const started = performance.now()
      try {
        return await handler(event)
      } finally {
        const tally = figures.get(spec.entry)
        if (tally) {
          tally.invocations++
          tally.seconds += (performance.now() - started) / 1000
        }
      }
    })
  }
}

function reset(twin: LocalLambda): void {
  wrapAll(twin)
  throttlesAtReset = twin.stats.throttles
  for (const [, spec] of FUNCTION_SPECS) {
    const alive = twin.instances(localFunctionName(spec.entry))
    const tally = {
      invocations: 0,
      seconds: 0,
      instanceSeconds: 0,
      atReset: alive,
      peak: alive,
      throttles: 0,
    }
    figures.set(spec.entry, tally)
  }
}

// Instances only grow in a burst and stay up for minutes after it, so a 10 ms sample sees the peak.
setInterval(() => {
  if (!lambda) return
  for (const [entry, tally] of figures)
    tally.peak = Math.max(tally.peak, lambda.instances(localFunctionName(entry)))
}, 10).unref()

serveIpc(async (request) => {
  if (request.cmd === 'stopping') return stopState()
  const { lambda, gateway } = twins()
  if (request.cmd === 'reset') return reset(lambda)
  if (request.cmd === 'restart') {
    const dropAt = Date.now()
    await gateway.restart(Number(request.downtimeMs))
    return { dropAt, upAt: Date.now() }
  }
  if (request.cmd === 'read')
    return {
      functions: Object.fromEntries(figures),
      instanceTimes: instanceHookSeen,
      throttles: lambda.stats.throttles - throttlesAtReset,
    } satisfies ProbeReading
  throw new Error(`unknown probe command ${request.cmd}`)
})

// The bench went away without stopping us: stop as Ctrl-C would, so nothing is left running.
process.once('disconnect', () => process.kill(process.pid, 'SIGINT'))
