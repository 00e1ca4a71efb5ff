import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { SNSClient } from '@aws-sdk/client-sns'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { readEndpoints } from '../../local/endpoints-file.js'
import { createPublisher } from '../../shared/publisher/publisher.js'
import { type BenchTarget, waitUntil } from './bench-target.js'

const root = resolve(import.meta.dirname, '../..')

/**
 * Waits until `npm start` in `child` says it runs, then reads its endpoints file and makes the SNS
 * client and publisher a service would publish through.
 */
export async function whenStarted(child: ChildProcess, configFile: string) {
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  await waitUntil(async () => output.includes('Ctrl-C stops it.'), 60_000, 'npm start')
  const endpoints = await readEndpoints(configFile)
  const sns = new SNSClient({
    endpoint: endpoints.snsEndpoint,
    region: endpoints.region,
    credentials: LOCAL_CREDENTIALS,
  })
  return { endpoints, sns, publisher: createPublisher({ client: sns, topicArn: endpoints.topicArn }) }
}

/**
 * Herald exactly as `npm start` runs it: the same entry point (local/main.ts) with its defaults, in
 * its own process; only the ports and the endpoints file differ. Publishes go through its SNS
 * endpoint with the SDK, as a service would.
 */
export async function startHerald(port: number): Promise<BenchTarget> {
  const configFile = join(await mkdtemp(join(tmpdir(), 'herald-bench-')), 'local.json')
  // `tsx local/main.ts` is `node --import tsx local/main.ts`; `HERALD_BENCH_PROFILE=dir npm run bench`
  // adds a CPU profile of every thread of it, written to dir when it stops.
  const profile = process.env.HERALD_BENCH_PROFILE
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', join(root, 'local/main.ts')], {
    cwd: root,
    env: { ...process.env, HERALD_PORT: String(port), HERALD_CONFIG_FILE: configFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const { endpoints, sns, publisher } = await whenStarted(child, configFile)
  return {
    name: 'Herald (npm start)',
    url: endpoints.websocketUrl,
    secret: LOCAL_JWT_SECRET,
    pids: [child.pid as number],
    broadcast: async (title) => (await publisher.sendSystemNotification({ title, message: '' })).id,
    async close() {
      sns.destroy()
      child.kill('SIGINT')
      await new Promise((done) => child.once('exit', done))
    },
  }
}
