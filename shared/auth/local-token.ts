import { SignJWT } from 'jose'

export interface LocalTokenOptions {
  userId: string
  secret: string
  /** @default 3600 */
  ttlSeconds?: number
  /** Space-separated scopes, e.g. the one HERALD_LOGS_CLAIM names. */
  scope?: string | undefined
  issuer?: string
  audience?: string
  /** The tenant, under `tenantClaim`. */
  tenant?: string | undefined
  /** @default 'tenant' */
  tenantClaim?: string | undefined
  /** The groups, an array under `groupsClaim`. */
  groups?: readonly string[] | undefined
  /** @default 'groups' */
  groupsClaim?: string | undefined
  /** The user's address, which escalations are e-mailed to, under `emailClaim`. */
  email?: string | undefined
  /** @default 'email' */
  emailClaim?: string | undefined
}

/** An HS256 token like the ones the local stack (and a shared-secret deployment) accepts. */
export function signLocalToken(options: LocalTokenOptions): Promise<string> {
  const claims: Record<string, unknown> = {}
  if (options.scope) claims.scope = options.scope
  if (options.tenant !== undefined) claims[options.tenantClaim ?? 'tenant'] = options.tenant
  if (options.groups?.length) claims[options.groupsClaim ?? 'groups'] = [...options.groups]
  if (options.email !== undefined) claims[options.emailClaim ?? 'email'] = options.email
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
  if (options.issuer) jwt.setIssuer(options.issuer)
  if (options.audience) jwt.setAudience(options.audience)
  return jwt.sign(new TextEncoder().encode(options.secret))
}
