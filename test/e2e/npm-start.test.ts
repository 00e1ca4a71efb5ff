import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type LocalEndpoints, readEndpoints } from '../../local/endpoints-file.js'
import {
  framesIn,
  interrupt,
  npmStart,
  printedCommand,
  root,
  type Started,
  spawnUntil,
  tsx,
} from '../support/npm-start.js'
import { hasPeer, peerTest } from '../support/peers.js'
import { signedFetch } from '../support/signed-fetch.js'

const run = promisify(execFile)
const INSTALL = 'apt-get install -y python3-websockets awscli'
const python = peerTest(hasPeer('/usr/bin/python3', ['-c', 'import websockets']), INSTALL)
const awsCli = peerTest(hasPeer('/usr/bin/aws', ['--version']), INSTALL)

let stack: Started
let endpoints: LocalEndpoints

/** `herald tail` in its own process, ready once its socket is welcomed. */
const startTail = (...args: string[]) =>
  spawnUntil(
    tsx,
    [join(root, 'cli/herald.ts'), 'tail', ...args, '--config', stack.configFile],
    'connection_established',
  )

/** `npm run herald -- …` against this test's stack. */
async function herald(...args: string[]): Promise<string> {
  const { stdout } = await run(tsx, [join(root, 'cli/herald.ts'), ...args, '--config', stack.configFile])
  return stdout.trim()
}

beforeAll(async () => {
  stack = await npmStart()
  endpoints = await readEndpoints(stack.configFile)
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
        'sesEndpoint',
        'smokeAlarmName',
        'snsEndpoint',
        'sqsEndpoint',
        'topicArn',
        'vapidPublicKey',
        'websocketUrl',
      ].sort(),
    )
    expect(stack.output()).toContain(endpoints.websocketUrl)
    expect(stack.output()).toContain(`Dashboard        ${endpoints.dashboardUrl}`)
    expect(stack.output()).toContain('npm run --silent herald -- token --user alice')
    expect(stack.output()).toContain(
      `SES              ${endpoints.sesEndpoint}   a critical alert unread for 600 s`,
    )
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
    const started = await readEndpoints(second.configFile)

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
    const response = await signedFetch(
      endpoints.snsEndpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          Action: 'Publish',
          TopicArn: endpoints.topicArn,
          Message: '{"type":"system","data":{"message":"a notice without its title"}}',
        }).toString(),
      },
      'sns',
    )
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
