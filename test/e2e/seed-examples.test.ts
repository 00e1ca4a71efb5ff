import { beforeAll, describe, expect, it } from 'vitest'
import { NOTIFICATION_TYPES } from '../../shared/protocol/notifications.js'
import { withLocalStack } from '../support/local-stack.js'
import { installPythonPublisher, type PythonPublisher, pythonTest } from '../support/python-publisher.js'
import { type JsonExample, jsonExamples, pythonExamples } from '../support/seed-examples.js'
import type { TestClient } from '../support/ws-client.js'

// Every publishing example in the seed document, sent exactly as written three ways (raw SNS, the
// TypeScript SDK, the Python publisher), must reach exactly the sockets it targets with its data
// as written; only timestamps and letter case are normalised.
// Each check pings every socket; the per-connection frame limit is raised so that is not abuse.
const herald = withLocalStack({ env: { HERALD_MAX_MESSAGES_PER_SECOND: '1000' } })
type Socket = 'one' | 'two' | 'logs'
let sockets: Record<Socket, TestClient>
let python: PythonPublisher | undefined

beforeAll(async () => {
  sockets = {
    one: await herald.connect('1'),
    two: await herald.connect('2'),
    logs: await herald.connect('ops', 'stream=logs'),
  }
})

const pythonPublisher = async () => {
  python ??= await installPythonPublisher()
  return python
}

/** The two timestamp forms the seed writes, as Herald delivers them (spelt out, not computed by Herald's code). */
function delivered(timestamp: string): string {
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(timestamp)) return timestamp.replace('Z', '.000Z')
  const naive = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\d{3}$/.exec(timestamp)
  if (naive) return `${naive[1]}Z`
  throw new Error(`a seed timestamp of an unexpected form: ${timestamp}`)
}

function expectedData(data: Record<string, unknown>): Record<string, unknown> {
  return typeof data.timestamp === 'string' ? { ...data, timestamp: delivered(data.timestamp) } : data
}

/** Who a body reaches: its user, or every subscriber of its topic. */
function targetsOf(body: { type: string; userId?: unknown }): Socket[] {
  if (body.type === 'log_event') return ['logs']
  if (body.userId !== undefined) return body.userId === 1 ? ['one'] : []
  return ['one', 'two']
}

/** Runs `publish`, then waits until everything it caused has been delivered and read. */
async function arrivals(publish: () => Promise<unknown>) {
  const marks = Object.fromEntries(Object.entries(sockets).map(([name, s]) => [name, s.frames.length]))
  await publish()
  await herald.stack.idle()
  // A pong comes after every frame the gateway sent before it, on the same socket.
  await Promise.all(
    Object.values(sockets).map(async (socket) => {
      socket.send({ type: 'ping' })
      await socket.next('pong')
    }),
  )
  return Object.fromEntries(
    Object.entries(sockets).map(([name, socket]) => [
      name,
      socket.frames.slice(marks[name]).filter((frame) => NOTIFICATION_TYPES.includes(frame.type as never)),
    ]),
  ) as Record<Socket, TestClient['frames']>
}

function expectArrivedExactly(
  got: Record<Socket, TestClient['frames']>,
  body: { type: string; userId?: unknown; data: Record<string, unknown>; timestamp?: string },
) {
  const targets = targetsOf(body)
  for (const socket of Object.keys(sockets) as Socket[]) {
    if (!targets.includes(socket)) {
      expect(got[socket], `${socket} must not receive it`).toEqual([])
      continue
    }
    expect(got[socket], `${socket} receives it once`).toHaveLength(1)
    expect(got[socket][0]).toMatchObject({ type: body.type, data: expectedData(body.data) })
    if (body.timestamp) expect(got[socket][0]?.timestamp).toBe(delivered(body.timestamp))
  }
}

const rawSns = (body: unknown) =>
  herald.rawPublish({ Action: 'Publish', TopicArn: herald.stack.topicArn, Message: JSON.stringify(body) })

const pythonEnv = () => ({
  HERALD_TOPIC_ARN: herald.stack.topicArn,
  HERALD_SNS_ENDPOINT: herald.stack.snsEndpoint,
  HERALD_REGION: herald.stack.region,
})

describe('The seed’s message examples (Notification Types), exactly as written', () => {
  const examples = jsonExamples()

  it('are the four types, every listed value of severity and status included', () => {
    expect(examples.map((example) => example.name)).toEqual([
      'alert (severity high, source system)',
      'alert (severity medium, source logs)',
      'alert (severity low, source monitoring)',
      'alert (severity critical, source system)',
      'log_event',
      'system',
      'upload_status (status completed)',
      'upload_status (status processing)',
      'upload_status (status failed)',
    ])
  })

  it.each(examples.map((example) => [example.name, example] as const))(
    '%s arrives through raw SNS',
    async (_, example: JsonExample) => {
      const got = await arrivals(async () => expect((await rawSns(example.body)).status).toBe(200))
      expectArrivedExactly(got, example.body)
    },
  )

  it.each(examples.map((example) => [example.name, example] as const))(
    '%s arrives through the TypeScript SDK',
    async (_, example: JsonExample) => {
      const got = await arrivals(() => herald.publisher.publish(example.body as never))
      expectArrivedExactly(got, example.body)
    },
  )

  pythonTest(
    'each arrives through the Python publisher',
    async () => {
      const py = await pythonPublisher()
      for (const example of examples) {
        const code = `import json\nfrom herald_publisher import publish\npublish(json.loads(${JSON.stringify(JSON.stringify(example.body))}))\n`
        const got = await arrivals(() => py.run(code, pythonEnv()))
        expectArrivedExactly(got, example.body)
      }
    },
    60_000,
  )
})

