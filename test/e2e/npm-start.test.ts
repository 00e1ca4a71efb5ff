import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { LocalEndpoints } from '../../local/stack.js'
import { hasPeer, peerTest } from '../support/peers.js'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')
const INSTALL = 'apt-get install -y python3-websockets awscli'
const python = peerTest(hasPeer('/usr/bin/python3', ['-c', 'import websockets']), INSTALL)
const awsCli = peerTest(hasPeer('/usr/bin/aws', ['--version']), INSTALL)

interface Started {
  process: ChildProcess
  output: () => string
  configFile: string
}

/** `npm start` as a user runs it, on free ports, writing its endpoints file to a folder of its own. */
async function npmStart(): Promise<Started> {
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
const interrupt = async (started: Started): Promise<void> => {
  const exited = new Promise((resolve) => started.process.once('exit', resolve))
  process.kill(-(started.process.pid as number), 'SIGINT')
  await exited
}

/** The frames a `tail` or a Python session printed, one JSON object a line. */
const framesIn = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> })

let stack: Started
let endpoints: LocalEndpoints

/** A process that is ready once its output shows `marker`; `done` is its whole output at exit. */
async function spawnUntil(
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

/** `herald tail` in its own process, ready once its socket is welcomed. */
const startTail = (...args: string[]) =>
  spawnUntil(
    tsx,
    [join(root, 'cli/herald.ts'), 'tail', ...args, '--config', stack.configFile],
    'connection_established',
  )

/** The command `npm start` printed after `label`, its continuation lines joined. */
function printedCommand(output: string, label: string): string {
  const start = output.indexOf(label) + label.length
  const lines: string[] = []
  for (const line of output.slice(start).split('\n')) {
    lines.push(line.trim().replace(/\\$/, ''))
    if (!line.trimEnd().endsWith('\\')) break
  }
  return lines.join(' ')
}

/** `npm run herald -- …` against this test's stack. */
async function herald(...args: string[]): Promise<string> {
  const { stdout } = await run(tsx, [join(root, 'cli/herald.ts'), ...args, '--config', stack.configFile])
  return stdout.trim()
}

beforeAll(async () => {
  stack = await npmStart()
  endpoints = JSON.parse(await readFile(stack.configFile, 'utf8')) as LocalEndpoints
}, 40_000)

afterAll(() => interrupt(stack))

describe('npm start', () => {
  it('prints its endpoints and how to get a token, and writes the endpoints file', () => {
    expect(Object.keys(endpoints).sort()).toEqual(
      [
        'dashboardUrl',
        'deadLetterQueueUrl',
        'deliveryQueueUrl',
        'dynamodbEndpoint',
        'lambdaEndpoint',
        'managementUrl',
        'region',
        'rejectedQueueUrl',
        'smokeAlarmName',
        'snsEndpoint',
        'sqsEndpoint',
        'topicArn',
        'websocketUrl',
      ].sort(),
    )
    expect(stack.output()).toContain(endpoints.websocketUrl)
    expect(stack.output()).toContain(`Dashboard        ${endpoints.dashboardUrl}`)
    expect(stack.output()).toContain('npm run --silent herald -- token --user alice')
  })

  it('serves the built dashboard and its local token API', async () => {
    const page = await fetch(endpoints.dashboardUrl as string)
    const token = await fetch(`${endpoints.dashboardUrl}/api/token`, {
      method: 'POST',
      body: JSON.stringify({ userId: 'wes' }),
    })

    expect(await page.text()).toContain('<div id="root"></div>')
    expect((await token.json()) as { token: string }).toHaveProperty('token', expect.stringMatching(/^ey/))
  })

  it('refuses a bad publish from the dashboard with a clear error', async () => {
    const response = await fetch(`${endpoints.dashboardUrl}/api/publish`, {
      method: 'POST',
      body: JSON.stringify({ type: 'alert', data: { severity: 'nope', title: 't', message: '' } }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: expect.stringContaining('data.severity') })
  })

  it('stops cleanly on Ctrl-C, releasing every port', async () => {
    const second = await npmStart()
    const started = JSON.parse(await readFile(second.configFile, 'utf8')) as LocalEndpoints

    await interrupt(second)

    for (const url of [
      started.dashboardUrl,
      started.snsEndpoint,
      started.dynamodbEndpoint,
      started.managementUrl,
    ]) {
      await vi.waitFor(() => expect(fetch(url as string)).rejects.toThrow('fetch failed'), { timeout: 5_000 })
    }
    expect(second.output()).not.toMatch(/Error|failed after/)
  }, 40_000)
})

describe('herald CLI', () => {
  it('prints a token and nothing else', async () => {
    expect(await herald('token', '--user', 'alice')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
  })

  it('tails frames while `publish` sends each kind of notification', async () => {
    const tail = await startTail('--user', 'quinn', '--count', '3')

    await herald(
      'publish',
      'alert',
      '--user',
      'quinn',
      '--severity',
      'high',
      '--title',
      'Disk 91% full',
      '--source',
      'db-1',
    )
    await herald('publish', 'system', '--title', 'Maintenance', '--message', 'at noon')
    await herald(
      'publish',
      'upload',
      '--user',
      'quinn',
      '--upload-id',
      'u9',
      '--filename',
      'a.csv',
      '--status',
      'completed',
    )

    const frames = framesIn(await tail.done)
    expect(frames[0]?.type).toBe('connection_established')
    expect(
      frames
        .slice(1)
        .map((f) => f.type)
        .sort(),
    ).toEqual(['alert', 'system', 'upload_status'])
    expect(frames.find((f) => f.type === 'upload_status')?.data).toMatchObject({
      upload_id: 'u9',
      progress: 100,
    })
  }, 20_000)

  it('refuses an invalid notification with a clear message and exit code 2', async () => {
    const failure = await herald('publish', 'alert', '--title', 'x', '--severity', 'urgent').catch(
      (error: { code: number; stderr: string }) => error,
    )
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('data.severity') })
  })
})

describe('npm run smoke', () => {
  it('connects, publishes, raises the smoke alarm, and reports each step as received', async () => {
    const { stdout } = await run(tsx, [join(root, 'cli/smoke.ts'), '--config', stack.configFile])
    const lines = stdout.trim().split('\n')
    expect(lines.map((line) => line.split(/\s{2,}/)[0])).toEqual(['ok', 'ok', 'ok'])
    expect(lines[0]).toMatch(/connect .* welcomed as herald-smoke/)
    expect(lines[1]).toMatch(/publish → receive .* alert \w{26} arrived/)
    expect(lines[2]).toMatch(/alarm → alert .* herald-local-smoke ALARM arrived as an alert/)
  }, 30_000)
})

describe('refused publishes', () => {
  it('prints one readable line as each happens, and `herald rejected` lists it with its reason', async () => {
    const response = await fetch(endpoints.snsEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        Action: 'Publish',
        TopicArn: endpoints.topicArn,
        Message: '{"type":"system","data":{"message":"a notice without its title"}}',
      }),
    })
    expect(response.status).toBe(200)

    await vi.waitFor(
      () => expect(stack.output()).toMatch(/rejected notification [\w-]{8}…: data.title is required\n/),
      {
        timeout: 10_000,
        interval: 20,
      },
    )
    const listed = await herald('rejected')
    expect(listed).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}invalid_field {2}data.title is required\n/)
    expect(listed).toContain('{"type":"system","data":{"message":"a notice without its title"}}')
    expect(stack.output()).not.toContain('"notification rejected"')
  })
})

