import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { PublishInput } from '../../shared/protocol/publish-body.js'
import { root, tsx } from '../support/npm-start.js'
import { installPythonPublisher, type PythonPublisher, pythonTest } from '../support/python-publisher.js'
import {
  alert,
  entitled,
  label,
  type Member,
  nameOf,
  run,
  system,
  withTenantStack,
} from '../support/tenant-stack.js'
import { TestClient } from '../support/ws-client.js'

const { herald, configFile, cli, connectAll, notificationsOf } = withTenantStack()

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

  it('npm run smoke refuses a stack whose operator tenant is "*", saying why, before it publishes anything', async () => {
    const everyTenant = join(dirname(configFile), 'every-tenant.json')
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>
    writeFileSync(everyTenant, JSON.stringify({ ...config, operatorTenant: '*' }))

    await expectReachedOnly(
      () => false,
      'none',
      async () => {
        const smoke = run(tsx, [join(root, 'cli/smoke.ts'), '--config', everyTenant, '--timeout', '5'])
        await expect(smoke).rejects.toMatchObject({
          stderr: expect.stringContaining(
            'with operatorTenant "*" there is no one tenant to find that user in',
          ),
        })
      },
    )
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
