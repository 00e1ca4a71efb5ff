import { startBenchStack } from '../support/bench-stack.js'
import { table } from '../support/stats.js'

export interface SoakOptions {
  sockets: number
  minutes: number
  /** Targeted alerts per second, spread over the users. */
  targetedPerSecond: number
  /** Broadcasts to every socket per second. */
  broadcastsPerSecond: number
}

/**
 * Many sockets, a steady publish rate for minutes: is anything lost or duplicated, and does the
 * local stack's memory stay flat? Samples memory and counts once a minute.
 */
export async function soak(options: SoakOptions) {
  const bench = await startBenchStack({ threads: ['fanout'] })
  const users = Array.from({ length: options.sockets }, (_, i) => `soak-${i}`)
  const rows: Record<string, string | number>[] = []
  try {
    await bench.fleet.open({ url: bench.stack.websocketUrl, users, secret: bench.secret, concurrency: 64 })
    const end = Date.now() + options.minutes * 60_000
    let minute = 0
    let tick = 0
    const totals = { published: 0, expected: 0, received: 0, lost: 0, duplicated: 0 }
    while (Date.now() < end) {
      const ids: { id: string; expected: number }[] = []
      const minuteEnd = Math.min(end, Date.now() + 60_000)
      while (Date.now() < minuteEnd) {
        const started = Date.now()
        for (let i = 0; i < options.targetedPerSecond; i++) {
          const user = users[(tick * options.targetedPerSecond + i) % users.length] as string
          ids.push({
            id: (
              await bench.publisher.sendAlertNotification(user, {
                severity: 'low',
                title: 'soak',
                message: '',
              })
            ).id,
            expected: 1,
          })
        }
        for (let i = 0; i < options.broadcastsPerSecond; i++) {
          ids.push({
            id: (await bench.publisher.sendSystemNotification({ title: 'soak', message: '' })).id,
            expected: options.sockets,
          })
        }
        tick++
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - started))))
      }
      minute++
      const targeted = ids.filter((i) => i.expected === 1).map((i) => i.id)
      const broadcasts = ids.filter((i) => i.expected > 1).map((i) => i.id)
      const first = await bench.fleet.wait({ ids: targeted, expected: 1, timeoutMs: 30_000 })
      const second = await bench.fleet.wait({ ids: broadcasts, expected: options.sockets, timeoutMs: 30_000 })
      const arrivals = {
        times: { ...first.times, ...second.times },
        duplicates: first.duplicates + second.duplicates,
      }
      let received = 0
      let lost = 0
      for (const { id, expected } of ids) {
        const got = arrivals.times[id]?.length ?? 0
        received += got
        lost += Math.max(0, expected - got)
      }
      const expected = ids.reduce((sum, i) => sum + i.expected, 0)
      totals.published += ids.length
      totals.expected += expected
      totals.received += received
      totals.lost += lost
      totals.duplicated += arrivals.duplicates
      const memory = process.memoryUsage()
      rows.push({
        minute,
        published: ids.length,
        'deliveries expected': expected,
        delivered: received,
        lost,
        duplicated: arrivals.duplicates,
        'stack RSS MB': Math.round(memory.rss / 2 ** 20),
        'stack heap MB': Math.round(memory.heapUsed / 2 ** 20),
      })
    }
    table(
      `Soak: ${options.sockets.toLocaleString('en-US')} sockets, ${options.targetedPerSecond} targeted alerts/s + ${options.broadcastsPerSecond} broadcast/s, ${options.minutes} min`,
      rows,
    )
    return { rows, totals }
  } finally {
    await bench.close()
  }
}
