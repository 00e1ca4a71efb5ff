import { gzipSync } from 'node:zlib'
import { describe, expect, it, vi } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'

const herald = withLocalStack({ env: { HERALD_LOG_RATE_PER_SOURCE: '5', HERALD_LOG_ENVIRONMENT: 'prod' } })

/** What a CloudWatch Logs subscription filter hands its Lambda destination. */
function subscriptionEvent(logGroup: string, lines: string[]) {
  const start = Date.now()
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream: '2026/11/26/[$LATEST]abc',
    subscriptionFilters: ['herald'],
    logEvents: lines.map((message, i) => ({ id: `${start}${i}`, timestamp: start + i, message })),
  }
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } }
}

describe('CloudWatch Logs to the log stream', () => {
  it('streams each line with its level, source and environment to the subscribers whose filters match', async () => {
    const [all, errors, other] = await Promise.all([
      herald.connect('ops', 'stream=logs'),
      herald.connect('oncall', 'stream=logs'),
      herald.connect('dev', 'stream=logs'),
    ])
    errors.send({ type: 'set_filters', filters: { level: 'error', source: 'orders' } })
    other.send({ type: 'set_filters', filters: { environment: 'staging' } })
    await Promise.all([errors.next('filters_updated'), other.next('filters_updated')])

    await herald.stack.lambda.invoke(
      'herald-ingest-logs',
      subscriptionEvent('/aws/lambda/orders', [
        '{"level":"INFO","message":"order 7 placed","service":"orders"}',
        '2026-11-26T10:00:00.000Z\t8f5c1e2a\tERROR\tcard declined for order 7',
      ]),
    )
    await herald.stack.idle()
    await Promise.all([all, errors, other].map((client) => client.caughtUp()))

    const lines = (client: typeof all) =>
      client
        .received('log_event')
        .map((f) => f.data as { message: string })
        .sort((a, b) => String(a.message).localeCompare(String(b.message)))
    expect(lines(all)).toEqual([
      {
        level: 'error',
        message: 'card declined for order 7',
        source: 'orders',
        environment: 'prod',
        timestamp: expect.any(String),
      },
      {
        level: 'info',
        message: 'order 7 placed',
        source: 'orders',
        environment: 'prod',
        timestamp: expect.any(String),
      },
    ])
    expect(lines(errors).map((l) => l.message)).toEqual(['card declined for order 7'])
    expect(lines(other)).toEqual([])
    for (const client of [all, errors, other]) client.close()
  })

  it('caps a log storm per source and tells system subscribers what it dropped', async () => {
    const [viewer, watcher] = await Promise.all([
      herald.connect('viewer', 'stream=logs'),
      herald.connect('watcher'),
    ])

    await herald.stack.lambda.invoke(
      'herald-ingest-logs',
      subscriptionEvent(
        '/aws/lambda/noisy',
        Array.from({ length: 20 }, (_, i) => `INFO line ${i}`),
      ),
    )
    await herald.stack.idle()

    await vi.waitFor(() => expect(watcher.received('system')).toHaveLength(1))
    expect(viewer.received('log_event')).toHaveLength(5)
    expect(watcher.received('system')[0]?.data).toMatchObject({
      title: 'Log volume cap: 15 log events from noisy not streamed',
      severity: 'medium',
    })
    viewer.close()
    watcher.close()
  })
})
