import { startBenchStack } from '../support/bench-stack.js'
import type { Arrivals } from '../support/fleet-protocol.js'
import { percentile, sortNumbers, table } from '../support/stats.js'

export interface EndToEndOptions {
  /** Socket counts to measure latency at. */
  sizes: number[]
  /** Broadcasts whose latency is measured, one at a time, at each size. */
  samples: number
  /** Back-to-back broadcasts, and to how many sockets. */
  burst: { broadcasts: number; sockets: number }
}

// The seed (Django Channels + channels_redis + daphne) on this machine, from the issue.
const SEED = {
  p50_1000: '180–215',
  p99_1000: '200–230',
  full_10000: '2,200–2,500',
  burst_200x1000: '25,000–29,000',
  connects: '160–300',
}

/** The latest of many times; a spread into Math.max overflows the stack past ~100,000 values. */
function latest(times: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY
  for (const time of times) if (time > max) max = time
  return max
}

function latencies(arrivals: Arrivals, published: Map<string, number>) {
  const all: number[] = []
  const full: number[] = []
  for (const [id, times] of Object.entries(arrivals.times)) {
    const start = published.get(id) as number
    for (const time of times) all.push(time - start)
    if (times.length) full.push(latest(times) - start)
  }
  return { all: sortNumbers(all), full: sortNumbers(full) }
}

type Bench = Awaited<ReturnType<typeof startBenchStack>>

/** One broadcast at a time to `size` sockets, `samples` times, after three unmeasured ones. */
async function broadcasts(bench: Bench, size: number, samples: number) {
  const opened = await bench.fleet.open({
    url: bench.stack.websocketUrl,
    users: Array.from({ length: size }, (_, i) => `user-${size}-${i}`),
    secret: bench.secret,
    concurrency: 64,
  })
  const connectRate = (opened.opened / opened.ms) * 1000
  // Unmeasured broadcasts first: the first ones pay for JIT compilation and opening socket pools.
  for (let i = 0; i < 3; i++) {
    const { id } = await bench.publisher.sendSystemNotification({ title: `warm-up ${i}`, message: '' })
    await bench.fleet.wait({ ids: [id], expected: size, timeoutMs: 30_000 })
  }
  const published = new Map<string, number>()
  const all: number[] = []
  const full: number[] = []
  let lost = 0
  let duplicates = 0
  for (let i = 0; i < samples; i++) {
    const start = Date.now()
    const { id } = await bench.publisher.sendSystemNotification({ title: `sample ${i}`, message: '' })
    published.set(id, start)
    const arrivals = await bench.fleet.wait({ ids: [id], expected: size, timeoutMs: 30_000 })
    const measured = latencies(arrivals, published)
    all.push(...measured.all)
    full.push(...measured.full)
    lost += size - (arrivals.times[id]?.length ?? 0)
    duplicates += arrivals.duplicates
  }
  const sortedAll = sortNumbers(all)
  const sortedFull = sortNumbers(full)
  await bench.fleet.closeSockets()
  await bench.stack.lambda.idle()
  return {
    row: {
      sockets: size,
      'connects/s': connectRate,
      'p50 ms': percentile(sortedAll, 0.5),
      'p95 ms': percentile(sortedAll, 0.95),
      'p99 ms': percentile(sortedAll, 0.99),
      'fully received ms (median)': percentile(sortedFull, 0.5),
      lost,
      duplicated: duplicates,
    },
    opened,
  }
}

/** `broadcasts` published back to back to `sockets` sockets: how long until every socket has every one. */
async function burst(bench: Bench, { broadcasts: count, sockets }: EndToEndOptions['burst']) {
  await bench.fleet.open({
    url: bench.stack.websocketUrl,
    users: Array.from({ length: sockets }, (_, i) => `burst-${i}`),
    secret: bench.secret,
    concurrency: 64,
  })
  const started = Date.now()
  const ids: string[] = []
  for (let i = 0; i < count; i++)
    ids.push((await bench.publisher.sendSystemNotification({ title: `burst ${i}`, message: '' })).id)
  const arrivals = await bench.fleet.wait({ ids, expected: sockets, timeoutMs: 120_000 })
  const last = latest(Object.values(arrivals.times).flat())
  const received = Object.values(arrivals.times).reduce((sum, times) => sum + times.length, 0)
  return {
    broadcasts: count,
    sockets,
    'all received ms': last - started,
    'deliveries/s': (received / (last - started)) * 1000,
    lost: count * sockets - received,
    duplicated: arrivals.duplicates,
  }
}

/** Publish → receipt on real sockets through every hop of the local stack. */
export async function endToEnd(options: EndToEndOptions) {
  // Functions that scale out on Lambda run as two instances each here, in worker threads.
  const bench = await startBenchStack({ threads: { fanout: 2, connect: 2, authorizer: 2, welcome: 2 } })
  const rows: Record<string, string | number>[] = []
  const results: Record<string, unknown> = {}
  try {
    for (const size of options.sizes) {
      const { row, opened } = await broadcasts(bench, size, options.samples)
      rows.push(row)
      results[`broadcast_${size}`] = { ...row, opened: opened.opened, failed: opened.failed }
    }
    const burstRow = await burst(bench, options.burst)
    results.burst = burstRow
    table('End to end: one broadcast at a time (publish → receipt on every socket)', rows)
    table(`End to end: ${burstRow.broadcasts} back-to-back broadcasts to ${burstRow.sockets} sockets`, [
      burstRow,
    ])
    table('The seed (Django Channels) on this machine, from the issue', [
      { measure: 'broadcast p50 at 1,000 sockets, ms', seed: SEED.p50_1000 },
      { measure: 'broadcast p99 at 1,000 sockets, ms', seed: SEED.p99_1000 },
      { measure: 'one broadcast to 10,000 fully received, ms', seed: SEED.full_10000 },
      { measure: '200 broadcasts to 1,000 sockets, ms', seed: SEED.burst_200x1000 },
      { measure: 'connects/s', seed: SEED.connects },
    ])
    return results
  } finally {
    await bench.close()
  }
}
