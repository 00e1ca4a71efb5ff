import { describe, expect, it } from 'vitest'
import { InvalidNotificationError, ProtocolError } from '../../shared/errors.js'
import { parseClientMessage, parseServerFrame } from '../../shared/protocol/frames.js'
import { newId } from '../../shared/protocol/ids.js'
import { MAX_MESSAGE_BYTES } from '../../shared/protocol/limits.js'
import { messageAttributesOf, parsePublishBody, toEnvelope } from '../../shared/protocol/publish-body.js'

function codeOf(frame: string, maxBytes = 32_768): string {
  try {
    parseClientMessage(frame, maxBytes)
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError)
    return (error as ProtocolError).code
  }
  throw new Error(`expected ${frame} to be refused`)
}

describe('Function: parseClientMessage', () => {
  it.each([
    ['{"type":"ping"}', { type: 'ping' }],
    ['{"type":"subscribe","topics":["alerts","logs"]}', { type: 'subscribe', topics: ['alerts', 'logs'] }],
    ['{"type":"unsubscribe","topics":["system"]}', { type: 'unsubscribe', topics: ['system'] }],
    [
      '{"type":"set_filters","filters":{"level":"error","source":"api"}}',
      { type: 'set_filters', filters: { level: 'error', source: 'api' } },
    ],
    ['{"type":"set_filters","filters":{}}', { type: 'set_filters', filters: {} }],
    [
      '{"type":"resume","since":"01JDQ4Z6T8M2W3X4Y5Z6A7B8C9"}',
      { type: 'resume', since: '01JDQ4Z6T8M2W3X4Y5Z6A7B8C9' },
    ],
    ['{"type":"resume"}', { type: 'resume' }],
  ])('accepts %s', (frame, expected) => {
    expect(parseClientMessage(frame, 32_768)).toEqual(expected)
  })

  it.each([
    ['not json', 'invalid_json'],
    ['{"type":', 'invalid_json'],
    ['[1,2]', 'invalid_message'],
    ['"ping"', 'invalid_message'],
    ['null', 'invalid_message'],
    ['{"topics":["alerts"]}', 'invalid_message'],
    ['{"type":42}', 'invalid_message'],
    ['{"type":"subscribe"}', 'invalid_message'],
    ['{"type":"subscribe","topics":[]}', 'invalid_message'],
    ['{"type":"subscribe","topics":["secrets"]}', 'invalid_message'],
    ['{"type":"set_filters","filters":{"level":"loud"}}', 'invalid_message'],
    ['{"type":"set_filters","filters":{"user":"bob"}}', 'invalid_message'],
    ['{"type":"ping","extra":true}', 'invalid_message'],
    ['{"type":"resume","since":"yesterday"}', 'invalid_message'],
    ['{"type":"publish"}', 'unknown_type'],
    ['{"type":"__proto__"}', 'unknown_type'],
    ['{"type":"toString"}', 'unknown_type'],
  ])('refuses %s with %s', (frame, code) => {
    expect(codeOf(frame)).toBe(code)
  })

  it('refuses a message over the size limit with too_large, before parsing it', () => {
    expect(codeOf(`{"type":"ping","pad":"${'x'.repeat(100)}"}`, 64)).toBe('too_large')
  })
})

describe('Function: parsePublishBody', () => {
  it('accepts each notification type with the seed’s shapes', () => {
    expect(
      parsePublishBody({
        type: 'alert',
        data: { severity: 'critical', title: 'a', message: 'b', source: 's', metadata: { k: 1 } },
      }).type,
    ).toBe('alert')
    expect(parsePublishBody('{"type":"log_event","data":{"level":"warning","message":"m"}}').type).toBe(
      'log_event',
    )
    expect(parsePublishBody({ type: 'system', data: { title: 't', message: 'm' } })).toMatchObject({
      data: { severity: 'info' },
    })
    expect(
      parsePublishBody({
        type: 'upload_status',
        userId: 'u',
        data: { upload_id: 'x', status: 'failed', progress: 0, filename: 'f' },
      }).type,
    ).toBe('upload_status')
  })

  it.each([
    ['not json', /not valid JSON/],
    [{ type: 'alert', data: { severity: 'urgent', title: 'a', message: 'b' } }, /data.severity/],
    [
      {
        type: 'upload_status',
        userId: 1.5,
        data: { upload_id: 'x', status: 'completed', progress: 100, filename: 'f' },
      },
      /userId: must be a string or an integer/,
    ],
    [
      {
        type: 'upload_status',
        userId: 'u',
        data: { upload_id: 'x', status: 'completed', progress: 101, filename: 'f' },
      },
      /progress/,
    ],
    [{ type: 'log_event', userId: 'u', data: { level: 'info', message: 'm' } }, /userId/],
    [{ type: 'telegram', data: {} }, /type/],
    [{ type: 'alert', id: 'my-own-id', data: { severity: 'low', title: 'a', message: 'b' } }, /Herald id/],
  ])('refuses %o with a clear error', (input, message) => {
    expect(() => parsePublishBody(input)).toThrow(InvalidNotificationError)
    expect(() => parsePublishBody(input)).toThrow(message)
  })

  it('refuses a notification API Gateway could not post (over 128 KB)', () => {
    const body = parsePublishBody({ type: 'log_event', data: { level: 'info', message: 'x'.repeat(65_536) } })
    expect(() => toEnvelope(body, { id: newId(), timestamp: '' })).not.toThrow()
    const big = { ...body, data: { ...body.data, message: 'x'.repeat(MAX_MESSAGE_BYTES) } } as typeof body
    expect(() => toEnvelope(big, { id: newId(), timestamp: '' })).toThrow(/limit is 131072/)
  })

  it('mirrors type, user, level, source and environment as message attributes', () => {
    expect(
      messageAttributesOf(
        parsePublishBody({ type: 'alert', userId: 'al', data: { severity: 'low', title: 't', message: '' } }),
      ),
    ).toEqual({
      type: 'alert',
      userId: 'al',
    })
    expect(
      messageAttributesOf(
        parsePublishBody({
          type: 'log_event',
          data: { level: 'error', message: '', source: 'api', environment: 'prod' },
        }),
      ),
    ).toEqual({ type: 'log_event', level: 'error', source: 'api', environment: 'prod' })
  })
})

describe('Function: parseServerFrame', () => {
  it('accepts a valid notification and control frame, and drops anything else', () => {
    const alert = {
      id: newId(),
      type: 'alert',
      data: { severity: 'low', title: 't', message: '' },
      timestamp: 'now',
    }
    expect(parseServerFrame(JSON.stringify(alert))).toEqual(alert)
    expect(
      parseServerFrame(JSON.stringify({ id: '1', type: 'pong', data: {}, timestamp: 'now' }))?.type,
    ).toBe('pong')
    expect(parseServerFrame(JSON.stringify({ ...alert, data: { severity: 'nope' } }))).toBeUndefined()
    expect(parseServerFrame('{')).toBeUndefined()
  })
})
