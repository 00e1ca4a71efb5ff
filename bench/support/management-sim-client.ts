import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'

export interface SimCounts {
  ok: number
  throttled: number
}

/** Starts the simulated Management API in a child process and returns its endpoint. */
export async function startManagementSim(options: { latencyMs: number; rate?: number; burst?: number }) {
  const child: ChildProcess = fork(
    join(import.meta.dirname, 'management-sim.ts'),
    [String(options.latencyMs), String(options.rate ?? 0), String(options.burst ?? 0)],
    {
      execArgv: ['--import', 'tsx'],
    },
  )
  const port = await new Promise<number>((resolve) =>
    child.once('message', (message: { port: number }) => resolve(message.port)),
  )
  const ask = <T>(question: string, key: string) =>
    new Promise<T>((resolve) => {
      const listen = (message: Record<string, unknown>) => {
        if (!(key in message)) return
        child.off('message', listen)
        resolve(message[key] as T)
      }
      child.on('message', listen)
      child.send(question)
    })
  return {
    endpoint: `http://127.0.0.1:${port}/prod`,
    counts: () => ask<SimCounts>('counts', 'counts'),
    reset: () => child.send('reset'),
    stop: () => child.kill(),
  }
}
