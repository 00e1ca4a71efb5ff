import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import type { RejectedNotification } from '../../shared/fan-out/rejections.js'
import { newId } from '../../shared/protocol/ids.js'
import { NOTIFICATION_TYPES } from '../../shared/protocol/notifications.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'
import { withLocalStack } from '../support/local-stack.js'
import { root, tsx } from '../support/npm-start.js'
import { installPythonPublisher, type PythonPublisher, pythonTest } from '../support/python-publisher.js'
import { TestClient } from '../support/ws-client.js'

const run = promisify(execFile)
const rejected: RejectedNotification[] = []
const configFile = join(mkdtempSync(join(tmpdir(), 'herald-tenants-')), 'local.json')
const herald = withLocalStack({
  env: {
    HERALD_TENANT_CLAIM: 'tenant',
    HERALD_OPERATOR_TENANT: 'ops',
    HERALD_EVENT_MAPPINGS: JSON.stringify([
      {
        source: 'app.billing',
        type: 'alert',
        tenant: '{detail.tenant}',
        group: '{detail.team}',
        title: '{detail.title}',
      },
    ]),
  },
  configFile,
  onRejected: (notification) => rejected.push(notification),
})
/** `npm run herald -- …` against this test's stack. */
const cli = async (...args: string[]) =>
  (await run(tsx, [join(root, 'cli/herald.ts'), ...args, '--config', configFile])).stdout.trim()

/** Who holds a token: the same user ids in every tenant, so only the tenant tells them apart. */
interface Member {
  tenant: string
  user: string
  groups: string[]
  stream?: 'logs'
}

const MEMBERS: Member[] = [
  { tenant: 'acme', user: '1', groups: ['oncall', 'admins'] },
  { tenant: 'acme', user: '2', groups: ['oncall'] },
  { tenant: 'acme', user: '3', groups: [] },
  { tenant: 'acme', user: 'ops', groups: ['oncall'], stream: 'logs' },
  { tenant: 'globex', user: '1', groups: ['oncall'] },
  { tenant: 'globex', user: '2', groups: ['finance'] },
  { tenant: 'globex', user: '3', groups: ['admins'] },
  { tenant: 'globex', user: 'ops', groups: [], stream: 'logs' },
  { tenant: 'initech', user: '1', groups: [] },
  { tenant: 'initech', user: '2', groups: ['admins', 'finance'] },
  { tenant: 'initech', user: '3', groups: ['oncall'] },
  { tenant: 'ops', user: 'sre', groups: ['oncall'] },
]

const alert = (title: string) => ({ severity: 'high' as const, title, message: title })
const system = (title: string) => ({ title, message: title })
const log = (message: string) => ({ level: 'error' as const, message, source: 'api' })

/** Each publish, named by what it should reach; the title (or message) is the name. */
const PUBLISHES: PublishInput[] = [
  { type: 'alert', tenant: 'acme', userId: '1', data: alert('acme user 1') },
  { type: 'alert', tenant: 'globex', userId: '1', data: alert('globex user 1') },
  { type: 'alert', tenant: 'acme', group: 'oncall', data: alert('acme oncall') },
  { type: 'alert', tenant: 'globex', group: 'oncall', data: alert('globex oncall') },
  { type: 'system', tenant: 'initech', group: 'admins', data: system('initech admins') },
  { type: 'system', tenant: 'globex', data: system('globex everyone') },
  { type: 'system', tenant: '*', data: system('every tenant') },
  { type: 'alert', tenant: '*', data: alert('every tenant alert') },
  { type: 'log_event', tenant: 'acme', data: log('acme log') },
  { type: 'log_event', tenant: '*', data: log('every tenant log') },
  {
    type: 'upload_status',
    tenant: 'acme',
    group: 'admins',
    data: { upload_id: 'up-1', filename: 'acme admins', status: 'completed', progress: 100 },
  },
  {
    type: 'upload_status',
    tenant: 'initech',
    userId: '2',
    data: { upload_id: 'up-2', filename: 'initech user 2', status: 'processing', progress: 40 },
  },
]

/** What a member is entitled to, by the contract (docs/architecture.md, Tenants and groups). */
function entitled(member: Member, body: PublishInput): boolean {
  if (body.tenant !== '*' && body.tenant !== member.tenant) return false
  if (body.type === 'log_event') return member.stream === 'logs'
  if (member.stream === 'logs') return false
  if ('userId' in body && body.userId !== undefined) return body.userId === member.user
  if ('group' in body && body.group !== undefined) return member.groups.includes(String(body.group))
  return true
}

const nameOf = (data: Record<string, unknown>) => String(data.title ?? data.filename ?? data.message)
const label = (member: Member) => `${member.tenant}/${member.user}${member.stream ? ' (logs)' : ''}`

