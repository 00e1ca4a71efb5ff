import { SignJWT } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { withLocalStack } from '../support/local-stack.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

// Issuer and audience checked, as a deployment would configure them.
const herald = withLocalStack({
  env: { HERALD_JWT_ISSUER: 'https://herald.test', HERALD_JWT_AUDIENCE: 'browsers' },
})
const key = new TextEncoder().encode(LOCAL_JWT_SECRET)
const now = () => Math.floor(Date.now() / 1000)
const claims = () => ({ sub: 'mallory', iss: 'https://herald.test', aud: 'browsers', exp: now() + 300 })
const sign = (payload: Record<string, unknown>, secret: Uint8Array = key, alg = 'HS256') =>
  new SignJWT(payload).setProtectedHeader({ alg }).sign(secret)
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('Tokens at the local gateway', () => {
  it('accepts a valid token', async () => {
    const client = await TestClient.open(`${herald.stack.websocketUrl}/?token=${await sign(claims())}`)
    expect(client).toBeInstanceOf(TestClient)
    ;(client as TestClient).close()
  })

  it.each([
    ['missing', async () => ''],
    ['malformed', async () => 'not-a-jwt'],
    [
      'wrongly signed',
      () => sign(claims(), new TextEncoder().encode('another-secret-another-secret-another')),
    ],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    ['expired', () => sign({ ...claims(), exp: now() - 120 })],
    ['not yet valid', () => sign({ ...claims(), nbf: now() + 120 })],
    ['from another issuer', () => sign({ ...claims(), iss: 'https://evil.test' })],
    ['for another audience', () => sign({ ...claims(), aud: 'servers' })],
    ['without sub', () => sign({ iss: 'https://herald.test', aud: 'browsers', exp: now() + 300 })],
    [
      'signed HS512 (algorithm not allowed)',
      () => sign(claims(), new TextEncoder().encode(LOCAL_JWT_SECRET.repeat(2)), 'HS512'),
    ],
  ])('refuses a %s token with 401 before any socket opens, storing nothing', async (_, token) => {
    const result = await TestClient.open(`${herald.stack.websocketUrl}/?token=${await token()}`)

    expect((result as Refusal).status).toBe(401)
    await vi.waitFor(async () =>
      expect(
        (await herald.storedItems()).filter((item) => item.userId === 'mallory' && item.sk === 'meta'),
      ).toEqual([]),
    )
  })
})
