import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { newId } from '../../shared/protocol/ids.js'
import { type BenchTarget, waitUntil } from './bench-target.js'

const SEED_APP = resolve(import.meta.dirname, '../seed')
export const SEED_PACKAGES = 'python3-django-channels python3-channels-redis python3-daphne redis-server'

/** Why the seed's stack cannot run here, or undefined when it can. */
export function seedMissing(): string | undefined {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import daphne, channels, channels_redis, jwt'], {
      stdio: 'ignore',
    })
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return undefined
  } catch {
    return `the seed's stack is not installed (apt-get install -y ${SEED_PACKAGES})`
  }
}

const stopped = (child: ChildProcess) =>
  new Promise((done) => {
    if (child.exitCode !== null) return done(undefined)
    child.once('exit', done)
    child.kill('SIGTERM')
  })

/**
 * The seed's stack as its document runs it: redis-server, and daphne serving a Channels consumer
 * with a group per user plus a broadcast group (bench/seed). Publishing is the seed's group_send,
 * reached through a small HTTP view.
 */
export async function startSeed(port: number): Promise<BenchTarget> {
  const redisPort = port + 1
  const redis = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  const daphne = spawn(
    '/usr/bin/python3',
    ['-m', 'daphne', '-b', '127.0.0.1', '-p', String(port), 'benchseed.asgi:application'],
    {
      cwd: SEED_APP,
      env: {
        ...process.env,
        REDIS_PORT: String(redisPort),
        HERALD_JWT_SECRET: LOCAL_JWT_SECRET,
        PYTHONPATH: SEED_APP,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  const base = `http://127.0.0.1:${port}`
  await waitUntil(async () => (await fetch(`${base}/health/`)).ok, 30_000, 'daphne')
  return {
    name: 'seed (Channels + Redis)',
    url: `ws://127.0.0.1:${port}/ws/notifications`,
    secret: LOCAL_JWT_SECRET,
    pids: [daphne.pid as number, redis.pid as number],
    async broadcast(title) {
      const id = newId()
      const body = {
        id,
        type: 'system',
        data: { title, message: '', severity: 'info' },
        timestamp: new Date().toISOString(),
      }
      const response = await fetch(`${base}/publish/`, { method: 'POST', body: JSON.stringify(body) })
      if (!response.ok) throw new Error(`seed publish answered ${response.status}`)
      return id
    },
    async close() {
      await stopped(daphne)
      await stopped(redis)
    },
  }
}
