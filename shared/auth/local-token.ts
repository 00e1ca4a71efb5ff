import { SignJWT } from 'jose'

export interface LocalTokenOptions {
  userId: string
  secret: string
  /** @default 3600 */
  ttlSeconds?: number
  /** Space-separated scopes, e.g. the one HERALD_LOGS_CLAIM names. */
  scope?: string
  issuer?: string
  audience?: string
}

/** An HS256 token like the ones the local stack (and a shared-secret deployment) accepts. */
export function signLocalToken(options: LocalTokenOptions): Promise<string> {
  const jwt = new SignJWT(options.scope ? { scope: options.scope } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
  if (options.issuer) jwt.setIssuer(options.issuer)
  if (options.audience) jwt.setAudience(options.audience)
  return jwt.sign(new TextEncoder().encode(options.secret))
}