function connectAll(): Promise<[Member, TestClient][]> {
  return Promise.all(
    MEMBERS.flatMap((member) =>
      [0, 1].map(
        async (): Promise<[Member, TestClient]> => [
          member,
          await herald.connect(member.user, member.stream ? 'stream=logs' : undefined, {
            tenant: member.tenant,
            groups: member.groups,
          }),
        ],
      ),
    ),
  )
}

/** Names of the notifications a socket got, after everything published has been delivered. */
async function notificationsOf(sockets: [Member, TestClient][], from = new Map<TestClient, number>()) {
  await herald.stack.idle()
  // A pong comes after every frame the gateway sent before it, on the same socket.
  await Promise.all(
    sockets.map(async ([, socket]) => {
      socket.send({ type: 'ping' })
      await socket.next('pong')
    }),
  )
  return sockets.map(([member, socket]) => ({
    member,
    got: socket.frames
      .slice(from.get(socket) ?? 0)
      .filter((frame) => NOTIFICATION_TYPES.includes(frame.type as never))
      .map((frame) => nameOf(frame.data as Record<string, unknown>))
      .sort(),
  }))
}

describe('Tenants and groups: every socket sees exactly what its token entitles it to', () => {
  let live: [Member, TestClient][]
  const before = newId(Date.now() - 1_000)

  beforeAll(async () => {
    live = await connectAll()
    for (const body of PUBLISHES) await herald.publisher.publish(body)
  })

  it('tells each socket its tenant and groups in connection_established', () => {
    for (const [member, socket] of live) {
      const welcome = socket.received('connection_established')[0]?.data
      expect(welcome, label(member)).toMatchObject({ tenant: member.tenant, groups: member.groups })
    }
  })

  it('delivers targeted, group, tenant-wide, "*" and log notifications live to exactly their audience', async () => {
    for (const { member, got } of await notificationsOf(live)) {
      const expected = PUBLISHES.filter((body) => entitled(member, body))
        .map((body) => nameOf(body.data as Record<string, unknown>))
        .sort()
      expect(got, label(member)).toEqual(expected)
    }
  })

  it('replays to a reconnected socket exactly what it could have received live (logs are not kept)', async () => {
    const again = await connectAll()
    for (const [, socket] of again) socket.send({ type: 'resume', since: before })
    await Promise.all(again.map(([, socket]) => socket.next('resumed')))

    for (const { member, got } of await notificationsOf(again)) {
      const expected = PUBLISHES.filter((body) => body.type !== 'log_event' && entitled(member, body))
        .map((body) => nameOf(body.data as Record<string, unknown>))
        .sort()
      expect(got, label(member)).toEqual(expected)
    }
  })

  it('keeps read state per user within a tenant: user 1 of acme reading all leaves user 1 of globex unread', async () => {
    const unreadOf = async (tenant: string, groups: string[]) => {
      const socket = await herald.connect('1', undefined, { tenant, groups })
      return (socket.received('connection_established')[0]?.data as { unread?: number } | undefined)?.unread
    }
    const globexBefore = await unreadOf('globex', ['oncall'])
    const acme = await herald.connect('1', undefined, { tenant: 'acme', groups: ['oncall', 'admins'] })

    acme.send({ type: 'mark_read', all: true })
    await acme.next('read_state')

    expect(globexBefore).toBeGreaterThan(0)
    expect(await unreadOf('acme', ['oncall', 'admins'])).toBe(0)
    expect(await unreadOf('globex', ['oncall'])).toBe(globexBefore)
  })

  it('refuses a publish without a tenant, keeps it with its reason, and delivers it to nobody', async () => {
    const sockets = await connectAll()
    const result = await herald.rawPublish({
      Action: 'Publish',
      TopicArn: herald.stack.topicArn,
      Message: JSON.stringify({ type: 'system', data: system('no tenant') }),
    })
    expect(result.status).toBe(200)

    const received = await notificationsOf(sockets)
    expect(received.flatMap(({ got }) => got)).toEqual([])
    expect(rejected.map(({ reason, message }) => ({ reason, message }))).toEqual([
      {
        reason: 'invalid_audience',
        message: 'tenant is required: this deployment is multi-tenant (a tenant claim is configured)',
      },
    ])
  })

  it('refuses at $connect (403) a token without a tenant', async () => {
    const token = await herald.token('stranger')

    const refusal = await TestClient.open(`${herald.stack.websocketUrl}/?token=${token}`)

    expect(refusal).toEqual({ status: 403 })
  })
})

