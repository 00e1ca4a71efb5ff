import { createContext, type ReactElement, type ReactNode, useContext } from 'react'
import type { WebSocketConstructor } from '../websocket-types.js'

/** Where and as whom the hooks connect. */
export interface HeraldConfig {
  /** The API's URL. @default VITE_HERALD_WS_URL / NEXT_PUBLIC_HERALD_WS_URL, else the page's own host */
  url?: string
  token?: string
  /** Called before every (re)connect, so an expiring token is refreshed. */
  getToken?: () => string | Promise<string>
  /** @default 3000 */
  reconnectDelay?: number
  /** @default 10 */
  maxReconnectAttempts?: number
  /** For tests and non-browser runtimes. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
}

const HeraldContext = createContext<HeraldConfig>({})

/** Gives every Herald hook and component below it the same connection settings. */
export function HeraldProvider({
  children,
  ...config
}: HeraldConfig & { children?: ReactNode }): ReactElement {
  return <HeraldContext.Provider value={config}>{children}</HeraldContext.Provider>
}

export function useHeraldConfig(): HeraldConfig {
  return useContext(HeraldContext)
}

/**
 * The URL when none is configured: the build-time variable a Vite or Next.js app sets, else the
 * page's own host, as the seed's `NEXT_PUBLIC_WS_URL` default did.
 */
export function defaultHeraldUrl(): string {
  const vite = (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_HERALD_WS_URL
  const next = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.NEXT_PUBLIC_HERALD_WS_URL
  if (vite || next) return (vite ?? next) as string
  const { protocol, host } = globalThis.location
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}`
}
