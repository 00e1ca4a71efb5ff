import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { InvalidNotificationError } from '../../shared/errors.js'
import { CLIENT_MESSAGE_SCHEMAS } from '../../shared/protocol/frames.js'
import { MOCK_ROUTES } from '../../shared/protocol/gateway-routes.js'
import { withLocalStack } from '../support/local-stack.js'

// No rate limit here: the point is what each frame gets back, thousands of them.
const herald = withLocalStack({ env: { HERALD_MAX_MESSAGES_PER_SECOND: '1000000' } })
const KNOWN = Object.keys(CLIENT_MESSAGE_SCHEMAS)
// API Gateway answers these route keys itself, whatever else the frame holds (test/e2e/heartbeat-routes.test.ts).
const TO_FUNCTIONS = KNOWN.filter((type) => !Object.hasOwn(MOCK_ROUTES, type))
const RUNS = Number(process.env.HERALD_FUZZ_RUNS ?? 2000)

const notJson = fc.string({ minLength: 1, maxLength: 200 }).filter((text) => {
  try {
    JSON.parse(text)
    return false
  } catch {
    return true
  }
})
const deep = fc
  .integer({ min: 50, max: 2000 })
  .map((depth) => `{"type":"subscribe","topics":${'['.repeat(depth)}${']'.repeat(depth)}}`)

// Invalid preferences and snoozes have codes of their own (docs/architecture.md, Inbox controls).
const INVALID: Record<string, string> = {
  set_preferences: 'invalid_preferences',
  snooze: 'invalid_snooze',
  push_subscribe: 'invalid_subscription',
}

/** A frame and the error code (or codes) it must get back. */
type Case = [string, string | string[]]

const invalidFrames: fc.Arbitrary<Case> = fc.oneof(
  notJson.map((frame): Case => [frame, 'invalid_json']),
  fc
    .oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string(),
      fc.array(fc.anything(), { maxLength: 5 }),
    )
    .map((value): Case => [JSON.stringify(value), 'invalid_message']),
  fc
    .dictionary(
      fc.string({ maxLength: 8 }).filter((key) => key !== 'type'),
      fc.jsonValue(),
      { maxKeys: 4 },
    )
    .map((object): Case => [JSON.stringify(object), 'invalid_message']),
  fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'publish', ''),
      fc.string({ maxLength: 20 }),
    )
    .filter((type) => !KNOWN.includes(type))
    .map((type): Case => [JSON.stringify({ type, topics: ['alerts'] }), 'unknown_type']),
  fc
    .tuple(fc.constantFrom(...TO_FUNCTIONS), fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue())
    .map(
      ([type, key, value]): Case => [
        JSON.stringify({ type, [`x_${key}`]: value }),
        INVALID[type] ?? 'invalid_message',
      ],
    ),
  fc
    .constantFrom(
      '{"type":"__proto__"}',
      '{"__proto__":{"type":"ping"}}',
      '{"type":"resume","__proto__":{"admin":true}}',
    )
    .map(
      (frame): Case => [frame, frame.startsWith('{"type":"__proto__"') ? 'unknown_type' : 'invalid_message'],
    ),
  deep.map((frame): Case => [frame, ['invalid_message', 'invalid_json']]),
  fc.integer({ min: 17, max: 5000 }).map((n): Case => {
    const frame = JSON.stringify({ type: 'subscribe', topics: Array(n).fill('alerts') })
    return [frame, frame.length > 32 * 1024 ? 'too_large' : 'invalid_message']
  }),
)
// Binary frames and single frames over 32 KB are not here: API Gateway closes the connection for
// them (1003, 1009) before any route runs, which test/e2e/local-stack.test.ts checks.

describe('Fuzzing the client protocol against the local stack', () => {
  it(`answers each of ${RUNS} malformed frames with the right error, keeps the socket open and the connection unchanged`, async () => {
    const client = await herald.connect('fuzzer')
    // The welcome marks the connection open after its frame arrives: compare from after that.
    await herald.stack.idle()
    const before = (await herald.storedItems()).filter((item) => item.userId === 'fuzzer')
    const cases = fc.sample(invalidFrames, { numRuns: RUNS, seed: 20261126 })

    for (const [frame, expected] of cases) {
      // A message over one frame's 32 KB goes as a client would send it: in several frames.
      const parts = String(frame).match(/[\s\S]{1,16384}/g) ?? ['']
      for (const [i, part] of parts.entries()) client.socket.send(part, { fin: i === parts.length - 1 })
      const answer = await client.next(undefined, 5_000)
      const codes = [expected].flat()
      expect(answer.type, `frame ${String(frame).slice(0, 80)}`).toBe('error')
      expect(codes, `frame ${String(frame).slice(0, 80)}`).toContain((answer.data as { code: string }).code)
    }

    expect(client.closed).toBeUndefined()
    expect(
      client.frames.some(
        (frame) => (frame as unknown as { message?: string }).message === 'Internal server error',
      ),
    ).toBe(false)
    client.send({ type: 'ping' })
    expect((await client.next('pong')).type).toBe('pong')
    const after = (await herald.storedItems()).filter((item) => item.userId === 'fuzzer')
    expect(after.sort((a, b) => String(a.sk).localeCompare(String(b.sk)))).toEqual(
      before.sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
    )
    client.close()
  }, 120_000)
})

describe('Fuzzing publisher input', () => {
  const invalidBodies = fc.oneof(
    fc.anything().map((value) => ({ value, text: JSON.stringify(value) ?? 'undefined' })),
    fc
      .record({
        type: fc.constantFrom('alert', 'log_event', 'system', 'upload_status'),
        data: fc.dictionary(fc.string(), fc.jsonValue()),
      })
      .map((value) => ({
        value,
        text: JSON.stringify(value),
      })),
    fc
      .record({
        type: fc.constant('alert'),
        userId: fc.constant('victim'),
        data: fc.record({ severity: fc.string(), title: fc.anything() }),
      })
      .map((value) => ({
        value,
        text: JSON.stringify(value),
      })),
  )

  it('refuses invalid SDK input with InvalidNotificationError before anything is sent', async () => {
    const cases = fc.sample(invalidBodies, { numRuns: 300, seed: 7 })
    for (const { value } of cases) {
      await expect(herald.publisher.publish(value as never)).rejects.toBeInstanceOf(InvalidNotificationError)
    }
  })

  it('skips invalid raw SNS bodies without delivering anything half-formed or failing the fan-out', async () => {
    const victim = await herald.connect('victim')
    const failures: unknown[] = []
    const cases = fc.sample(invalidBodies, { numRuns: 200, seed: 11 })

    for (const { text } of cases) {
      const response = await herald.rawPublish({
        Action: 'Publish',
        TopicArn: herald.stack.topicArn,
        Message: text || ' ',
      })
      if (response.status !== 200) failures.push(response.body)
    }
    await herald.stack.idle()
    await herald.publisher.sendAlertNotification('victim', {
      severity: 'low',
      title: 'the only one',
      message: '',
    })
    await herald.stack.idle()

    await vi.waitFor(() => expect(victim.received('alert')).toHaveLength(1))
    expect(victim.frames.map((frame) => frame.type)).toEqual(['connection_established', 'alert'])
    expect(failures).toEqual([])
    victim.close()
  })
})
