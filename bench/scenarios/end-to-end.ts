import type { BenchTarget } from '../support/bench-target.js'
import { Fleet } from '../support/fleet-client.js'
import type { Arrivals } from '../support/fleet-protocol.js'
import { startHerald } from '../support/herald-target.js'
import { cpuMs } from '../support/process-cpu.js'
import { seedMissing, startSeed } from '../support/seed-target.js'
import { percentile, sortNumbers, table } from '../support/stats.js'

export interface EndToEndOptions {
  /** Socket counts to measure at, each with its one-at-a-time samples and its back-to-back burst. */
  sizes: { sockets: number; samples: number; burst: number }[]
}

/** The latest of many times; a spread into Math.max overflows the stack past ~100,000 values. */
function latest(times: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY
  for (const time of times) if (time > max) max = time
  return max
}

const received = (arrivals: Arrivals) =>
  Object.values(arrivals.times).reduce((sum, times) => sum + times.length, 0)

type Figures = Record<string, number>

/** At one size: connects/s, then broadcasts one at a time (latency), then a back-to-back burst. */
async function measure(
  target: BenchTarget,
  fleet: Fleet,
  size: EndToEndOptions['sizes'][number],
): Promise<Figures> {
  const cpuBefore = await cpuMs(target.pids)
  const opened = await fleet.open({
    url: target.url,
    users: Array.from({ length: size.sockets }, (_, i) => `user-${size.sockets}-${i}`),
    secret: target.secret,
    concurrency: 64,
  })
  const connectCpuMs = (await cpuMs(target.pids)) - cpuBefore
  // Unmeasured broadcasts first: the first ones pay for JIT compilation and opening socket pools.
  for (let i = 0; i < 3; i++)
    await fleet.wait({
      ids: [await target.broadcast(`warm-up ${i}`)],
      expected: size.sockets,
      timeoutMs: 60_000,
    })
  const all: number[] = []
  const full: number[] = []
  let lost = 0
  let duplicated = 0
  for (let i = 0; i < size.samples; i++) {
    const start = Date.now()
    const id = await target.broadcast(`sample ${i}`)
    const arrivals = await fleet.wait({ ids: [id], expected: size.sockets, timeoutMs: 60_000 })
    const times = arrivals.times[id] ?? []
    for (const time of times) all.push(time - start)
    if (times.length) full.push(latest(times) - start)
    lost += size.sockets - times.length
    duplicated += arrivals.duplicates
  }
  const started = Date.now()
  const ids: string[] = []
  for (let i = 0; i < size.burst; i++) ids.push(await target.broadcast(`burst ${i}`))
  const burst = await fleet.wait({ ids, expected: size.sockets, timeoutMs: 300_000 })
  lost += size.burst * size.sockets - received(burst)
  duplicated += burst.duplicates
  await fleet.closeSockets()
  const sortedAll = sortNumbers(all)
  return {
    'connects/s': (opened.opened / opened.ms) * 1000,
    'CPU ms per connect': connectCpuMs / opened.opened,
    'broadcast p50 ms': percentile(sortedAll, 0.5),
    'broadcast p99 ms': percentile(sortedAll, 0.99),
    'fully received ms (median)': percentile(sortNumbers(full), 0.5),
    [`${size.burst} back-to-back, all received ms`]: latest(Object.values(burst.times).flat()) - started,
    lost: lost + opened.failed,
    duplicated,
  }
}

async function run(start: () => Promise<BenchTarget>, options: EndToEndOptions) {
  const target = await start()
  const fleet = new Fleet()
  try {
    const figures: Record<number, Figures> = {}
    for (const size of options.sizes) figures[size.sockets] = await measure(target, fleet, size)
    return { name: target.name, figures }
  } finally {
    await fleet.stop()
    await target.close()
  }
}

/**
 * Publish → receipt on real sockets (in a separate process) for Herald as `npm start` runs it and,
 * in the same run, the seed's Channels + Redis stack; every figure beside its ratio to the seed's.
 */
export async function endToEnd(options: EndToEndOptions) {
  const herald = await run(() => startHerald(4300), options)
  const missing = seedMissing()
  const seed = missing ? undefined : await run(() => startSeed(4400), options)
  if (missing) console.log(`\n${missing}: Herald's figures alone.`)
  const rows = options.sizes.flatMap(({ sockets }) =>
    Object.entries(herald.figures[sockets] as Figures).map(([measure, value]) => {
      const baseline = seed?.figures[sockets]?.[measure]
      return {
        sockets,
        measure,
        [herald.name]: value,
        ...(baseline === undefined
          ? {}
          : { [seed?.name as string]: baseline, 'Herald ÷ seed': baseline === 0 ? value : value / baseline }),
      }
    }),
  )
  table('End to end, side by side: publish → receipt on every socket (connects/s: higher is better)', rows)
  return { herald: herald.figures, seed: seed?.figures, seedMissing: missing }
}
