import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RejectedNotification } from '../../shared/fan-out/rejections.js'
import type { Envelope, NotificationEnvelope, ReadState } from '../../shared/protocol/frames.js'
import type { Preferences } from '../../shared/protocol/preferences.js'
import { withLocalStack } from '../support/local-stack.js'
import { root, tsx } from '../support/npm-start.js'
import { installPythonPublisher, pythonTest } from '../support/python-publisher.js'
import { run } from '../support/tenant-stack.js'
import type { TestClient } from '../support/ws-client.js'

const rejected: RejectedNotification[] = []
const configFile = join(mkdtempSync(join(tmpdir(), 'herald-inbox-')), 'local.json')
const herald = withLocalStack({
  configFile,
  onRejected: (record) => void rejected.push(record as RejectedNotification),
})
const user = (name: string) => `${name}-${randomUUID().slice(0, 8)}`
const alert = (
  title: string,
  source?: string,
  severity: 'critical' | 'high' | 'medium' | 'low' = 'high',
) => ({
  severity,
  title,
  message: title,
  ...(source ? { source } : {}),
})

async function settle(...sockets: TestClient[]) {
  await herald.stack.idle()
  await Promise.all(sockets.map((socket) => socket.caughtUp()))
}
const welcomeOf = (socket: TestClient) =>
  socket.received('connection_established')[0]?.data as {
    unread?: number
    preferences?: Preferences
    snoozed?: Record<string, string>
  }
const titles = (frames: Envelope[]) => frames.map((frame) => (frame.data as { title: string }).title)

/** The recent list a tab loads: `resume` without `since`. */
async function recent(socket: TestClient): Promise<{ entries: NotificationEnvelope[]; unread: number }> {
  const before = socket.frames.length
  socket.send({ type: 'resume' })
  const resumed = await socket.next('resumed')
  const entries = socket.frames.slice(before).filter((frame) => frame.replayed) as NotificationEnvelope[]
  return { entries, unread: (resumed.data as { unread: number }).unread }
}

