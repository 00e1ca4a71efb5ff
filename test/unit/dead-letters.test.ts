import { describe, expect, it } from 'vitest'
import { readDeadLetter } from '../../cli/dead-letters.js'
import { InvalidNotificationError } from '../../shared/errors.js'
import { stableId } from '../../shared/fan-out/stable-id.js'
import { snsEvent } from '../support/events.js'

const alert = { type: 'alert', userId: 'ann', data: { severity: 'high', title: 'lost', message: '' } }

describe('Function: readDeadLetter', () => {
  it('reads a fan-out on-failure record, keeping the id the notification first had', () => {
    const event = snsEvent({
      message: JSON.stringify(alert),
      messageId: 'sns-7',
      timestamp: '2026-11-26T10:00:00.000Z',
    })
    const record = JSON.stringify({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted' },
      requestPayload: event,
    })

    expect(readDeadLetter(record)).toEqual([
      { kind: 'notification', body: { ...alert, id: stableId('sns-7', '2026-11-26T10:00:00.000Z') } },
    ])
  })

  it('reads a body SNS could not hand to the fan-out', () => {
    expect(readDeadLetter(JSON.stringify(alert))).toEqual([{ kind: 'notification', body: alert }])
  })

  it('reads a delivery batch the workers gave up on', () => {
    const batch = { payload: '{"id":"x"}', recipients: [['c1', 'ann', 'user#ann', 'alerts#c1']], attempt: 4 }
    expect(readDeadLetter(JSON.stringify(batch))).toEqual([{ kind: 'batch', batch }])
  })

  it.each([['not json'], ['{"type":"alert","data":{}}'], ['[1,2]']])(
    'refuses %s with InvalidNotificationError',
    (text) => {
      expect(() => readDeadLetter(text)).toThrow(InvalidNotificationError)
    },
  )
})
