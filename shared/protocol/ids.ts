// Herald ids are ULIDs: 48 bits of milliseconds then 80 random bits, Crockford base32. They sort by
// time as plain strings, which is what makes them usable as the `resume` cursor and history sort key.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const TIME_CHARS = 10

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/

function encodeTime(ms: number): string {
  let out = ''
  let rest = Math.floor(ms)
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

/** Encodes 80 bits taken from `bytes` (at least 10 bytes) as 16 base32 characters. */
function encodeRandom(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (let i = 0; i < 10; i++) {
    buffer = (buffer << 8) | (bytes[i] ?? 0)
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(buffer >> bits) & 31]
    }
  }
  return out
}

/** An id for `ms` whose random part is given: the same inputs always give the same id. */
export function idFrom(ms: number, randomPart: Uint8Array): string {
  return encodeTime(ms) + encodeRandom(randomPart)
}

let lastTime = -1
let lastRandom = ''

function increment(random: string): string {
  const chars = random.split('')
  for (let i = chars.length - 1; i >= 0; i--) {
    const next = ALPHABET.indexOf(chars[i] as string) + 1
    if (next < 32) {
      chars[i] = ALPHABET[next] as string
      return chars.join('')
    }
    chars[i] = '0'
  }
  return chars.join('')
}

/**
 * A new sortable id. Ids made in the same millisecond by this process still increase, so a
 * `resume` from one of them never skips a sibling.
 *
 * @example newId() // '01JDQ4Z6T8M2W3X4Y5Z6A7B8C9'
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom)
    return encodeTime(lastTime) + lastRandom
  }
  lastTime = now
  lastRandom = encodeRandom(crypto.getRandomValues(new Uint8Array(10)))
  return encodeTime(now) + lastRandom
}

/** The millisecond time an id was made at. */
export function idTime(id: string): number {
  let ms = 0
  for (const char of id.slice(0, TIME_CHARS)) ms = ms * 32 + ALPHABET.indexOf(char)
  return ms
}
