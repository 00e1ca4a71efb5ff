import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, vi } from 'vitest'

export const root = resolve(import.meta.dirname, '../..')
export const tsx = join(root, 'node_modules', '.bin', 'tsx')

export interface Started {
  process: ChildProcess
  output: () => string
  configFile: string
}

/** `npm start` as a user runs it, on free ports, writing its endpoints file to a folder of its own. */
export async function npmStart(): Promise<Started> {
  const configFile = join(await mkdtemp(join(tmpdir(), 'herald-start-')), 'local.json')
  // Its own process group, so a signal reaches npm and the stack as Ctrl-C in a terminal would.
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, HERALD_PORT: '0', HERALD_CONFIG_FILE: configFile },
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  await vi.waitFor(() => expect(output).toContain('Ctrl-C stops it'), { timeout: 30_000, interval: 100 })
  return { process: child, output: () => output, configFile }
}

/** Ctrl-C: the signal goes to the whole process group, npm and the stack alike. */
export const interrupt = async (started: Started): Promise<void> => {
  const exited = new Promise((resolve) => started.process.once('exit', resolve))
  process.kill(-(started.process.pid as number), 'SIGINT')
  await exited
}

/** The frames a `tail` or a Python session printed, one JSON object a line. */
export const framesIn = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> })

/** A process that is ready once its output shows `marker`; `done` is its whole output at exit. */
export async function spawnUntil(
  command: string,
  args: string[],
  marker: string,
): Promise<{ done: Promise<string> }> {
  const child = spawn(command, args)
  let stdout = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  const done = new Promise<string>((resolve) => child.once('exit', () => resolve(stdout)))
  await vi.waitFor(() => expect(stdout).toContain(marker), { timeout: 10_000, interval: 20 })
  return { done }
}

/** The command `npm start` printed after `label`, its continuation lines joined. */
export function printedCommand(output: string, label: string): string {
  const start = output.indexOf(label) + label.length
  const lines: string[] = []
  for (const line of output.slice(start).split('\n')) {
    lines.push(line.trim().replace(/\\$/, ''))
    if (!line.trimEnd().endsWith('\\')) break
  }
  return lines.join(' ')
}
