import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../shared/errors.js'
import { alarmRules, eventMappings } from '../../shared/runtime/json-settings.js'

describe('Function: alarmRules and eventMappings (JSON settings)', () => {
  it('read valid JSON as typed settings', () => {
    expect(alarmRules({ HERALD_ALARM_RULES: '{"route":[{"match":"db","userId":"ops"}]}' })).toEqual({
      route: [{ match: 'db', userId: 'ops' }],
    })
    expect(eventMappings({})).toEqual([])
  })

  it.each([
    ['HERALD_ALARM_RULES', '{oops', 'environment variable HERALD_ALARM_RULES must be JSON'],
    [
      'HERALD_ALARM_RULES',
      '{"severity":[{"match":"db","severity":"urgent"}]}',
      'HERALD_ALARM_RULES: severity.0.severity',
    ],
    ['HERALD_EVENT_MAPPINGS', '[{"source":"aws.s3","type":"sms"}]', 'HERALD_EVENT_MAPPINGS: 0.type'],
    ['HERALD_EVENT_MAPPINGS', '{"source":"aws.s3"}', 'HERALD_EVENT_MAPPINGS: (root)'],
  ])('refuses %s=%s with a ConfigError naming what is wrong', (name, value, message) => {
    const read = () => (name === 'HERALD_ALARM_RULES' ? alarmRules : eventMappings)({ [name]: value })
    expect(read).toThrow(ConfigError)
    expect(read).toThrow(message)
  })
})