describe('The seed’s Django publishing code, exactly as written', () => {
  const blocks = pythonExamples()

  it('is the websocket_utils block (an alert to user 1, a log) and the signals block (notify_log_ingested)', () => {
    expect(blocks).toHaveLength(2)
    expect(blocks[0]).toContain('send_alert_notification(user_id=1')
    expect(blocks[1]).toContain('notify_log_ingested({')
  })

  pythonTest(
    'runs unchanged once its import names herald_publisher, and every call arrives',
    async () => {
      const py = await pythonPublisher()
      for (const block of blocks) {
        const calls = await py.record(block)
        const got = await arrivals(() => py.run(block, pythonEnv()))
        const alerts = calls.filter((call) => call.fn === 'send_alert_notification')
        for (const call of alerts) {
          expect(call.kwargs.user_id).toBe(1)
          expect(got.one).toContainEqual(
            expect.objectContaining({ type: 'alert', data: call.kwargs.alert_data }),
          )
          expect(got.two).toEqual([])
        }
        const logs = calls.filter((call) => call.fn !== 'send_alert_notification')
        expect(got.logs).toHaveLength(logs.length)
        for (const [i, call] of logs.entries()) {
          const { timestamp, ...rest } = call.args[0] as Record<string, unknown>
          expect(got.logs[i]).toMatchObject({ type: 'log_event', data: rest })
          // utcnow() ran again in the publishing run: the form is what is checked here.
          expect(got.logs[i]?.data).toHaveProperty('timestamp', expect.stringMatching(/^\d{4}-.*\.\d{3}Z$/))
          if (typeof timestamp === 'string' && timestamp.endsWith('Z'))
            expect(got.logs[i]?.data).toHaveProperty('timestamp', delivered(timestamp))
        }
      }
    },
    60_000,
  )

  pythonTest(
    'the same calls arrive through raw SNS and the TypeScript SDK, with the seed’s names',
    async () => {
      const py = await pythonPublisher()
      const calls = (await Promise.all(blocks.map((block) => py.record(block)))).flat()
      expect(calls.map((call) => call.fn)).toEqual([
        'send_alert_notification',
        'send_log_stream',
        'notify_log_ingested',
      ])
      for (const call of calls) {
        const [first] = call.args as [Record<string, unknown>]
        const body =
          call.fn === 'send_alert_notification'
            ? {
                type: 'alert',
                userId: call.kwargs.user_id,
                data: call.kwargs.alert_data as Record<string, unknown>,
              }
            : { type: 'log_event', data: first }
        expectArrivedExactly(await arrivals(() => rawSns(body)), body)
        const sdk = herald.publisher
        const viaSdk = await arrivals(() =>
          call.fn === 'send_alert_notification'
            ? sdk.sendAlertNotification(call.kwargs.user_id as number, call.kwargs.alert_data as never)
            : call.fn === 'send_log_stream'
              ? sdk.sendLogStream(first as never)
              : sdk.notifyLogIngested(first as never),
        )
        expectArrivedExactly(viaSdk, body)
      }
    },
    60_000,
  )
})

describe('What Python code writes beyond the seed’s examples', () => {
  pythonTest(
    'logging’s level names, aliases, an extra field and a datetime all arrive normalised',
    async () => {
      const py = await pythonPublisher()
      const code = `import datetime
from herald_publisher import send_alert_notification, send_log_stream, send_system_notification
send_log_stream({"level": "WARNING", "message": "disk", "timestamp": datetime.datetime(2026, 11, 27, 15, 10, 0, 123456)})
send_alert_notification(1, {"severity": "Fatal", "title": "t", "message": "m", "link": "https://example.com/a/1"})
send_system_notification("System Update", "Maintenance scheduled")
`
      const got = await arrivals(() => py.run(code, pythonEnv()))
      expect(got.logs.map((frame) => frame.data)).toEqual([
        { level: 'warning', message: 'disk', timestamp: '2026-11-27T15:10:00.123Z' },
      ])
      expect(got.one.map((frame) => frame.data)).toEqual([
        { severity: 'critical', title: 't', message: 'm', link: 'https://example.com/a/1' },
        { title: 'System Update', message: 'Maintenance scheduled', severity: 'info' },
      ])
    },
    30_000,
  )

  pythonTest(
    'a notification Herald would refuse raises before anything is published',
    async () => {
      const py = await pythonPublisher()
      const code = `from herald_publisher import send_system_notification, HeraldPublishError
try:
    send_system_notification("", "m", severity="urgent")
except HeraldPublishError as error:
    print(error)
`
      const got = await arrivals(async () =>
        expect(await py.run(code, pythonEnv())).toBe(
          'data.severity: must be one of info, warning, error, critical, high, medium, low\n',
        ),
      )
      expect(Object.values(got).flat()).toEqual([])
    },
    30_000,
  )
})
