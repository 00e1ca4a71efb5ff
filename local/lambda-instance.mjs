// One Lambda instance in its own thread: loads a function module and answers invocations, one at a
// time. Plain JavaScript, because it must register the TypeScript loader before importing anything.
import { parentPort, workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const functionModule = await import(workerData.module)
const { awsClients } = await import(workerData.clientsModule)
const handler = functionModule.fromEnvironment(workerData.env, awsClients(workerData.settings))

parentPort.on('message', async ({ id, event }) => {
  try {
    parentPort.postMessage({ id, ok: true, result: await handler(event) })
  } catch (error) {
    parentPort.postMessage({
      id,
      ok: false,
      error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) },
    })
  }
})
parentPort.postMessage({ ready: true })
