import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { AuthError } from '../errors.js'

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
}

export interface Identity {
  userId: string
  canReadLogs: boolean
}

function claimValues(payload: JWTPayload): string[] {
  const values: string[] = []
  for (const name of ['scope', 'scp', 'groups', 'cognito:groups']) {
    const claim = payload[name]
    if (typeof claim === 'string') values.push(...claim.split(' '))
    else if (Array.isArray(claim)) values.push(...claim.filter((v): v is string => typeof v === 'string'))
  }
  return values
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
    }
  }
}

/** Refuses a browser whose Origin is not on the allow-list; no list means any origin. */
export function checkOrigin(origin: string | undefined, allowed: readonly string[] | undefined): void {
  if (!allowed || allowed.length === 0) return
  if (!origin || !allowed.includes(origin))
    throw new AuthError(403, `origin ${origin ?? '(none)'} is not allowed`)
}
