// What every function's host thread does once its code is loaded: serve invocations, each on the
// instance the pool names, creating an instance the first time it is named (its cold start), and
// send back the result or the error's name and message, as the runtime reports them. An instance
// runs one invocation at a time (the pool sees to it); the thread runs many instances at once, since
// an instance waiting on I/O, as most of a handler's time is, needs no core of its own.
import { parentPort } from 'node:worker_threads'

/** Serves invocations with instances made by `createInstance()`, and tells the pool the host is ready. */
export function serveInvocations(createInstance) {
  const instances = new Map()
  parentPort.on('message', async ({ id, instance, event, retire }) => {
    if (retire !== undefined) {
      instances.delete(retire)
      return
    }
    let invoke = instances.get(instance)
    try {
      if (!invoke) {
        invoke = await createInstance()
        instances.set(instance, invoke)
      }
      parentPort.postMessage({ id, ok: true, result: await invoke(event) })
    } catch (error) {
      parentPort.postMessage({
        id,
        ok: false,
        error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) },
      })
    }
  })
  parentPort.postMessage({ ready: true })
}
