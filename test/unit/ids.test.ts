import { describe, expect, it } from 'vitest'
import { stableId } from '../../shared/fan-out/stable-id.js'
import { ID_PATTERN, idTime, newId } from '../../shared/protocol/ids.js'

describe('Function: newId', () => {
  it('makes ULIDs that sort by time', () => {
    const earlier = newId(Date.parse('2026-01-01T00:00:00Z'))
    const later = newId(Date.parse('2026-01-01T00:00:01Z'))
    expect(earlier).toMatch(ID_PATTERN)
    expect(earlier < later).toBe(true)
    expect(idTime(later)).toBe(Date.parse('2026-01-01T00:00:01Z'))
  })

  it('keeps increasing within one millisecond, so resume never skips a sibling', () => {
    const now = Date.parse('2027-01-01T00:00:00Z')
    const ids = Array.from({ length: 1000 }, () => newId(now))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(1000)
  })
})

describe('Function: stableId', () => {
  it('gives the same id for the same SNS message, so a redelivery is a duplicate', () => {
    const a = stableId('b6f1e0c3-1111', '2026-11-26T10:00:00.000Z')
    expect(stableId('b6f1e0c3-1111', '2026-11-26T10:00:00.000Z')).toBe(a)
    expect(stableId('b6f1e0c3-2222', '2026-11-26T10:00:00.000Z')).not.toBe(a)
    expect(a).toMatch(ID_PATTERN)
    expect(idTime(a)).toBe(Date.parse('2026-11-26T10:00:00.000Z'))
  })
})
