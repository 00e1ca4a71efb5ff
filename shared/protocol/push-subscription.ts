import * as v from 'valibot'

const Base64UrlSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url'))

/** A browser's `PushSubscription` as `toJSON()` gives it: where to post, and the keys to encrypt with. */
export const PushSubscriptionSchema = v.object({
  endpoint: v.pipe(v.string(), v.url(), v.maxLength(2048)),
  keys: v.object({
    p256dh: v.pipe(Base64UrlSchema, v.maxLength(128)),
    auth: v.pipe(Base64UrlSchema, v.maxLength(64)),
  }),
})
export type PushSubscriptionJson = v.InferOutput<typeof PushSubscriptionSchema>
