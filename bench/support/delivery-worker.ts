import { Agent, request } from 'node:http'
import { DeliveryBudget } from '../../shared/fan-out/delivery-budget.js'
import { deliver } from '../../shared/fan-out/post-to-recipients.js'
import { signedHttpPoster } from '../../shared/fan-out/signed-http-poster.js'
import type { Recipient } from '../../shared/store/index-queries.js'

// One delivery worker in its own process, as each `deliver` Lambda instance is: it asks the
// benchmark (standing in for the SQS queue) for a batch, delivers it within its share of the
// quota, and asks again until the queue is empty; then reports its deliveries and CPU time.

export type WorkerRequest =
  | { cmd: 'start'; endpoint: string; share?: { rate: number; burst: number }; bare?: boolean }
  | { cmd: 'batch'; recipients: Recipient[] | null }

export interface WorkerReport {
  delivered: number
  failed: number
  cpuMicros: number
}

const payload = JSON.stringify({
  id: '01M8B1JZM47NH3KW0K9TCJ7EX4',
  type: 'system',
  data: { title: 't', message: 'm' },
})

/** A bare keep-alive HTTP client, unsigned and without a budget: the floor a delivery can cost. */
function barePost(endpoint: string, agent: Agent) {
  return (recipient: Recipient) =>
    new Promise<boolean>((resolve) => {
      const url = new URL(`${endpoint}/@connections/${encodeURIComponent(recipient.connectionId)}`)
      const call = request(url, { method: 'POST', agent }, (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode === 200))
      })
      call.on('error', () => resolve(false))
      call.end(payload)
    })
}

let next: ((recipients: Recipient[] | null) => void) | undefined
const nextBatch = () =>
  new Promise<Recipient[] | null>((resolve) => {
    next = resolve
    process.send?.({ want: true })
  })

async function run(start: Extract<WorkerRequest, { cmd: 'start' }>): Promise<WorkerReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: 100 })
  const poster = signedHttpPoster({
    endpoint: start.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxSockets: 100,
  })
  const budget = start.share ? new DeliveryBudget(start.share.rate, start.share.burst) : undefined
  const cpu = process.cpuUsage()
  let delivered = 0
  let failed = 0
  for (let batch = await nextBatch(); batch; batch = await nextBatch()) {
    if (start.bare) {
      const results = await Promise.all(batch.map(barePost(start.endpoint, agent)))
      delivered += results.filter(Boolean).length
      failed += results.filter((ok) => !ok).length
      continue
    }
    const report = await deliver(
      poster,
      batch,
      payload,
      { concurrency: 100, deadlineMs: 60_000 },
      undefined,
      budget,
    )
    delivered += report.delivered
    failed += batch.length - report.delivered
  }
  const used = process.cpuUsage(cpu)
  agent.destroy()
  return { delivered, failed, cpuMicros: used.user + used.system }
}

process.on('message', async (message: WorkerRequest) => {
  if (message.cmd === 'batch') next?.(message.recipients)
  else process.send?.({ report: await run(message) })
})
