/**
 * The server's VAPID public key as `pushManager.subscribe` takes it: the raw P-256 point's bytes.
 * The welcome writes it base64url (RFC 4648 §5), unpadded, as RFC 8292 does.
 */
export function vapidKeyBytes(publicKey: string): Uint8Array<ArrayBuffer> {
  const base64 = publicKey.replaceAll('-', '+').replaceAll('_', '/')
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

/**
 * Whether a subscription was made with this key. One made with another (the deployment's key
 * changed) would have every push refused by the push service, so it is replaced.
 */
export function isSubscribedWith(subscription: PushSubscription, key: Uint8Array): boolean {
  const held = subscription.options.applicationServerKey
  if (!held || held.byteLength !== key.byteLength) return false
  const bytes = new Uint8Array(held)
  return key.every((byte, i) => bytes[i] === byte)
}
