import { describe, expect, it } from 'vitest'
import { InvalidNotificationError } from '../../shared/errors.js'
import { audienceOf } from '../../shared/protocol/audience.js'
import { messageAttributesOf, parsePublishBody, targetUserOf } from '../../shared/protocol/publish-body.js'
import { normaliseTimestamp } from '../../shared/protocol/timestamp.js'

const alert = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'alert',
  data: { severity: 'high', title: 'High CPU Usage', message: 'CPU usage exceeded 90%', ...data },
  ...extra,
})

describe('Function: normaliseTimestamp', () => {
  it.each([
    ['2026-11-27T15:10:00.123456', '2026-11-27T15:10:00.123Z'],
    ['2025-12-29T10:30:00Z', '2025-12-29T10:30:00.000Z'],
    ['2025-12-29T10:30:00+02:00', '2025-12-29T08:30:00.000Z'],
    ['2025-12-29T10:30:00.5-0130', '2025-12-29T12:00:00.500Z'],
    ['2025-12-29T10:30', '2025-12-29T10:30:00.000Z'],
    ['2025-12-29 10:30:00', '2025-12-29T10:30:00.000Z'],
    ['2025-12-29T23:30:00.999999999-01:00', '2025-12-30T00:30:00.999Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(normaliseTimestamp(input)).toBe(expected)
  })

  it.each([
    'yesterday',
    '2025-12-29',
    '2026-02-30T10:00:00Z',
    '2025-12-29T24:00:00Z',
    '2025-12-29T10:30:00+25:00',
    '2025-12-29T10:30:00.1234567890Z',
    '1735468200',
  ])('refuses %s', (input) => {
    expect(normaliseTimestamp(input)).toBeUndefined()
  })
})

describe('Function: parsePublishBody, as the seed publishes', () => {
  it('reads an integer user id as the decimal string a token’s sub carries', () => {
    const body = parsePublishBody(alert({}, { userId: 1 }))
    expect(targetUserOf(body)).toBe('1')
  })

  it('normalises a naive microsecond timestamp in data and in the body to milliseconds and Z', () => {
    const body = parsePublishBody({
      type: 'log_event',
      timestamp: '2026-11-27T15:10:00.123456',
      data: { level: 'error', message: 'Application crashed', timestamp: '2026-11-27T15:10:00.123456' },
    })
    expect(body.timestamp).toBe('2026-11-27T15:10:00.123Z')
    expect(body.data).toMatchObject({ timestamp: '2026-11-27T15:10:00.123Z' })
  })

  it.each([
    ['WARNING', 'warning'],
    ['CRITICAL', 'critical'],
    ['Warn', 'warning'],
    ['fatal', 'critical'],
    ['ERR', 'error'],
    ['trace', 'debug'],
    [' info ', 'info'],
  ])('delivers log level %s as %s', (level, expected) => {
    const body = parsePublishBody({ type: 'log_event', data: { level, message: 'm' } })
    expect(body.data).toMatchObject({ level: expected })
  })

  it.each([
    ['HIGH', 'high'],
    ['Fatal', 'critical'],
  ])('delivers alert severity %s as %s', (severity, expected) => {
    expect(parsePublishBody(alert({ severity })).data).toMatchObject({ severity: expected })
  })

  it.each([
    [undefined, 'info'],
    ['info', 'info'],
    ['WARNING', 'warning'],
    ['error', 'error'],
    ['critical', 'critical'],
    ['low', 'low'],
  ])('takes system severity %s as %s', (severity, expected) => {
    const data = {
      title: 'System Update',
      message: 'Maintenance scheduled',
      ...(severity ? { severity } : {}),
    }
    expect(parsePublishBody({ type: 'system', data }).data).toMatchObject({ severity: expected })
  })

  it('delivers fields it does not know inside data unchanged', () => {
    const data = { link: 'https://example.com/a/1', tags: ['db', 'cpu'], nested: { a: [1, { b: null }] } }
    expect(parsePublishBody(alert(data)).data).toMatchObject(data)
    expect(
      parsePublishBody({
        type: 'upload_status',
        data: { upload_id: 'u', status: 'Completed', progress: 100, filename: 'logs.csv', bytes: 1024 },
      }).data,
    ).toEqual({ upload_id: 'u', status: 'completed', progress: 100, filename: 'logs.csv', bytes: 1024 })
  })

  it('still refuses an unknown field at the top level, where a misspelt userId would broadcast', () => {
    expect(() => parsePublishBody(alert({}, { user_id: 1 }))).toThrow(/user_id/)
  })
})

describe('Class: InvalidNotificationError, the reasons a body is refused', () => {
  it.each([
    ['not json', 'not_json', 'message body is not valid JSON'],
    ['[1,2]', 'not_an_object', 'a notification must be a JSON object with "type" and "data"'],
    [
      '{"type":"telegram","data":{}}',
      'unknown_type',
      'type "telegram": must be one of alert, log_event, system, upload_status',
    ],
    [
      '{"data":{}}',
      'unknown_type',
      'type is required: must be one of alert, log_event, system, upload_status',
    ],
    ['{"type":"system","data":{"message":"m"}}', 'invalid_field', 'data.title is required'],
    [
      '{"type":"alert","data":{"severity":"urgent","title":"t","message":""}}',
      'invalid_field',
      'data.severity: must be one of critical, high, medium, low',
    ],
    [
      '{"type":"log_event","data":{"level":"info","message":"m","timestamp":"soon"}}',
      'invalid_field',
      'data.timestamp: must be an ISO-8601 date-time',
    ],
  ])('refuses %s as %s: %s', (body, reason, message) => {
    let thrown: unknown
    try {
      parsePublishBody(body)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InvalidNotificationError)
    expect(thrown).toMatchObject({ code: 'invalid_notification', reason, message })
  })
})

describe('Function: audienceOf, tenants and groups', () => {
  const refusal = (body: unknown, multiTenant: boolean) => {
    try {
      audienceOf(parsePublishBody(body), multiTenant)
    } catch (error) {
      return { reason: (error as InvalidNotificationError).reason, message: (error as Error).message }
    }
    return undefined
  }

  it('scopes a user, a group or everyone to the named tenant', () => {
    expect(audienceOf(parsePublishBody(alert({}, { tenant: 'acme', userId: 1 })), true)).toEqual({
      kind: 'user',
      userId: '1',
      scope: { tenant: 'acme' },
    })
    expect(audienceOf(parsePublishBody(alert({}, { tenant: 7, group: 'oncall' })), true)).toEqual({
      kind: 'group',
      group: 'oncall',
      scope: { tenant: '7' },
    })
    expect(audienceOf(parsePublishBody(alert({}, { tenant: '*' })), true)).toEqual({
      kind: 'everyone',
      scope: {},
    })
  })

  it('keeps a single-tenant deployment as it was: no tenant, or "*", is everyone', () => {
    expect(audienceOf(parsePublishBody(alert({})), false)).toEqual({ kind: 'everyone', scope: {} })
    expect(audienceOf(parsePublishBody(alert({}, { tenant: '*' })), false)).toEqual({
      kind: 'everyone',
      scope: {},
    })
  })

  it.each([
    [
      'a publish without a tenant when multi-tenant',
      alert({}),
      true,
      'tenant is required: this deployment is multi-tenant (a tenant claim is configured)',
    ],
    [
      'a named tenant when single-tenant',
      alert({}, { tenant: 'acme' }),
      false,
      'tenant "acme" given, but this deployment has no tenants',
    ],
    [
      'a user and a group together',
      alert({}, { tenant: 'acme', userId: 'u', group: 'g' }),
      true,
      'userId and group are exclusive: a notification is for one user or one group',
    ],
    [
      'a user in every tenant',
      alert({}, { tenant: '*', userId: 'u' }),
      true,
      'tenant "*" is for broadcasts: user ids and groups exist within one tenant',
    ],
    [
      'a group in every tenant',
      { type: 'system', tenant: '*', group: 'g', data: { title: 't', message: 'm' } },
      true,
      'tenant "*" is for broadcasts: user ids and groups exist within one tenant',
    ],
  ])('refuses %s as invalid_audience', (_, body, multiTenant, message) => {
    expect(refusal(body, multiTenant)).toEqual({ reason: 'invalid_audience', message })
  })

  it('refuses a group on a log event: logs reach subscribers by filter', () => {
    expect(
      refusal({ type: 'log_event', group: 'g', data: { level: 'info', message: 'm' } }, false),
    ).toMatchObject({ reason: 'invalid_field' })
  })

  it('mirrors tenant and group into SNS message attributes for subscription filter policies', () => {
    expect(messageAttributesOf(parsePublishBody(alert({}, { tenant: 'acme', group: 'oncall' })))).toEqual({
      type: 'alert',
      tenant: 'acme',
      group: 'oncall',
    })
  })
})
