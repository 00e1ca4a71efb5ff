import { ConnectionState } from '../core/connection-state.js'
import type { HeraldIdentity } from '../websocket-types.js'
import { useHeraldSocket } from './use-herald-socket.js'

const ignore = (): void => {}

/**
 * Who the server took the signed-in user to be: user id, tenant and groups, as the token's claims
 * said (docs/architecture.md, Tenants and groups). Undefined until the notifications socket is
 * welcomed; it shares that socket with `useNotifications`.
 */
export function useHeraldIdentity(): HeraldIdentity | undefined {
  // The same options as useNotifications, whichever of the two opens the shared socket first.
  const { state, service } = useHeraldSocket('notifications', ignore, { loadRecent: true })
  return state === ConnectionState.Open ? service.current?.identity : undefined
}
