import { DeliveryBudget } from '../../shared/fan-out/delivery-budget.js'
import { deliver } from '../../shared/fan-out/post-to-recipients.js'
import { signedHttpPoster } from '../../shared/fan-out/signed-http-poster.js'
import { startManagementSim } from '../support/management-sim-client.js'
import { table } from '../support/stats.js'
import { recipientsOf, samplePayload } from './delivery-rate.js'

/**
 * A large broadcast against a Management API throttled like the account quota: with Herald's
 * delivery budget, and without it (relying on retries alone, as a client without one would).
 */
export async function quotaUse(options: {
  recipients: number
  rate: number
  burst: number
  latencyMs: number
}) {
  const sim = await startManagementSim({
    latencyMs: options.latencyMs,
    rate: options.rate,
    burst: options.burst,
  })
  const poster = signedHttpPoster({
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
    maxSockets: 200,
  })
  const run = async (budget: DeliveryBudget | undefined) => {
    // Let the quota's bucket refill between runs, as it would between unrelated broadcasts.
    await new Promise((resolve) => setTimeout(resolve, (options.burst / options.rate) * 1000 + 200))
    sim.reset()
    const started = performance.now()
    const report = await deliver(
      poster,
      recipientsOf(options.recipients),
      samplePayload,
      { concurrency: 200, deadlineMs: 60_000 },
      undefined,
      budget,
    )
    const seconds = (performance.now() - started) / 1000
    const counts = await sim.counts()
    return {
      'deliveries/s': report.delivered / seconds,
      'of quota': `${Math.round((report.delivered / seconds / options.rate) * 100)}%`,
      '429s': counts.throttled,
      lost: options.recipients - report.delivered,
    }
  }
  try {
    const withBudget = await run(new DeliveryBudget(options.rate, options.burst))
    const without = await run(undefined)
    table(
      `Quota use: ${options.recipients.toLocaleString('en-US')} posts against a quota of ${options.rate.toLocaleString('en-US')}/s (burst ${options.burst.toLocaleString('en-US')})`,
      [
        { method: 'Herald: delivery budget at the quota', ...withBudget },
        { method: 'baseline: no budget, retries with backoff only', ...without },
      ],
    )
    return { withBudget, without }
  } finally {
    sim.stop()
  }
}
