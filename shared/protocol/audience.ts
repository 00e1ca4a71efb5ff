import { InvalidNotificationError } from '../errors.js'
import type { PublishBody } from './publish-body.js'

/** A publish body's `tenant` that reaches every tenant's subscribers. */
export const EVERY_TENANT = '*'

/**
 * Which tenant's keys a lookup uses. Without a tenant, the unscoped keys: a single-tenant
 * deployment's, which in a multi-tenant deployment also hold every tenant's connections (how
 * `"*"` reaches them all).
 */
export interface Scope {
  tenant?: string | undefined
}

/** Who a notification is for, within a scope (docs/architecture.md, Tenants and groups). */
export type Audience =
  | { kind: 'user'; userId: string; scope: Scope }
  | { kind: 'group'; group: string; scope: Scope }
  /** Every subscriber of the type's topic; for log events, every subscriber whose filters match. */
  | { kind: 'everyone'; scope: Scope }

const refuse = (message: string) => new InvalidNotificationError('invalid_audience', message)

/** What a body says of its audience that no deployment could accept; run on every parse. */
export function checkAudience(body: PublishBody): void {
  const userId = 'userId' in body ? body.userId : undefined
  const group = 'group' in body ? body.group : undefined
  if (userId !== undefined && group !== undefined)
    throw refuse('userId and group are exclusive: a notification is for one user or one group')
  if (body.tenant === EVERY_TENANT && (userId !== undefined || group !== undefined))
    throw refuse('tenant "*" is for broadcasts: user ids and groups exist within one tenant')
}

/**
 * The audience of a parsed body in this deployment. Multi-tenant (a tenant claim is configured):
 * the body must name a tenant or `"*"`. Single-tenant: a named tenant is refused rather than sent
 * to everyone, since everyone is not that tenant.
 */
export function audienceOf(body: PublishBody, multiTenant: boolean): Audience {
  const tenant = body.tenant
  if (multiTenant && tenant === undefined)
    throw refuse('tenant is required: this deployment is multi-tenant (a tenant claim is configured)')
  if (!multiTenant && tenant !== undefined && tenant !== EVERY_TENANT)
    throw refuse(`tenant ${JSON.stringify(tenant)} given, but this deployment has no tenants`)
  const scope: Scope = tenant === undefined || tenant === EVERY_TENANT ? {} : { tenant }
  if ('userId' in body && body.userId !== undefined) return { kind: 'user', userId: body.userId, scope }
  if ('group' in body && body.group !== undefined) return { kind: 'group', group: body.group, scope }
  return { kind: 'everyone', scope }
}
