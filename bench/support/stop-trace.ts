// Part of herald-probe.ts, in `npm start`'s process: after a storm, Ctrl-C has been seen to leave
// `npm start` running. This records which of the stack's stopping steps began after SIGINT and has
// not finished, so a bench that has to kill the stack can say what held it.
import { LocalGateway } from '../../local/gateway.js'
import { LocalLambda } from '../../local/lambda-runtime.js'
import { LocalSecretsManager } from '../../local/secrets-manager.js'
import { LocalSns } from '../../local/sns.js'
import { LocalSqs } from '../../local/sqs.js'

let interruptedAt: number | undefined
const unfinished = new Map<string, number>()

process.on('SIGINT', () => {
  interruptedAt ??= Date.now()
})

/** Wraps `proto[method]` so a call made while stopping is listed until it resolves. */
function trace(proto: object, method: string, label: string): void {
  const target = proto as Record<string, (...args: unknown[]) => unknown>
  const original = target[method]
  if (typeof original !== 'function') return
  target[method] = async function (this: unknown, ...args: unknown[]) {
    if (interruptedAt === undefined) return original.apply(this, args)
    unfinished.set(label, (unfinished.get(label) ?? 0) + 1)
    try {
      return await original.apply(this, args)
    } finally {
      const left = (unfinished.get(label) ?? 1) - 1
      if (left > 0) unfinished.set(label, left)
      else unfinished.delete(label)
    }
  }
}

// The steps of the local stack's close(), in its order.
trace(LocalGateway.prototype, 'close', 'gateway.close')
trace(LocalLambda.prototype, 'idle', 'lambda.idle')
trace(LocalSqs.prototype, 'idle', 'sqs.idle')
trace(LocalSns.prototype, 'close', 'sns.close')
trace(LocalSqs.prototype, 'close', 'sqs.close')
trace(LocalLambda.prototype, 'close', 'lambda.close')
trace(LocalSecretsManager.prototype, 'close', 'secrets.close')

export interface StopState {
  /** Milliseconds since SIGINT, if it came. */
  sinceInterruptMs?: number
  /** The stopping steps begun and not finished, with how many calls of each. */
  unfinished: Record<string, number>
  /** What keeps the event loop alive, by kind (Node's own count of handles and requests). */
  resources: Record<string, number>
}

export function stopState(): StopState {
  const resources: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1
  return {
    ...(interruptedAt === undefined ? {} : { sinceInterruptMs: Date.now() - interruptedAt }),
    unfinished: Object.fromEntries(unfinished),
    resources,
  }
}