describe('peers', () => {
  python(
    'a Python websockets session: connect, connection message, ping/pong, then an alert published from another shell',
    async () => {
      const token = await herald('token', '--user', 'rae')
      const url = endpoints.websocketUrl.replace('127.0.0.1', 'localhost')
      const script = `
import asyncio, json, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        print(await ws.recv(), flush=True)
        await ws.send('{"type":"ping"}')
        print(await ws.recv(), flush=True)
        print(await asyncio.wait_for(ws.recv(), 10), flush=True)
asyncio.run(main())
`
      const session = await spawnUntil('/usr/bin/python3', ['-c', script, `${url}/?token=${token}`], '"pong"')
      await herald(
        'publish',
        'alert',
        '--user',
        'rae',
        '--severity',
        'low',
        '--title',
        'hello from the other shell',
      )

      const lines = framesIn(await session.done)
      expect(lines.map((frame) => frame.type)).toEqual(['connection_established', 'pong', 'alert'])
      expect(lines[2]?.data.title).toBe('hello from the other shell')
    },
    20_000,
  )

  awsCli(
    'the aws sns publish line npm start prints works as printed, on a machine with no AWS credentials',
    async () => {
      const tail = await startTail('--user', 'sam', '--count', '1')
      const command = printedCommand(stack.output(), 'With the AWS CLI:')
      expect(command).toMatch(/^AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+ aws sns publish /)
      // A new user's shell: no AWS variables, no ~/.aws.
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')))
      const home = await mkdtemp(join(tmpdir(), 'herald-home-'))

      const { stdout } = await run('bash', ['-c', command], { env: { ...env, HOME: home, AWS_PAGER: '' } })

      expect(JSON.parse(stdout)).toHaveProperty('MessageId')
      const frames = framesIn(await tail.done)
      expect(frames.at(-1)).toMatchObject({ type: 'system', data: { message: 'from the CLI' } })
    },
    20_000,
  )
})
