import { beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../shared/protocol/ids.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'
import {
  alert,
  entitled,
  label,
  log,
  type Member,
  nameOf,
  system,
  withTenantStack,
} from '../support/tenant-stack.js'
import { TestClient } from '../support/ws-client.js'

const { herald, rejected, connectAll, notificationsOf } = withTenantStack()

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
