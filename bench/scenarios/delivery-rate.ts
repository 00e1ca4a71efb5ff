import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import { deliver } from '../../shared/fan-out/post-to-recipients.js'
import { signedHttpPoster } from '../../shared/fan-out/signed-http-poster.js'
import type { Recipient } from '../../shared/store/index-queries.js'
import { startManagementSim } from '../support/management-sim-client.js'
import { table } from '../support/stats.js'

const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' }

export const recipientsOf = (count: number): Recipient[] =>
  Array.from({ length: count }, (_, i) => ({
    connectionId: `c${i}`,
    userId: `u${i}`,
    key: { pk: 'topic#system#0', sk: `c${i}` },
  }))

export const samplePayload = JSON.stringify({
  id: '01M8B1JZM47NH3KW0K9TCJ7EX4',
  type: 'system',
  data: { title: 'Maintenance tonight', message: 'Writes pause 02:00–02:10 UTC.', severity: 'medium' },
  timestamp: '2026-11-26T04:00:00.000Z',
})

/**
 * One broadcast through a Management API that answers after `latencyMs`, against the ideal bound
 * (concurrency / latency) and what the common AWS samples do: `Promise.all` over the SDK client.
 */
export async function deliveryRate(options: { recipients: number; latencyMs: number; concurrency: number }) {
  const sim = await startManagementSim({ latencyMs: options.latencyMs })
  const recipients = recipientsOf(options.recipients)
  const ideal = (options.concurrency / options.latencyMs) * 1000
  try {
    const poster = signedHttpPoster({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      maxSockets: options.concurrency,
    })
    await deliver(poster, recipientsOf(200), samplePayload, { concurrency: options.concurrency })
    let started = performance.now()
    const herald = await deliver(poster, recipients, samplePayload, { concurrency: options.concurrency })
    const heraldRate = (herald.delivered / (performance.now() - started)) * 1000

    const sdk = new ApiGatewayManagementApiClient({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
    })
    const data = new TextEncoder().encode(samplePayload)
    started = performance.now()
    const settled = await Promise.allSettled(
      recipients.map((r) =>
        sdk.send(new PostToConnectionCommand({ ConnectionId: r.connectionId, Data: data })),
      ),
    )
    const baselineMs = performance.now() - started
    const baselineDelivered = settled.filter((result) => result.status === 'fulfilled').length
    sdk.destroy()

    const rows = [
      {
        method: `ideal bound (${options.concurrency} in flight / ${options.latencyMs} ms)`,
        'deliveries/s': ideal,
        'of ideal': '100%',
        delivered: options.recipients,
      },
      {
        method: `Herald: deliver(), ${options.concurrency} in flight, signed HTTP`,
        'deliveries/s': heraldRate,
        'of ideal': `${Math.round((heraldRate / ideal) * 100)}%`,
        delivered: herald.delivered,
      },
      {
        method: 'baseline: Promise.all over the SDK client',
        'deliveries/s': (baselineDelivered / baselineMs) * 1000,
        'of ideal': `${Math.round(((baselineDelivered / baselineMs) * 1000 * 100) / ideal)}%`,
        delivered: baselineDelivered,
      },
    ]
    table(
      `Delivery rate: one broadcast to ${options.recipients.toLocaleString('en-US')} connections, Management API answering in ${options.latencyMs} ms`,
      rows,
    )
    return {
      ideal,
      herald: heraldRate,
      baseline: (baselineDelivered / baselineMs) * 1000,
      ratioToIdeal: heraldRate / ideal,
      baselineDelivered,
    }
  } finally {
    sim.stop()
  }
}
