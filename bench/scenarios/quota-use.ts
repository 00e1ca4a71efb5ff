import { fork } from 'node:child_process'
import { join } from 'node:path'
import { chunk } from '../../shared/chunk.js'
import { workerShare } from '../../shared/fan-out/delivery-budget.js'
import type { WorkerReport, WorkerRequest } from '../support/delivery-worker.js'
import { startManagementSim } from '../support/management-sim-client.js'
import { table } from '../support/stats.js'
import { recipientsOf } from './delivery-rate.js'

export interface QuotaUseOptions {
  recipients: number
  /** The account's Management API quota, which the simulated API enforces with 429s. */
  rate: number
  burst: number
  latencyMs: number
  /** Delivery workers, each its own process with an equal share of the quota. */
  workers: number
  /** Recipients per queued batch, as the fan-out plans them. @default 500 */
  batchSize?: number
}

type Mode = { share?: { rate: number; burst: number }; bare?: boolean }

/** Runs `workers` worker processes over the batches, handing each the next batch when it asks. */
async function deliverAll(
  endpoint: string,
  batches: ReturnType<typeof recipientsOf>[],
  workers: number,
  mode: Mode,
) {
  let next = 0
  const started = performance.now()
  const reports = await Promise.all(
    Array.from({ length: workers }, () => {
      const child = fork(join(import.meta.dirname, '../support/delivery-worker.ts'), [], {
        execArgv: ['--import', 'tsx'],
      })
      return new Promise<WorkerReport>((resolve) => {
        child.on('message', (message: { want?: true; report?: WorkerReport }) => {
          if (message.want)
            child.send({ cmd: 'batch', recipients: batches[next++] ?? null } satisfies WorkerRequest)
          if (message.report) {
            child.kill()
            resolve(message.report)
          }
        })
        child.send({ cmd: 'start', endpoint, ...mode } satisfies WorkerRequest)
      })
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const delivered = reports.reduce((sum, report) => sum + report.delivered, 0)
  const cpuMicros = reports.reduce((sum, report) => sum + report.cpuMicros, 0)
  return { seconds, delivered, cpuPerDelivery: cpuMicros / Math.max(1, delivered) }
}

/**
 * A large broadcast as the CDK stack delivers it: batches on a queue, several delivery workers in
 * processes of their own, each holding an equal share of the account's Management API quota,
 * against an API that answers 429 past the quota; and, without a budget, retries alone.
 */
export async function quotaUse(options: QuotaUseOptions) {
  const sim = await startManagementSim({
    latencyMs: options.latencyMs,
    rate: options.rate,
    burst: options.burst,
  })
  const batches = chunk(recipientsOf(options.recipients), options.batchSize ?? 500)
  const quota = { rate: options.rate, burst: options.burst }
  const run = async (mode: Mode) => {
    // Let the quota's bucket refill between runs, as it would between unrelated broadcasts.
    await new Promise((resolve) => setTimeout(resolve, (options.burst / options.rate) * 1000 + 200))
    sim.reset()
    const result = await deliverAll(sim.endpoint, batches, options.workers, mode)
    const counts = await sim.counts()
    const perSecond = result.delivered / result.seconds
    return {
      'deliveries/s': perSecond,
      'of quota %': (perSecond / options.rate) * 100,
      '429s': counts.throttled,
      lost: options.recipients - result.delivered,
      'CPU µs per delivery': result.cpuPerDelivery,
    }
  }
  try {
    const budgeted = await run({ share: workerShare(quota, options.workers) })
    const unbudgeted = await run({})
    // The floor: the same posts from a bare keep-alive client, unsigned, no budget, throttled alike.
    const bare = await run({ bare: true })
    table(
      `Quota use: ${options.recipients.toLocaleString('en-US')} posts by ${options.workers} delivery workers against a quota of ${options.rate.toLocaleString('en-US')}/s (burst ${options.burst.toLocaleString('en-US')})`,
      [
        { method: `Herald: each worker holds 1/${options.workers} of the quota`, ...budgeted },
        { method: 'baseline: no budget, retries with backoff only', ...unbudgeted },
        { method: 'bare keep-alive HTTP client, unsigned (CPU floor)', ...bare },
      ],
    )
    return { budgeted, unbudgeted, bare }
  } finally {
    sim.stop()
  }
}