describe('Inbox controls: preferences, threads, snooze and expiry', () => {
  it('mutes a source for every tab of the user: not delivered, not counted, not replayed', async () => {
    const ada = user('ada')
    // A group's notice, not a broadcast: every other test's user would count it too.
    const claims = { groups: [user('ops')] }
    const [tab1, tab2] = await Promise.all([
      herald.connect(ada, undefined, claims),
      herald.connect(ada, undefined, claims),
    ])
    const preferences = {
      mute: { sources: ['disk-monitor'] },
      minSeverity: { inbox: 'medium', toast: 'high' },
    }

    tab1.send({ type: 'set_preferences', preferences })
    for (const tab of [tab1, tab2]) expect((await tab.next('preferences')).data).toEqual(preferences)
    await herald.publisher.sendAlertNotification(ada, alert('disk 91% full', 'disk-monitor', 'critical'))
    await herald.publisher.sendAlertNotification(ada, alert('below the threshold', 'api', 'low'))
    await herald.publisher.sendAlertNotification(ada, alert('deploy failed', 'ci'))
    await herald.publisher.sendSystemNotification(
      { title: 'maintenance at 22:00', message: '' },
      { group: claims.groups[0] },
    )
    await settle(tab1, tab2)

    for (const tab of [tab1, tab2]) expect(titles(tab.received('alert'))).toEqual(['deploy failed'])
    const tab3 = await herald.connect(ada, undefined, claims)
    expect(welcomeOf(tab3)).toMatchObject({ unread: 2, preferences })
    expect(titles((await recent(tab3)).entries).sort()).toEqual(['deploy failed', 'maintenance at 22:00'])
  })

  it('refuses bad preferences with invalid_preferences and keeps the stored ones', async () => {
    const bo = user('bo')
    const tab = await herald.connect(bo)
    const kept = { mute: { topics: ['uploads'] } }
    tab.send({ type: 'set_preferences', preferences: kept })
    await tab.next('preferences')

    const bad = [
      { quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } },
      { minSeverity: { inbox: 'apocalyptic' } },
      { mute: { sources: Array.from({ length: 51 }, (_, i) => `s${i}`) } },
      { mute: { topics: ['logs'] } },
      { volume: 11 },
    ]
    for (const preferences of bad) {
      tab.send({ type: 'set_preferences', preferences })
      expect((await tab.next('error')).data).toMatchObject({ code: 'invalid_preferences' })
    }
    expect(welcomeOf(await herald.connect(bo)).preferences).toEqual(kept)
  })

  it('folds one threadKey into one entry: counted once, resumed once with its count', async () => {
    const cy = user('cy')
    const tab = await herald.connect(cy)
    for (const n of [1, 2, 3])
      await herald.publisher.publish({
        type: 'alert',
        userId: cy,
        threadKey: 'disk:db-1',
        data: alert(`disk ${n}`),
      })
    await herald.publisher.sendAlertNotification(cy, alert('other'))
    await settle(tab)

    // Live, each notification comes with its thread.
    expect(tab.received('alert').map((frame) => frame.thread?.key)).toEqual([
      'disk:db-1',
      'disk:db-1',
      'disk:db-1',
      undefined,
    ])
    const { entries, unread } = await recent(tab)
    expect(unread).toBe(2)
    expect(entries.map((entry) => [titles([entry])[0], entry.thread])).toEqual([
      ['disk 3', { key: 'disk:db-1', count: 3 }],
      ['other', undefined],
    ])
    tab.send({ type: 'mark_read', ids: [entries[0]?.id as string] })
    expect(((await tab.next('read_state')).data as ReadState).unread).toBe(1)
  })

  it('snoozes an entry on every tab until its time, then brings it back unread', async () => {
    const di = user('di')
    const [tab1, tab2] = await Promise.all([herald.connect(di), herald.connect(di)])
    const published = await herald.publisher.sendAlertNotification(di, alert('look later'))
    await settle(tab1, tab2)
    tab1.send({ type: 'mark_read', ids: [published.id] })
    await Promise.all([tab1.next('read_state'), tab2.next('read_state')])

    const until = new Date(Date.now() + 1500).toISOString()
    tab1.send({ type: 'snooze', ids: [published.id], until })
    for (const tab of [tab1, tab2]) {
      const state = (await tab.next('read_state')).data as ReadState
      expect(state.snoozed).toEqual({ [published.id]: until })
    }
    expect(welcomeOf(await herald.connect(di)).snoozed).toEqual({ [published.id]: until })
    expect((await recent(tab2)).entries).toEqual([])

    // The snooze ends at `until`: wait for that moment, then the recent list has it back.
    await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 50))
    const back = await recent(tab2)
    expect(back.entries.map((entry) => [entry.id, entry.snoozed, entry.read])).toEqual([
      [published.id, true, false],
    ])
    expect(back.unread).toBe(1)
    tab2.send({ type: 'mark_read', ids: [published.id] })
    expect(((await tab2.next('read_state')).data as ReadState).unread).toBe(0)
    expect((await recent(tab2)).entries.map((entry) => [entry.snoozed, entry.read])).toEqual([
      [undefined, true],
    ])
  })

  it('refuses a snooze in the past or more than 30 days ahead with invalid_snooze', async () => {
    const ed = user('ed')
    const tab = await herald.connect(ed)
    const published = await herald.publisher.sendAlertNotification(ed, alert('x'))
    for (const until of [new Date(Date.now() - 1000), new Date(Date.now() + 31 * 86_400_000)]) {
      tab.send({ type: 'snooze', ids: [published.id], until: until.toISOString() })
      expect((await tab.next('error')).data).toMatchObject({ code: 'invalid_snooze' })
    }
    tab.send({ type: 'snooze', ids: [published.id], until: 'tomorrow' })
    expect((await tab.next('error')).data).toMatchObject({ code: 'invalid_snooze' })
  })

  it('stops replaying and counting a notification at its expiry, and refuses one already expired', async () => {
    const fi = user('fi')
    const tab = await herald.connect(fi)
    const published = await herald.publisher.publish({
      type: 'alert',
      userId: fi,
      ttlSeconds: 1,
      data: alert('brief'),
    })
    const live = await tab.next('alert')
    expect(live.expiresAt).toBeDefined()
    expect((await recent(tab)).entries.map((entry) => entry.id)).toEqual([published.id])

    await new Promise((resolve) =>
      setTimeout(resolve, Date.parse(live.expiresAt as string) - Date.now() + 1000),
    )
    expect(await recent(tab)).toEqual({ entries: [], unread: 0 })

    const late = await herald.publisher.publish({
      type: 'alert',
      userId: fi,
      expiresAt: new Date(Date.now() - 1000).toISOString(),
      data: alert('too late'),
    })
    await settle(tab)
    expect(
      tab
        .received('alert')
        .filter((frame) => !frame.replayed)
        .map((frame) => frame.id),
    ).toEqual([published.id])
    expect(rejected.find((record) => JSON.parse(record.body).id === late.id)).toMatchObject({
      reason: 'expired',
    })
  })

  pythonTest('takes a thread from every publisher: TypeScript, Python and the CLI', async () => {
    const gus = user('gus')
    const tab = await herald.connect(gus)
    const python = await installPythonPublisher()
    await herald.publisher.sendAlertNotification(gus, alert('from ts'), { threadKey: 'deploys' })
    await python.run(
      'from herald_publisher import send_alert_notification\n' +
        `send_alert_notification('${gus}', {'severity': 'high', 'title': 'from python', 'message': ''}, thread_key='deploys')\n`,
      { HERALD_TOPIC_ARN: herald.stack.topicArn, HERALD_SNS_ENDPOINT: herald.stack.snsEndpoint },
    )
    await run(tsx, [
      join(root, 'cli/herald.ts'),
      'publish',
      'alert',
      '--user',
      gus,
      '--title',
      'from cli',
      '--thread',
      'deploys',
      '--config',
      configFile,
    ])
    await settle(tab)

    expect(tab.received('alert').map((frame) => frame.thread)).toEqual([
      { key: 'deploys' },
      { key: 'deploys' },
      { key: 'deploys' },
    ])
    expect((await recent(tab)).entries.map((entry) => entry.thread)).toEqual([{ key: 'deploys', count: 3 }])
  })
})