describe('Tenants and groups: every publisher carries them', () => {
  let sockets: [Member, TestClient][]
  let python: PythonPublisher

  beforeAll(async () => {
    sockets = await connectAll()
  })

  /** Publishes, then checks that exactly the members `body` entitles got `name`. */
  async function expectReached(body: PublishInput, publish: () => Promise<unknown>) {
    const marks = new Map(sockets.map(([, socket]) => [socket, socket.frames.length]))
    await publish()
    for (const { member, got } of await notificationsOf(sockets, marks)) {
      const name = nameOf(body.data as Record<string, unknown>)
      expect(got, label(member)).toEqual(entitled(member, body) ? [name] : [])
    }
  }

  it('herald token --tenant --groups mints what the authorizer reads', async () => {
    const token = await cli('token', '--user', '9', '--tenant', 'acme', '--groups', 'oncall,admins')

    const client = await TestClient.connect(`${herald.stack.websocketUrl}/?token=${token}`)
    client.close()

    expect(client.received('connection_established')[0]?.data).toMatchObject({
      userId: '9',
      tenant: 'acme',
      groups: ['oncall', 'admins'],
    })
  })

  it('herald publish --tenant --group reaches the group in that tenant only', async () => {
    const body: PublishInput = {
      type: 'alert',
      tenant: 'globex',
      group: 'oncall',
      data: alert('cli globex oncall'),
    }

    await expectReached(body, () =>
      cli(
        'publish',
        'alert',
        '--tenant',
        'globex',
        '--group',
        'oncall',
        '--severity',
        'high',
        '--title',
        'cli globex oncall',
      ),
    )
  })

  pythonTest(
    'the Python publisher takes tenant and group, and HERALD_TENANT as the default tenant',
    async () => {
      python ??= await installPythonPublisher()
      const env = { HERALD_TOPIC_ARN: herald.stack.topicArn, HERALD_SNS_ENDPOINT: herald.stack.snsEndpoint }
      const group: PublishInput = {
        type: 'alert',
        tenant: 'acme',
        group: 'oncall',
        data: alert('python acme oncall'),
      }
      const tenantWide: PublishInput = { type: 'system', tenant: 'initech', data: system('python initech') }

      await expectReached(group, () =>
        python.run(
          'from herald_publisher import send_alert_notification\n' +
            "send_alert_notification(None, {'severity': 'high', 'title': 'python acme oncall', 'message': 'python acme oncall'}, tenant='acme', group='oncall')\n",
          env,
        ),
      )
      await expectReached(tenantWide, () =>
        python.run(
          "from herald_publisher import send_system_notification\nsend_system_notification('python initech', 'python initech')\n",
          { ...env, HERALD_TENANT: 'initech' },
        ),
      )
      const refused = await python.run(
        'from herald_publisher import HeraldPublishError, send_alert_notification\n' +
          'try:\n' +
          "    send_alert_notification(1, {'severity': 'high', 'title': 't', 'message': 'm'}, tenant='acme', group='oncall')\n" +
          'except HeraldPublishError as error:\n' +
          '    print(error.code, error)\n',
        env,
      )
      expect(refused.trim()).toBe(
        'invalid_audience userId and group are exclusive: a notification is for one user or one group',
      )
    },
  )
})

describe('Tenants and groups: Herald’s own integrations', () => {
  let sockets: [Member, TestClient][]

  beforeAll(async () => {
    sockets = await connectAll()
  })

  async function expectReachedOnly(
    audience: (member: Member) => boolean,
    name: string,
    act: () => Promise<unknown>,
  ) {
    const marks = new Map(sockets.map(([, socket]) => [socket, socket.frames.length]))
    await act()
    for (const { member, got } of await notificationsOf(sockets, marks))
      expect(got, label(member)).toEqual(audience(member) ? [name] : [])
  }

  it('npm run smoke passes against a multi-tenant stack, as the smoke user of the operator tenant', async () => {
    const { stdout } = await run(tsx, [join(root, 'cli/smoke.ts'), '--config', configFile, '--timeout', '10'])

    expect(stdout).toMatch(/^ok {4}connect .*\nok {4}publish → receive .*\nok {4}alarm → alert /)
  })

  it('sends a CloudWatch alarm to the operator tenant only', async () => {
    await expectReachedOnly(
      (member) => member.tenant === 'ops' && member.stream === undefined,
      'payments-5xx',
      () => cli('publish', 'cloudwatch-alarm', '--name', 'payments-5xx', '--message', 'Threshold crossed'),
    )
  })

  it('sends an EventBridge event to the tenant and group its mapping reads from the event', async () => {
    const detail = { tenant: 'globex', team: 'finance', title: 'invoice run failed' }
    const event = {
      version: '0',
      id: 'evt-1',
      'detail-type': 'Invoice Run',
      source: 'app.billing',
      account: '123456789012',
      time: '2026-11-27T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail,
    }

    await expectReachedOnly(
      (member) => member.tenant === 'globex' && member.groups.includes('finance'),
      'invoice run failed',
      () => herald.stack.lambda.invoke('herald-events', event),
    )
  })
})
