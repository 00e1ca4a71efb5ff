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

let stackProcess: ChildProcess
let workDir: string
let endpoints: LocalEndpoints
let output = ''

/** `npm run herald -- …`, as a user runs it, against this test's stack. */
async function herald(...args: string[]): Promise<string> {
  const { stdout } = await run(tsx, [join(root, 'cli/herald.ts'), ...args], { cwd: workDir })
  return stdout.trim()
}

beforeAll(async () => {
  // The real `npm start` entry, on free ports, in a folder of its own (it writes .herald/local.json there).
  workDir = await mkdtemp(join(tmpdir(), 'herald-start-'))
  stackProcess = spawn(tsx, [join(root, 'local/main.ts')], {
    cwd: workDir,
    env: { ...process.env, HERALD_PORT: '0' },
  })
  stackProcess.stdout?.on('data', (chunk) => {
    output += chunk
  })
  stackProcess.stderr?.on('data', (chunk) => {
    output += chunk
  })
  await vi.waitFor(() => expect(output).toContain('Ctrl-C stops it'), { timeout: 20_000, interval: 100 })
  endpoints = JSON.parse(await readFile(join(workDir, '.herald/local.json'), 'utf8')) as LocalEndpoints
}, 30_000)

afterAll(async () => {
  stackProcess.kill('SIGINT')
  await new Promise((resolve) => stackProcess.once('exit', resolve))
})

describe('npm start', () => {
  it('prints its endpoints and how to get a token, and writes .herald/local.json', () => {
    expect(Object.keys(endpoints).sort()).toEqual(
      [
        'dynamodbEndpoint',
        'lambdaEndpoint',
        'managementUrl',
        'region',
        'snsEndpoint',
        'topicArn',
        'websocketUrl',
      ].sort(),
    )
    expect(output).toContain(endpoints.websocketUrl)
    expect(output).toContain('npm run --silent herald -- token --user alice')
  })

  it('stops cleanly on Ctrl-C', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'herald-stop-'))
    const second = spawn(tsx, [join(root, 'local/main.ts')], {
      cwd: elsewhere,
      env: { ...process.env, HERALD_PORT: '0' },
    })
    let text = ''
    second.stdout?.on('data', (chunk) => {
      text += chunk
    })
    await vi.waitFor(() => expect(text).toContain('Ctrl-C stops it'), { timeout: 20_000, interval: 100 })

    second.kill('SIGINT')
    const code = await new Promise((resolve) => second.once('exit', resolve))

    expect(code).toBe(0)
  }, 30_000)
})

describe('herald CLI', () => {
  it('prints a token and nothing else', async () => {
    expect(await herald('token', '--user', 'alice')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
  })

  it('tails frames while `publish` sends each kind of notification', async () => {
    const tail = run(tsx, [join(root, 'cli/herald.ts'), 'tail', '--user', 'quinn', '--count', '3'], {
      cwd: workDir,
    })
    await new Promise((resolve) => setTimeout(resolve, 1_500))

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

    const frames = (await tail).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> })
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
      const session = run('/usr/bin/python3', ['-c', script, `${url}/?token=${token}`])
      await new Promise((resolve) => setTimeout(resolve, 1_000))
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

      const lines = (await session).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; data: { title?: string } })
      expect(lines.map((frame) => frame.type)).toEqual(['connection_established', 'pong', 'alert'])
      expect(lines[2]?.data.title).toBe('hello from the other shell')
    },
    20_000,
  )

  awsCli(
    'aws sns publish --endpoint-url delivers to the subscribed sockets',
    async () => {
      const tail = run(tsx, [join(root, 'cli/herald.ts'), 'tail', '--user', 'sam', '--count', '1'], {
        cwd: workDir,
      })
      await new Promise((resolve) => setTimeout(resolve, 1_500))

      const { stdout } = await run(
        '/usr/bin/aws',
        [
          'sns',
          'publish',
          '--endpoint-url',
          endpoints.snsEndpoint,
          '--region',
          endpoints.region,
          '--topic-arn',
          endpoints.topicArn,
          '--message',
          JSON.stringify({ type: 'system', data: { title: 'Hi', message: 'from the AWS CLI' } }),
        ],
        {
          env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_PAGER: '' },
        },
      )

      expect(JSON.parse(stdout)).toHaveProperty('MessageId')
      const frames = (await tail).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; data: { message?: string } })
      expect(frames.at(-1)).toMatchObject({ type: 'system', data: { message: 'from the AWS CLI' } })
    },
    20_000,
  )
})
