import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { InvalidNotificationError } from '../../shared/errors.js'
import {
  decodeSubscription,
  readLogLine,
  sourceOf,
  toLogEvents,
} from '../../shared/integrations/cloudwatch-logs.js'
import { SourceRateCap } from '../../shared/integrations/source-rate-cap.js'

describe('Function: readLogLine', () => {
  it.each([
    ['{"level":"ERROR","message":"payment failed","service":"billing"}', 'error', 'payment failed'],
    ['{"timestamp":"2026-11-26T10:00:00Z","level":"WARN","message":"slow query"}', 'warning', 'slow query'],
    ['{"levelname":"CRITICAL","msg":"disk gone"}', 'critical', 'disk gone'],
    [
      '2026-11-26T10:00:00.000Z\t8f5c1e2a-1111-2222-3333-444455556666\tERROR\tUnhandled exception',
      'error',
      'Unhandled exception',
    ],
    ['2026-11-26T10:00:00.000Z\t8f5c1e2a-1111-2222-3333-444455556666\tINFO\tstarted', 'info', 'started'],
    ['[ERROR] something broke', 'error', '[ERROR] something broke'],
    ['WARNING: almost full', 'warning', 'WARNING: almost full'],
    ['fatal: out of memory', 'critical', 'fatal: out of memory'],
    ['DEBUG cache hit', 'debug', 'DEBUG cache hit'],
    ['START RequestId: 8f5c1e2a Version: $LATEST', 'info', 'START RequestId: 8f5c1e2a Version: $LATEST'],
    ['{not json', 'info', '{not json'],
  ])('reads %s as %s', (line, level, message) => {
    expect(readLogLine(line)).toEqual({ level, message })
  })
})

describe('Function: decodeSubscription', () => {
  it('decodes base64 gzipped JSON into log events with their source and time', () => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '1',
      logGroup: '/aws/lambda/orders',
      logStream: 's',
      subscriptionFilters: ['f'],
      logEvents: [{ id: '1', timestamp: 1_795_000_000_000, message: '[ERROR] no' }],
    }

    const decoded = decodeSubscription(gzipSync(JSON.stringify(payload)).toString('base64'))

    expect(toLogEvents(decoded, 'prod')).toEqual([
      {
        cloudWatchId: '1',
        level: 'error',
        message: '[ERROR] no',
        source: 'orders',
        environment: 'prod',
        timestamp: new Date(1_795_000_000_000).toISOString(),
      },
    ])
    expect(sourceOf('/ecs/api')).toBe('/ecs/api')
  })

  it('refuses anything else with InvalidNotificationError', () => {
    expect(() => decodeSubscription('not base64 gzip')).toThrow(InvalidNotificationError)
  })
})

describe('Class: SourceRateCap', () => {
  it('lets each source through at its own rate and counts what it drops', () => {
    let now = 0
    const cap = new SourceRateCap(2, 2, () => now)
    const taken = ['a', 'a', 'a', 'b', 'a'].map((source) => cap.take(source))
    now = 1000
    expect(taken).toEqual([true, true, false, true, false])
    expect(cap.take('a')).toBe(true)
    expect(Object.fromEntries(cap.drainDropped())).toEqual({ a: 2 })
    expect(cap.drainDropped().size).toBe(0)
  })
})
