import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PYTHON_RULES_FILE, pythonRules } from '../../scripts/python-rules.js'

describe('Python publisher rules', () => {
  it('are what the TypeScript schemas say today (run `npm run python-rules` after changing a schema)', () => {
    expect(readFileSync(PYTHON_RULES_FILE, 'utf8')).toBe(pythonRules())
  })

  it('name each type’s required fields, accepted words and whether it takes a userId', () => {
    const rules = JSON.parse(pythonRules())
    expect(rules.types.alert).toMatchObject({ required: ['severity', 'title', 'message'], userId: true })
    expect(rules.types.system.words.severity).toContain('info')
    expect(rules.types.log_event.userId).toBe(false)
    expect(rules.types.upload_status.ranges).toEqual({ progress: [0, 100] })
    expect(rules.aliases).toMatchObject({ warn: 'warning', fatal: 'critical' })
  })
})
