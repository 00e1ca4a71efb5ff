// What every Lambda instance thread does once its handler is loaded: answer one invocation at a
// time, sending back the result or the error's name and message, as the runtime reports them.
import { parentPort } from 'node:worker_threads'

/** Serves invocations with `invoke(event)` and tells the pool the instance is ready. */
export function serveInvocations(invoke) {
  parentPort.on('message', async ({ id, event }) => {
    try {
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
