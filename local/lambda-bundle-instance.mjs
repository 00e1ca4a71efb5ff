// One Lambda instance running a function's esbuild bundle as the Node.js runtime does: the thread's
// process.env is the function's environment (settings, region, credentials, endpoints), the bundle
// is imported as it ships (only the AWS SDK resolved outside it), and `handler(event, context)` is
// called for each invocation, one at a time.
import { randomUUID } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'

const { handler } = await import(workerData.bundle)
const timeoutMs = workerData.timeoutSeconds * 1000

parentPort.on('message', async ({ id, event }) => {
  const deadline = Date.now() + timeoutMs
  const context = {
    functionName: workerData.name,
    functionVersion: '$LATEST',
    awsRequestId: randomUUID(),
    memoryLimitInMB: String(workerData.memorySize),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  }
  try {
    parentPort.postMessage({ id, ok: true, result: await handler(event, context) })
  } catch (error) {
    parentPort.postMessage({
      id,
      ok: false,
      error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) },
    })
  }
})
parentPort.postMessage({ ready: true })
