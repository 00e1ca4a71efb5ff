import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { LOCAL_JWT_SECRET } from '../../local/defaults.js'
import type { ProbeReading } from './herald-probe.js'
import { whenStarted } from './herald-target.js'
import { IpcPeer } from './ipc-peer.js'
import type { StopState } from './stop-trace.js'

const root = resolve(import.meta.dirname, '../..')
/**
 * How long Ctrl-C may take. The gateway's close waits for each client's close frame, which `ws`
 * gives up on after 30 s; past twice that the stack is held by something that will not finish.
 */
const STOP_TIMEOUT_MS = 60_000

/** How `npm start` took Ctrl-C: stopped in `ms`, or killed, with what was holding it. */
export interface Stopped {
  ms: number
  stopped: boolean
  holding?: StopState
}

// Unreferenced: a timer still pending must not keep the bench alive once the stack is gone.
const after = (ms: number) => delay(ms, undefined, { ref: false })

export interface ProbedHerald {
  url: string
  secret: string
  pid: number
  /** Publishes a targeted alert through SNS, as a service would; resolves with the id the user sees. */
  alert(userId: string, title: string): Promise<string>
  /** Starts timing every function and watching its instances from now on. */
  reset(): Promise<void>
  /** The gateway cuts every socket and refuses handshakes for `downtimeMs`; resolves once it listens again. */
  restart(downtimeMs: number): Promise<{ dropAt: number; upAt: number }>
  read(): Promise<ProbeReading>
  /** Ctrl-C, as a user stops it; killed if it has not stopped within a minute, so a bench never hangs. */
  close(): Promise<Stopped>
}

/**
 * Herald as `npm start` runs it (local/main.ts with its defaults, in its own process, as
 * herald-target.ts starts it), with herald-probe.ts preloaded so the bench can reach its twins.
 */
export async function startProbedHerald(port: number): Promise<ProbedHerald> {
  const configFile = join(await mkdtemp(join(tmpdir(), 'herald-storm-')), 'local.json')
  const probe = join(import.meta.dirname, 'herald-probe.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', probe, join(root, 'local/main.ts')], {
    cwd: root,
    env: { ...process.env, HERALD_PORT: String(port), HERALD_CONFIG_FILE: configFile },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const exited = new Promise((done) => child.once('exit', done))
  const { endpoints, sns, publisher } = await whenStarted(child, configFile)
  const peer = new IpcPeer(child)
  return {
    url: endpoints.websocketUrl,
    secret: LOCAL_JWT_SECRET,
    pid: child.pid as number,
    alert: async (userId, title) =>
      (await publisher.sendAlertNotification(userId, { severity: 'low', title, message: title })).id,
    reset: () => peer.call('reset'),
    restart: (downtimeMs) => peer.call('restart', { downtimeMs }),
    read: () => peer.call('read'),
    async close() {
      sns.destroy()
      const started = Date.now()
      child.kill('SIGINT')
      if (await Promise.race([exited.then(() => true), after(STOP_TIMEOUT_MS)]))
        return { ms: Date.now() - started, stopped: true }
      const holding = await Promise.race([
        peer.call<StopState>('stopping').catch(() => undefined),
        after(5000),
      ])
      child.kill('SIGKILL')
      await exited
      return { ms: Date.now() - started, stopped: false, ...(holding ? { holding } : {}) }
    },
  }
}
