// Publishers write timestamps every way ISO-8601 allows: Python's `datetime.utcnow().isoformat()`
// has microseconds and no offset, JavaScript's `toISOString()` has milliseconds and `Z`, others
// carry `+02:00`. Browsers get one form, so they can sort and parse without guessing.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2) || '0')
  return hours > 23 || minutes > 59 ? Number.NaN : sign * (hours * 60 + minutes)
}

/**
 * An ISO-8601 date-time as `YYYY-MM-DDTHH:mm:ss.sssZ`; no offset means UTC, digits past the
 * millisecond are dropped. `undefined` when the text is not a real date-time (2026-02-30 is not).
 *
 * @example normaliseTimestamp('2026-11-27T15:10:00.123456') // '2026-11-27T15:10:00.123Z'
 */
export function normaliseTimestamp(text: string): string | undefined {
  const match = ISO_DATE_TIME.exec(text)
  if (!match) return undefined
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match
  const parts = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const [y, mo, d, h, mi, s] = parts
  const local = Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3)))
  const check = new Date(local)
  // Date.UTC rolls 2026-02-30 over to March; a real date reads back the same.
  const real =
    check.getUTCFullYear() === y &&
    check.getUTCMonth() === mo - 1 &&
    check.getUTCDate() === d &&
    check.getUTCHours() === h &&
    check.getUTCMinutes() === mi &&
    check.getUTCSeconds() === s
  const offset = offsetMinutes(zone)
  if (!real || Number.isNaN(offset)) return undefined
  return new Date(local - offset * 60_000).toISOString()
}
