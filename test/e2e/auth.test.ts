import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { LOCAL_JWT_SECRET } from '../../local/defaults.js'
import { withLocalStack } from '../support/local-stack.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

// Issuer and audience checked, as a deployment would configure them.
const herald = withLocalStack({
  env: { HERALD_JWT_ISSUER: 'https://herald.test', HERALD_JWT_AUDIENCE: 'browsers' },
})
const key = new TextEncoder().encode(LOCAL_JWT_SECRET)
const now = () => Math.floor(Date.now() / 1000)
// Every case is its own user, named in `sub` and in `groups` too (so a token without `sub` is
// still found): a token wrongly accepted in one case, or a connection counted against one user's
// limit, is no business of another case.
const newUser = () => `user-${randomUUID()}`
const claims = (user: string) => ({
  sub: user,
  groups: [user],
  iss: 'https://herald.test',
  aud: 'browsers',
  exp: now() + 300,
})
const sign = (payload: Record<string, unknown>, secret: Uint8Array = key, alg = 'HS256') =>
  new SignJWT(payload).setProtectedHeader({ alg }).sign(secret)
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

const opened: TestClient[] = []
/** A handshake with `token`; a socket it opens is closed after the case, whatever the case asserts. */
async function attempt(token: string): Promise<TestClient | Refusal> {
  const result = await TestClient.open(`${herald.stack.websocketUrl}/?token=${token}`)
  if (result instanceof TestClient) opened.push(result)
  return result
}
afterEach(() => {
  for (const client of opened.splice(0)) client.socket.terminate()
})

/** The connections stored for `user`, found by its `sub` or its group. */
async function connectionsOf(user: string): Promise<Record<string, unknown>[]> {
  return (await herald.storedItems()).filter(
    (item) =>
      item.sk === 'meta' &&
      (item.userId === user || (Array.isArray(item.groups) && item.groups.includes(user))),
  )
}

describe('Tokens at the local gateway', () => {
  it('accepts a valid token', async () => {
    const user = newUser()

    const client = await attempt(await sign(claims(user)))

    expect(client).toBeInstanceOf(TestClient)
    const welcome = await (client as TestClient).next('connection_established')
    expect(welcome.data).toMatchObject({ userId: user })
    expect(await connectionsOf(user)).toHaveLength(1)
  })

  it.each([
    ['missing', async () => ''],
    ['malformed', async () => 'not-a-jwt'],
    [
      'wrongly signed',
      (user: string) => sign(claims(user), new TextEncoder().encode('another-secret-another-secret-another')),
    ],
    ['alg none', async (user: string) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(user))}.`],
    ['expired', (user: string) => sign({ ...claims(user), exp: now() - 120 })],
    ['not yet valid', (user: string) => sign({ ...claims(user), nbf: now() + 120 })],
    ['from another issuer', (user: string) => sign({ ...claims(user), iss: 'https://evil.test' })],
    ['for another audience', (user: string) => sign({ ...claims(user), aud: 'servers' })],
    [
      'without sub',
      (user: string) => {
        const { sub: _, ...rest } = claims(user)
        return sign(rest)
      },
    ],
    [
      'signed HS512 (algorithm not allowed)',
      (user: string) => sign(claims(user), new TextEncoder().encode(LOCAL_JWT_SECRET.repeat(2)), 'HS512'),
    ],
  ])('refuses a %s token with 401 before any socket opens, storing nothing', async (_, token) => {
    const user = newUser()

    const result = await attempt(await token(user))

    expect((result as Refusal).status).toBe(401)
    expect(await connectionsOf(user)).toEqual([])
  })
})
