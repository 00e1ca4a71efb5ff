// The host thread of one function's instances, running its esbuild bundle as the Node.js runtime
// does: the thread's process.env is the function's environment (settings, region, credentials,
// endpoints), the bundle is imported as it ships (only the AWS SDK resolved outside it), and
// `handler(event, context)` is called for each invocation. The bundle's module state is the
// thread's, shared by the instances it hosts.
import { randomUUID } from 'node:crypto'
import { workerData } from 'node:worker_threads'
import { serveInvocations } from './instance-loop.mjs'

const { handler } = await import(workerData.bundle)
const timeoutMs = workerData.timeoutSeconds * 1000

serveInvocations(() => (event) => {
  const deadline = Date.now() + timeoutMs
  return handler(event, {
    functionName: workerData.name,
    functionVersion: '$LATEST',
    awsRequestId: randomUUID(),
    memoryLimitInMB: String(workerData.memorySize),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  })
})
