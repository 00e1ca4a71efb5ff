// `npm run bench [-- --quick] [-- --only name,name]`: every scenario prints a table, and the figures
// go to bench/results/ as JSON. Function logs stay quiet: set before the function modules load.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR'
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const { mkdir, writeFile } = await import('node:fs/promises')
const { cpus, totalmem } = await import('node:os')
const { join } = await import('node:path')
const { parseArgs } = await import('node:util')

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, minutes: { type: 'string' } },
})
const quick = values.quick ?? false
const only = values.only?.split(',')

const scenarios: Record<string, () => Promise<unknown>> = {
  'read-cost': async () =>
    (await import('./scenarios/read-cost.js')).readCost({ connections: quick ? 2_000 : 10_000 }),
  'delivery-rate': async () =>
    (await import('./scenarios/delivery-rate.js')).deliveryRate({
      recipients: quick ? 5_000 : 10_000,
      latencyMs: 10,
      concurrency: 100,
    }),
  'quota-use': async () => {
    const { quotaUse } = await import('./scenarios/quota-use.js')
    const base = { recipients: quick ? 20_000 : 50_000, rate: 10_000, burst: 5_000, latencyMs: 5 }
    // Two workers, one a core here; four, as a busier stack would have (the CDK default is 10).
    return {
      twoWorkers: await quotaUse({ ...base, workers: 2 }),
      fourWorkers: await quotaUse({ ...base, workers: 4 }),
    }
  },
  'end-to-end': async () =>
    (await import('./scenarios/end-to-end.js')).endToEnd({
      sizes: quick
        ? [{ sockets: 1_000, samples: 10, burst: 50 }]
        : [
            { sockets: 1_000, samples: 20, burst: 200 },
            { sockets: 10_000, samples: 10, burst: 20 },
          ],
    }),
  'reconnect-storm': async () =>
    (await import('./scenarios/reconnect-storm.js')).reconnectStorm({
      sizes: quick ? [300] : [1_000, 5_000],
      flakyShare: 0.2,
      alertsPerUser: 2,
      downtimeMs: 1000,
    }),
  cost: async () => (await import('./scenarios/cost.js')).cost(),
  'cold-start': async () => (await import('./scenarios/cold-start.js')).coldStart({ runs: quick ? 5 : 15 }),
  // Minutes long: run on its own with `--only soak [--minutes N]`.
  soak: async () =>
    (await import('./scenarios/soak.js')).soak({
      sockets: 1_000,
      minutes: Number(values.minutes ?? 5),
      targetedPerSecond: 20,
      broadcastsPerSecond: 1,
    }),
}
const SOLO = ['soak']

const results: Record<string, unknown> = {
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  mode: quick ? 'quick' : 'full',
  startedAt: new Date().toISOString(),
}
const started = performance.now()
for (const [name, scenario] of Object.entries(scenarios)) {
  if (only ? !only.includes(name) : SOLO.includes(name)) continue
  results[name] = await scenario()
}
results.seconds = Math.round((performance.now() - started) / 1000)
const folder = join(import.meta.dirname, 'results')
await mkdir(folder, { recursive: true })
const json = `${JSON.stringify(results, null, 2)}\n`
await writeFile(join(folder, `${(results.startedAt as string).replace(/[:.]/g, '-')}.json`), json)
await writeFile(join(folder, 'latest.json'), json)
console.log(`\n${quick ? 'Quick' : 'Full'} run in ${results.seconds} s; figures in bench/results/latest.json`)
