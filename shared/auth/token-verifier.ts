import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { AuthError } from '../errors.js'

/** Where signing keys come from: a shared HS256 secret (local stack, simple deployments) or an OIDC issuer's JWKS. */
export type KeySource = { kind: 'secret'; secret: string } | { kind: 'jwks'; url: string }

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
  const key: Uint8Array | JWTVerifyGetKey =
    options.key.kind === 'secret'
      ? new TextEncoder().encode(options.key.secret)
      : createRemoteJWKSet(new URL(options.key.url))
  const algorithms = options.algorithms ?? (options.key.kind === 'secret' ? ['HS256'] : ['RS256'])
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? 30,
  }

  return async (token) => {
    let payload: JWTPayload
    try {
      ;({ payload } =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions))
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
