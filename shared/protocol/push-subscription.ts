import * as v from 'valibot'

/**
 * A browser's `PushSubscription` as `toJSON()` gives it: where to post, and the keys to encrypt
 * with (RFC 8291): `p256dh` an uncompressed P-256 point (65 bytes, so 87 base64url characters
 * starting `B`), `auth` 16 bytes (22 characters); padding is allowed.
 */
export const PushSubscriptionSchema = v.object({
  endpoint: v.pipe(v.string(), v.url(), v.maxLength(2048)),
  keys: v.object({
    p256dh: v.pipe(v.string(), v.regex(/^B[A-Za-z0-9_-]{86}=?$/, 'must be a P-256 public key, base64url')),
    auth: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}(==)?$/, 'must be 16 bytes, base64url')),
  }),
})
export type PushSubscriptionJson = v.InferOutput<typeof PushSubscriptionSchema>
