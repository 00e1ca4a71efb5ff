import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { beforeEach, describe, expect, it } from 'vitest'
import type { TableNames } from '../../local/dynamodb.js'
import { fanOut } from '../../shared/fan-out/fan-out.js'
import type { Inbox } from '../../shared/inbox/inbox.js'
import type { LogFilters } from '../../shared/protocol/frames.js'
import { newId } from '../../shared/protocol/ids.js'
import { type PublishInput, parsePublishBody } from '../../shared/protocol/publish-body.js'
import type { Topic } from '../../shared/protocol/topics.js'
import { answerClientFrame } from '../../shared/session/client-session.js'
import type { ConnectionStore } from '../../shared/store/connection-store.js'
import type { HistoryStore } from '../../shared/store/history-store.js'
import type { UserStore } from '../../shared/store/user-store.js'
import { withLocalDynamo } from '../support/local-dynamo.js'
import { RecordingPoster } from '../support/recording-poster.js'

const dynamo = withLocalDynamo()
let connections: ConnectionStore
let history: HistoryStore
let inbox: Inbox
let prefs: UserStore
let poster: RecordingPoster
let tables: TableNames

beforeEach(async () => {
  ;({ connections, history, inbox, tables, preferences: prefs } = await dynamo.freshStores())
  poster = new RecordingPoster()
})

const publish = (input: PublishInput) =>
  fanOut({ connections, history, poster }, parsePublishBody(input), {
    id: newId(),
    timestamp: new Date().toISOString(),
  })

async function connect(connectionId: string, userId: string, topics: Topic[], filters: LogFilters = {}) {
  await connections.add({ connectionId, userId, topics, filters })
}

const receivers = (type: string) =>
  [...poster.received]
    .filter(([, frames]) => frames.some((f) => f.type === type))
    .map(([c]) => c)
    .sort()

