import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { ProtocolError } from '../errors.js'

/** Where Herald may post pushes (docs/architecture.md, Offline delivery). */
export interface PushPolicy {
  /** Hosts (or parent domains, `push.apple.com`) of the push services accepted. */
  allowedHosts: readonly string[]
  /** The local stack only: `http://127.0.0.1` too, so a test can play the push service. */
  allowLoopback?: boolean
}

/** The push services browsers use: Chrome's, Firefox's, Safari's and Edge's. */
export const KNOWN_PUSH_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  'push.apple.com',
  'notify.windows.com',
]

const refuse = (message: string): ProtocolError => new ProtocolError('invalid_subscription', message)

/** Loopback, private (RFC 1918, unique local), link-local, unspecified or carrier-grade NAT. */
export function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number)
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      a >= 224 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19))
    )
  }
  const lower = address.toLowerCase()
  // An IPv4 address inside IPv6 (mapped, compatible, NAT64) is judged as the IPv4 address.
  const embedded = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1]
  if (embedded) return isPrivateAddress(embedded)
  return (
    lower === '::' ||
    lower === '::1' ||
    /^f[cd]/.test(lower) ||
    /^fe[89ab]/.test(lower) ||
    /^ff/.test(lower) ||
    /^2002:/.test(lower) ||
    /^64:ff9b:/.test(lower)
  )
}

const isLoopbackHttp = (url: URL): boolean => url.protocol === 'http:' && url.hostname === '127.0.0.1'

/**
 * Refuses an endpoint Herald must not post to: a subscription makes Herald send requests to a URL
 * a client chose, so only the known push services' hosts are taken, over https, and never one whose
 * name resolves to a private, loopback or link-local address.
 */
export async function checkEndpoint(
  endpoint: string,
  policy: PushPolicy,
  resolve: (host: string) => Promise<string[]> = async (host) =>
    (await lookup(host, { all: true })).map((entry) => entry.address),
): Promise<void> {
  const url = new URL(endpoint)
  if (policy.allowLoopback && isLoopbackHttp(url)) return
  if (url.protocol !== 'https:') throw refuse('a push endpoint must be https')
  const host = url.hostname.toLowerCase()
  if (!policy.allowedHosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`)))
    throw refuse(`${host} is not a known push service`)
  let addresses: string[]
  try {
    addresses = await resolve(host)
  } catch {
    throw refuse(`${host} does not resolve`)
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress))
    throw refuse(`${host} resolves to a private, loopback or link-local address`)
}
