import { type CSSProperties, useState } from 'react'
import { useHeraldIdentity } from '../react/use-herald-identity.js'
import type { DemoUser } from './local-api.js'

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)

/** The user the demo signs in as, from `?user=&tenant=&groups=a,b`. */
export function userFromQuery(params: URLSearchParams, multiTenant: boolean): DemoUser {
  return {
    userId: params.get('user') ?? 'alice',
    ...(multiTenant ? { tenant: params.get('tenant') ?? 'acme' } : {}),
    groups: list(params.get('groups') ?? 'oncall'),
  }
}

/** Who to sign in as: a user, their tenant (multi-tenant only) and groups, as a token would carry them. */
export function SignIn({ user, onSignIn }: { user: DemoUser; onSignIn: (user: DemoUser) => void }) {
  const [userId, setUserId] = useState(user.userId)
  const [tenant, setTenant] = useState(user.tenant ?? '')
  const [groups, setGroups] = useState(user.groups.join(', '))
  return (
    <form
      style={styles.form}
      onSubmit={(event) => {
        event.preventDefault()
        if (!userId.trim() || (user.tenant !== undefined && !tenant.trim())) return
        onSignIn({
          userId: userId.trim(),
          ...(user.tenant === undefined ? {} : { tenant: tenant.trim() }),
          groups: list(groups),
        })
      }}
    >
      <label htmlFor="user">Signed in as</label>
      <input id="user" value={userId} onChange={(e) => setUserId(e.target.value)} size={8} />
      {user.tenant !== undefined && (
        <>
          <label htmlFor="tenant">tenant</label>
          <input id="tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} size={8} />
        </>
      )}
      <label htmlFor="groups">groups</label>
      <input id="groups" value={groups} onChange={(e) => setGroups(e.target.value)} size={14} />
      <button type="submit">Switch</button>
    </form>
  )
}

/** What the server says the connection is: the tenant and groups it took from the token. */
export function IdentityBadge() {
  const identity = useHeraldIdentity()
  if (!identity) return null
  return (
    <output data-testid="herald-identity" style={styles.badge}>
      {identity.userId}
      {identity.tenant !== undefined && ` · tenant ${identity.tenant}`}
      {` · ${identity.groups.length ? `groups ${identity.groups.join(', ')}` : 'no groups'}`}
    </output>
  )
}

const styles = {
  form: { display: 'flex', alignItems: 'center', gap: 6, fontSize: 13 },
  badge: { fontSize: 12, color: '#d1d5db' },
} satisfies Record<string, CSSProperties>
