import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { AuthError } from '../errors.js'
import { EVERY_TENANT } from '../protocol/audience.js'

/**
 * Where signing keys come from: a shared HS256 secret (local stack, simple deployments; a loader
 * when it lives in Secrets Manager, read once) or an OIDC issuer's JWKS.
 */
export type KeySource =
  | { kind: 'secret'; secret: string | (() => Promise<string>) }
  | { kind: 'jwks'; url: string }

export interface TokenVerifierOptions {
  key: KeySource
  /** Required `iss`, when set. */
  issuer?: string
  /** Required `aud`, when set. */
  audience?: string
  /** Accepted algorithms; pinned so a token cannot choose `none` or swap HS for RS. @default ['HS256'] for a secret, ['RS256'] for JWKS */
  algorithms?: string[]
  /** Seconds of clock skew allowed on `exp` and `nbf`. @default 30 */
  clockToleranceSeconds?: number
  /** A scope or group a token needs to read the log stream; unset means any authenticated user. */
  logsClaim?: string
  /** The claim holding the tenant; set, a token without it is refused. Unset: single-tenant. */
  tenantClaim?: string
  /** The claim holding the groups; `cognito:groups` is read too. @default 'groups' */
  groupsClaim?: string
  /** The claim holding the user's e-mail address, which escalations go to. @default 'email' */
  emailClaim?: string
}

export interface Identity {
  userId: string
  canReadLogs: boolean
  /** Set only in a multi-tenant deployment. */
  tenant?: string
  groups: string[]
  /** The token's address, unless it has none, a malformed one, or one it says is not verified. */
  email?: string
}

/** Groups one token may carry: each is an index key per topic, written at every connect. */
export const MAX_GROUPS = 50
const MAX_NAME_LENGTH = 256

function claimValues(payload: JWTPayload): string[] {
  const values: string[] = []
  for (const name of ['scope', 'scp', 'groups', 'cognito:groups']) {
    const claim = payload[name]
    if (typeof claim === 'string') values.push(...claim.split(' '))
    else if (Array.isArray(claim)) values.push(...claim.filter((v): v is string => typeof v === 'string'))
  }
  return values
}

const isName = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH

/** A tenant as its claim holds it: a string, or an integer id read as its decimal string. */
function tenantOf(payload: JWTPayload, claim: string): string {
  const value = payload[claim]
  const tenant = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
  if (!isName(tenant) || tenant === EVERY_TENANT)
    throw new AuthError(403, `token refused: no usable "${claim}" claim (a tenant is required)`)
  return tenant
}

/** The union of the configured groups claim and `cognito:groups`: arrays or space-separated strings. */
function groupsOf(payload: JWTPayload, claim: string): string[] {
  const groups = new Set<string>()
  for (const name of new Set([claim, 'cognito:groups'])) {
    const value = payload[name]
    if (value === undefined) continue
    const items = typeof value === 'string' ? value.split(' ').filter(Boolean) : value
    if (!Array.isArray(items) || !items.every(isName))
      throw new AuthError(
        403,
        `token refused: "${name}" must be strings of 1 to ${MAX_NAME_LENGTH} characters`,
      )
    for (const group of items) groups.add(group)
  }
  if (groups.size > MAX_GROUPS)
    throw new AuthError(403, `token refused: ${groups.size} groups; at most ${MAX_GROUPS}`)
  return [...groups]
}

const withEmail = (email: string | undefined): { email?: string } => (email === undefined ? {} : { email })

/** RFC 5321 caps a path at 256 octets, so an address at 254 characters. */
const MAX_EMAIL_LENGTH = 254

/**
 * The address escalations may be sent to: a plain `local@domain`, and never one the issuer says it
 * has not verified (`email_verified` false, or Cognito's string "false"), so a user cannot point
 * Herald's mail at an address that is not theirs.
 */
function emailOf(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim]
  if (
    typeof value !== 'string' ||
    value.length > MAX_EMAIL_LENGTH ||
    !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value)
  )
    return undefined
  const verified = payload.email_verified
  return verified === false || verified === 'false' ? undefined : value
}

/**
 * Builds the function that turns a token into an identity or throws a 401 {@link AuthError}.
 *
 * @example
 * const verify = createTokenVerifier({ key: { kind: 'secret', secret: process.env.HERALD_JWT_SECRET! } })
 * const { userId } = await verify(token)
 */
export function createTokenVerifier(options: TokenVerifierOptions): (token: string) => Promise<Identity> {
  const source = options.key
  const algorithms = options.algorithms ?? (source.kind === 'secret' ? ['HS256'] : ['RS256'])
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? 30,
  }
  const loadKey = async (): Promise<Uint8Array | JWTVerifyGetKey> => {
    if (source.kind === 'jwks') return createRemoteJWKSet(new URL(source.url))
    const secret = typeof source.secret === 'string' ? source.secret : await source.secret()
    return new TextEncoder().encode(secret)
  }
  let key: Promise<Uint8Array | JWTVerifyGetKey> | undefined

  return async (token) => {
    // A failed load (Secrets Manager unreachable) is not kept, so the next connect tries again.
    key ??= loadKey().catch((error: unknown) => {
      key = undefined
      throw error
    })
    const resolved = await key
    let payload: JWTPayload
    try {
      ;({ payload } =
        resolved instanceof Uint8Array
          ? await jwtVerify(token, resolved, verifyOptions)
          : await jwtVerify(token, resolved, verifyOptions))
    } catch (error) {
      const reason = (error as { code?: string }).code ?? 'ERR_JWT_INVALID'
      throw new AuthError(401, `token refused: ${reason}`, { cause: error })
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 256) {
      throw new AuthError(401, 'token refused: no usable "sub" claim')
    }
    return {
      userId: payload.sub,
      canReadLogs: options.logsClaim === undefined || claimValues(payload).includes(options.logsClaim),
      ...(options.tenantClaim === undefined ? {} : { tenant: tenantOf(payload, options.tenantClaim) }),
      groups: groupsOf(payload, options.groupsClaim ?? 'groups'),
      ...withEmail(emailOf(payload, options.emailClaim ?? 'email')),
    }
  }
}

/** Refuses a browser whose Origin is not on the allow-list; no list means any origin. */
export function checkOrigin(origin: string | undefined, allowed: readonly string[] | undefined): void {
  if (!allowed || allowed.length === 0) return
  if (!origin || !allowed.includes(origin))
    throw new AuthError(403, `origin ${origin ?? '(none)'} is not allowed`)
}