describe('Function: fanOut', () => {
  beforeEach(async () => {
    await connect('alice-tab1', 'alice', ['alerts', 'system', 'uploads'])
    await connect('alice-tab2', 'alice', ['alerts', 'system', 'uploads'])
    await connect('alice-logs', 'alice', ['logs'])
    await connect('bob-tab', 'bob', ['alerts', 'system', 'uploads'])
    await connect('carol-quiet', 'carol', ['uploads'])
    await connect('ops-errors', 'ops', ['logs'], { level: 'error' })
    await connect('ops-prod-api', 'ops', ['logs'], { source: 'api', environment: 'prod' })
  })

  it('sends a targeted alert to every connection of that user and to nobody else', async () => {
    const report = await publish({
      type: 'alert',
      userId: 'alice',
      data: { severity: 'high', title: 'Disk', message: '91%' },
    })

    expect(receivers('alert')).toEqual(['alice-tab1', 'alice-tab2'])
    expect(report).toMatchObject({ recipients: 2, delivered: 2, gone: 0, refused: 0, exhausted: 0 })
  })

  it('sends an alert without a user to every alerts subscriber', async () => {
    await publish({ type: 'alert', data: { severity: 'low', title: 'Deploy', message: 'v2 is out' } })
    expect(receivers('alert')).toEqual(['alice-tab1', 'alice-tab2', 'bob-tab'])
  })

  it('sends a system notice to every system subscriber', async () => {
    await publish({ type: 'system', data: { title: 'Maintenance', message: 'at noon' } })
    expect(receivers('system')).toEqual(['alice-tab1', 'alice-tab2', 'bob-tab'])
  })

  it('sends upload status only to its owner', async () => {
    await publish({
      type: 'upload_status',
      userId: 'bob',
      data: { upload_id: 'u1', status: 'processing', progress: 40, filename: 'a.csv' },
    })
    expect(receivers('upload_status')).toEqual(['bob-tab'])
  })

  it('sends a log event to log subscribers whose filters match', async () => {
    await publish({
      type: 'log_event',
      data: { level: 'error', message: 'boom', source: 'api', environment: 'prod' },
    })
    expect(receivers('log_event')).toEqual(['alice-logs', 'ops-errors', 'ops-prod-api'])

    poster.clear()
    await publish({
      type: 'log_event',
      data: { level: 'info', message: 'ok', source: 'api', environment: 'dev' },
    })
    expect(receivers('log_event')).toEqual(['alice-logs'])
  })

  it('delivers the exact envelope: id, type, data and timestamp', async () => {
    const id = newId()
    await publish({
      type: 'alert',
      userId: 'bob',
      id,
      timestamp: '2026-11-26T10:00:00.000Z',
      data: { severity: 'low', title: 't', message: 'm' },
    })

    expect(poster.framesOf('bob-tab')).toEqual([
      {
        id,
        type: 'alert',
        timestamp: '2026-11-26T10:00:00.000Z',
        data: { severity: 'low', title: 't', message: 'm' },
      },
    ])
  })

  it('removes welcomed connections that turned out to be gone, so the next fan-out skips them', async () => {
    await connections.markOpen('alice-tab2')
    poster.gone.add('alice-tab2')

    const first = await publish({
      type: 'alert',
      userId: 'alice',
      data: { severity: 'low', title: 'a', message: '' },
    })
    const second = await publish({
      type: 'alert',
      userId: 'alice',
      data: { severity: 'low', title: 'b', message: '' },
    })

    expect(first).toMatchObject({ recipients: 2, delivered: 1, gone: 1 })
    expect(second).toMatchObject({ recipients: 1, delivered: 1, gone: 0 })
    expect(await connections.get('alice-tab2')).toBeUndefined()
  })

  it('reads about one item per recipient: only a connection off the topic is read in vain', async () => {
    for (let i = 0; i < 50; i++) await connect(`crowd-${i}`, `user-${i}`, ['system'])

    const report = await publish({ type: 'system', data: { title: 'Hello', message: 'all' } })

    expect(report.recipients).toBe(53)
    // carol-quiet follows only uploads: her item is read with the others and not sent to.
    expect(report.itemsRead).toBe(54)
    expect(poster.framesOf('carol-quiet')).toEqual([])
  })

  it('lets a reconnecting client resume exactly what it missed', async () => {
    // Prepare: bob saw the first alert, then went offline for three notifications
    await publish({ type: 'alert', userId: 'bob', data: { severity: 'low', title: 'seen', message: '' } })
    const lastSeen = poster.framesOf('bob-tab').at(-1)?.id
    await connections.remove('bob-tab')
    await publish({ type: 'alert', userId: 'bob', data: { severity: 'low', title: 'missed-1', message: '' } })
    await publish({ type: 'system', data: { title: 'missed-2', message: '' } })
    await publish({
      type: 'alert',
      userId: 'alice',
      data: { severity: 'low', title: 'not-bobs', message: '' },
    })
    await publish({ type: 'log_event', data: { level: 'info', message: 'logs are not kept' } })
    await publish({
      type: 'upload_status',
      userId: 'bob',
      data: { upload_id: 'u', status: 'completed', progress: 100, filename: 'f' },
    })

    // Act: the client reconnects and resumes from the last id it saw
    await connect('bob-tab-2', 'bob', ['alerts', 'system', 'uploads'])
    const { frames } = await answerClientFrame(
      { connections, history, inbox, preferences: prefs },
      { connectionId: 'bob-tab-2', userId: 'bob', canReadLogs: true },
      JSON.stringify({ type: 'resume', since: lastSeen }),
    )

    // Assess
    expect(frames.map((f) => f.type)).toEqual(['alert', 'system', 'upload_status', 'resumed'])
    expect(frames.slice(0, 2).map((f) => (f.data as { title: string }).title)).toEqual([
      'missed-1',
      'missed-2',
    ])
    expect(frames.at(-1)?.data).toMatchObject({ count: 3, more: false })
  })

  it('keeps no log event in history, while the alert published beside it is kept', async () => {
    await publish({ type: 'log_event', data: { level: 'error', message: 'never kept' } })
    await publish({ type: 'alert', data: { severity: 'low', title: 'kept', message: '' } })

    // The whole table, not just the partitions a resume reads: a log must not be written anywhere.
    const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: tables.history }))
    expect(Items.map((item) => item.topic)).toEqual(['alerts'])
  })
})
