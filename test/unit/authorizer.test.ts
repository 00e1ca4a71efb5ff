import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAuthorizerHandler, fromEnvironment } from '../../functions/authorizer.js'
import { signLocalToken } from '../../shared/auth/local-token.js'
import { createTokenVerifier } from '../../shared/auth/token-verifier.js'
import { awsClients } from '../../shared/runtime/aws-clients.js'

const SECRET = 'test-secret-that-is-long-enough-for-hs256'
const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:api/prod/$connect'

function event(
  query: Record<string, string> | null,
  headers: Record<string, string> = {},
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    queryStringParameters: query,
    headers,
  } as unknown as APIGatewayRequestAuthorizerEvent
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const hs256 = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret))
const now = () => Math.floor(Date.now() / 1000)

describe('Function: authorizer (shared secret)', () => {
  const handler = createAuthorizerHandler({
    verify: createTokenVerifier({
      key: { kind: 'secret', secret: SECRET },
      issuer: 'herald-test',
      audience: 'browsers',
    }),
  })
  const good = { sub: 'alice', iss: 'herald-test', aud: 'browsers', exp: now() + 600 }

  it('allows a valid token and passes the user id on as the principal and context', async () => {
    const result = await handler(event({ token: await hs256(good) }))

    expect(result).toEqual({
      principalId: 'alice',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
      },
      context: { userId: 'alice', canReadLogs: 'true', groups: '[]' },
    })
  })

  it('allows a token within the clock skew of its expiry', async () => {
    const result = await handler(event({ token: await hs256({ ...good, exp: now() - 10 }) }))
    expect(result.principalId).toBe('alice')
  })

  it.each([
    ['no token', async () => null],
    ['an empty token', async () => ''],
    ['a malformed token', async () => 'not.a.jwt'],
    ['a wrong signature', () => hs256(good, 'another-secret-another-secret-12345')],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`],
    ['an expired token', () => hs256({ ...good, exp: now() - 120 })],
    ['a token not yet valid', () => hs256({ ...good, nbf: now() + 120 })],
    ['a wrong issuer', () => hs256({ ...good, iss: 'someone-else' })],
    ['a wrong audience', () => hs256({ ...good, aud: 'servers' })],
    ['no sub', () => hs256({ iss: good.iss, aud: good.aud, exp: good.exp })],
    [
      'an HS512 token (algorithm not pinned)',
      () =>
        new SignJWT(good)
          .setProtectedHeader({ alg: 'HS512' })
          .sign(new TextEncoder().encode(`${SECRET}${SECRET}`)),
    ],
  ])('refuses %s with 401 Unauthorized', async (_, makeToken) => {
    const token = await makeToken()
    await expect(handler(event(token === null ? null : { token }))).rejects.toThrow(/^Unauthorized$/)
  })
})

describe('Function: authorizer (30 s of clock skew, no more)', () => {
  const handler = createAuthorizerHandler({
    verify: createTokenVerifier({ key: { kind: 'secret', secret: SECRET } }),
  })
  // The clock stands still mid-second, so a token's age cannot tick past the edge while it is checked.
  const at = now()
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(at * 1000 + 500)
  })
  afterEach(() => vi.useRealTimers())

  it.each([
    ['expired 29 s ago', { exp: at - 29 }],
    ['valid from 29 s ahead (its issuer’s clock runs fast)', { nbf: at + 29, exp: at + 600 }],
  ])('allows a token %s', async (_, claims) => {
    const result = await handler(event({ token: await hs256({ sub: 'alice', ...claims }) }))
    expect(result.principalId).toBe('alice')
  })

  it.each([
    ['expired 31 s ago', { exp: at - 31 }],
    ['valid from 31 s ahead', { nbf: at + 31, exp: at + 600 }],
  ])('refuses a token %s with 401 Unauthorized', async (_, claims) => {
    const token = await hs256({ sub: 'alice', ...claims })
    await expect(handler(event({ token }))).rejects.toThrow(/^Unauthorized$/)
  })
})

describe('Function: authorizer (policies)', () => {
  it('denies (403) an origin outside the allow-list, case-insensitively on the header name', async () => {
    const handler = createAuthorizerHandler({
      verify: createTokenVerifier({ key: { kind: 'secret', secret: SECRET } }),
      allowedOrigins: ['https://app.example.com'],
    })
    const token = await signLocalToken({ userId: 'alice', secret: SECRET })

    const allowed = await handler(event({ token }, { Origin: 'https://app.example.com' }))
    const denied = await handler(event({ token }, { origin: 'https://evil.example.com' }))

    expect(allowed.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' })
    expect(denied.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' })
  })

  it('denies (403) the log stream to a token without the configured claim', async () => {
    const handler = createAuthorizerHandler({
      verify: createTokenVerifier({ key: { kind: 'secret', secret: SECRET }, logsClaim: 'logs:read' }),
    })
    const reader = await signLocalToken({ userId: 'ops', secret: SECRET, scope: 'openid logs:read' })
    const other = await signLocalToken({ userId: 'bob', secret: SECRET })

    const opsResult = await handler(event({ token: reader, stream: 'logs' }))
    const bobLogs = await handler(event({ token: other, stream: 'logs' }))
    const bobNotifications = await handler(event({ token: other }))

    expect(opsResult.context).toEqual({ userId: 'ops', canReadLogs: 'true', groups: '[]' })
    expect(bobLogs.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' })
    expect(bobNotifications.context).toEqual({ userId: 'bob', canReadLogs: 'false', groups: '[]' })
  })
})

describe('Function: authorizer (OIDC JWKS)', () => {
  let server: Server
  let jwksUrl: string
  let privateKey: CryptoKey
  let publicPem: string

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true })
    privateKey = pair.privateKey as CryptoKey
    publicPem = await exportSPKI(pair.publicKey)
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
    server = createServer((_, res) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const handler = () =>
    createAuthorizerHandler({
      verify: createTokenVerifier({ key: { kind: 'jwks', url: jwksUrl }, issuer: 'https://idp.test' }),
    })

  it('allows an RS256 token signed by the issuer’s key', async () => {
    const token = await new SignJWT({ sub: 'carol' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://idp.test')
      .setExpirationTime('5m')
      .sign(privateKey)

    expect((await handler()(event({ token }))).principalId).toBe('carol')
  })

  it('refuses an HS256 token whose "secret" is the public key (algorithm confusion)', async () => {
    const token = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer('https://idp.test')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicPem))

    await expect(handler()(event({ token }))).rejects.toThrow(/^Unauthorized$/)
  })
})

describe('Function: authorizer (secret in Secrets Manager)', () => {
  it('reads the secret once per cold start, and tries again after a failed read', async () => {
    // Prepare
    const secrets = mockClient(SecretsManagerClient)
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: SECRET })
    const handler = fromEnvironment(
      { HERALD_JWT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:jwt' },
      awsClients({ region: 'us-east-1' }),
    )
    const token = await signLocalToken({ userId: 'alice', secret: SECRET })

    // Act
    const first = handler(event({ token }))
    await expect(first).rejects.toThrow('throttled')
    const second = await handler(event({ token }))
    const third = await handler(event({ token }))

    // Assess
    expect([second.principalId, third.principalId]).toEqual(['alice', 'alice'])
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual([
      'arn:aws:secretsmanager:us-east-1:1:secret:jwt',
      'arn:aws:secretsmanager:us-east-1:1:secret:jwt',
    ])
    secrets.restore()
  })
})

describe('Function: authorizer (tenants and groups)', () => {
  const handler = createAuthorizerHandler({
    verify: createTokenVerifier({ key: { kind: 'secret', secret: SECRET }, tenantClaim: 'custom:tenant' }),
  })
  const token = (claims: Record<string, unknown>) => hs256({ sub: 'alice', exp: now() + 600, ...claims })

  it("passes a Cognito token's custom:tenant and cognito:groups on as the context API Gateway accepts", async () => {
    const result = await handler(
      event({ token: await token({ 'custom:tenant': 'acme', 'cognito:groups': ['oncall', 'admins'] }) }),
    )

    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' })
    expect(result.context).toEqual({
      userId: 'alice',
      canReadLogs: 'true',
      tenant: 'acme',
      groups: '["oncall","admins"]',
    })
    for (const value of Object.values(result.context ?? {})) expect(typeof value).toBe('string')
  })

  it('reads the groups claim as an array or a space-separated string, merged with cognito:groups', async () => {
    const result = await handler(
      event({
        token: await token({
          'custom:tenant': 42,
          groups: 'oncall ops',
          'cognito:groups': ['ops', 'admins'],
        }),
      }),
    )

    expect(result.context?.tenant).toBe('42')
    expect(JSON.parse(String(result.context?.groups))).toEqual(['oncall', 'ops', 'admins'])
  })

  it.each([
    ['no tenant claim', {}],
    ['an empty tenant', { 'custom:tenant': '' }],
    ['the reserved "*" tenant', { 'custom:tenant': '*' }],
    ['51 groups', { 'custom:tenant': 'acme', groups: Array.from({ length: 51 }, (_, i) => `g${i}`) }],
    ['a group that is not a string', { 'custom:tenant': 'acme', groups: ['ok', 7] }],
  ])('denies (403) a valid token with %s in a multi-tenant deployment', async (_, claims) => {
    const result = await handler(event({ token: await token(claims) }))

    expect(result.principalId).toBe('refused')
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' })
    expect(result.context).toBeUndefined()
  })

  it('accepts exactly 50 groups', async () => {
    const groups = Array.from({ length: 50 }, (_, i) => `g${i}`)
    const result = await handler(event({ token: await token({ 'custom:tenant': 'acme', groups }) }))

    expect(JSON.parse(String(result.context?.groups))).toHaveLength(50)
  })

  it('ignores a tenant claim when the deployment is single-tenant', async () => {
    const single = createAuthorizerHandler({
      verify: createTokenVerifier({ key: { kind: 'secret', secret: SECRET } }),
    })

    const result = await single(event({ token: await token({ tenant: 'acme' }) }))

    expect(result.context).toEqual({ userId: 'alice', canReadLogs: 'true', groups: '[]' })
  })
})

describe('Function: authorizer (the address escalations go to)', () => {
  const token = (claims: Record<string, unknown>) => hs256({ sub: 'alice', exp: now() + 600, ...claims })
  const emailIn = async (claims: Record<string, unknown>, emailClaim?: string) => {
    const handler = createAuthorizerHandler({
      verify: createTokenVerifier({ key: { kind: 'secret', secret: SECRET }, emailClaim }),
    })
    const result = await handler(event({ token: await token(claims) }))
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' })
    return result.context?.email
  }

  it('passes the email claim on, or the configured one', async () => {
    expect(await emailIn({ email: 'alice@example.com', email_verified: true })).toBe('alice@example.com')
    expect(await emailIn({ 'custom:mail': 'a@example.org' }, 'custom:mail')).toBe('a@example.org')
  })

  it.each([
    ['none', {}],
    ['one the issuer says is unverified', { email: 'alice@example.com', email_verified: false }],
    ['Cognito’s unverified string', { email: 'alice@example.com', email_verified: 'false' }],
    ['a malformed one', { email: 'alice at example' }],
    ['a display-name form', { email: 'Alice <alice@example.com>' }],
    ['one longer than 254 characters', { email: `${'a'.repeat(250)}@example.com` }],
    ['a number', { email: 42 }],
  ])('connects a token with %s, remembering no address', async (_, claims) => {
    expect(await emailIn(claims)).toBeUndefined()
  })
})
