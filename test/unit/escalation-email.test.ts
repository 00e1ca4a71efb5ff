import { describe, expect, it } from 'vitest'
import { emailOf } from '../../shared/escalation/escalation.js'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'

const envelope = (data: Record<string, unknown>): NotificationEnvelope =>
  ({ id: '01JF0000000000000000000000', type: 'alert', timestamp: '2026-12-06T08:00:00Z', data }) as never

describe('The escalation e-mail', () => {
  it('says what the alert said, where it came from, when, and where to read it', () => {
    const email = emailOf(
      envelope({ severity: 'critical', title: 'db-1 down', message: 'primary unreachable', source: 'rds' }),
      'https://herald.example.com',
    )
    expect(email.subject).toBe('[Herald] Unread critical alert: db-1 down')
    expect(email.text.split('\n')).toEqual(
      expect.arrayContaining([
        'db-1 down',
        'primary unreachable',
        'Severity: critical',
        'Source: rds',
        'Published: 2026-12-06T08:00:00Z',
        'Open Herald: https://herald.example.com',
      ]),
    )
  })

  it('keeps the subject to one line, whatever the title holds', () => {
    const email = emailOf(
      envelope({ severity: 'critical', title: 'a\r\nBcc: x@example.com', message: '' }),
      undefined,
    )
    expect(email.subject).toBe('[Herald] Unread critical alert: a Bcc: x@example.com')
    expect(email.text).not.toContain('Open Herald')
  })
})
