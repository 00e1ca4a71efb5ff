import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importJWK, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'
import { LocalPushService } from '../support/push-service.js'
import type { TestClient } from '../support/ws-client.js'

const herald = withLocalStack({ configFile: join(mkdtempSync(join(tmpdir(), 'herald-push-')), 'local.json') })
const pushService = new LocalPushService()
beforeAll(() => pushService.listen())
afterAll(() => pushService.close())

const user = (name: string) => `${name}-${randomUUID().slice(0, 8)}`
const alert = (title: string, severity: 'critical' | 'high' | 'low' = 'high') => ({
  severity,
  title,
  message: '',
})
const pushItems = async () =>
  (await herald.storedItems()).filter((item) => String(item.pk).startsWith('push#'))

/** Subscribes a browser for `userId` through a tab, then closes every tab of theirs. */
async function subscribeThenLeave(userId: string, path: string): Promise<TestClient> {
  const tab = await herald.connect(userId)
  tab.send({ type: 'push_subscribe', subscription: pushService.subscription(path) })
  await tab.next('push_subscribed')
  tab.close()
  await tab.waitClosed()
  await herald.stack.idle()
  return tab
}

/** The VAPID key as a JWK: its raw form is an uncompressed P-256 point, 0x04 ‖ x ‖ y. */
async function vapidKey(publicKey: string) {
  const point = Buffer.from(publicKey, 'base64url')
  const part = (from: number) => point.subarray(from, from + 32).toString('base64url')
  return importJWK({ kty: 'EC', crv: 'P-256', x: part(1), y: part(33) }, 'ES256')
}

describe('Web Push to a user with no open tab', () => {
  it('tells browsers the VAPID key, in the welcome and in the endpoints file', async () => {
    const tab = await herald.connect(user('ann'))
    expect(tab.received('connection_established')[0]?.data).toMatchObject({
      push: { publicKey: herald.stack.vapidPublicKey },
    })
    expect(herald.stack.vapidPublicKey).toMatch(/^[A-Za-z0-9_-]{87}$/)
  })

  it('pushes an alert encrypted for the subscription and signed with the VAPID key', async () => {
    const bo = user('bo')
    await subscribeThenLeave(bo, '/push/bo')
    const arriving = pushService.next()

    const published = await herald.publisher.sendAlertNotification(bo, alert('db-1 down', 'critical'))
    const push = await arriving

    // RFC 8291: only the browser's private key and auth secret open it.
    expect(push.payload).toMatchObject({ id: published.id, type: 'alert', data: { title: 'db-1 down' } })
    expect(push.headers).toMatchObject({ 'content-encoding': 'aes128gcm', urgency: 'high' })
    expect(Number(push.headers.ttl)).toBeGreaterThan(0)
    expect(push.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/)
    // RFC 8292: the JWT verifies against the published key, for this push service's origin.
    const [, token, key] = /^vapid t=([^,]+), k=(.+)$/.exec(String(push.headers.authorization)) ?? []
    expect(key).toBe(herald.stack.vapidPublicKey)
    const { payload } = await jwtVerify(
      token as string,
      await vapidKey(herald.stack.vapidPublicKey as string),
      {
        audience: pushService.origin,
      },
    )
    expect(payload.sub).toMatch(/^mailto:/)
  })

  it('pushes nothing to a user with a tab open, or for an alert below the threshold', async () => {
    const cy = user('cy')
    await subscribeThenLeave(cy, '/push/cy')
    const before = pushService.received.length

    await herald.publisher.sendAlertNotification(cy, alert('low one', 'low'))
    const tab = await herald.connect(cy)
    await herald.publisher.sendAlertNotification(cy, alert('seen live'))
    await tab.next('alert')
    await herald.stack.idle()

    expect(pushService.received.length).toBe(before)
  })

  it('deletes a subscription the push service says is gone (410)', async () => {
    const di = user('di')
    await subscribeThenLeave(di, '/push/di')
    expect((await pushItems()).some((item) => String(item.endpoint).endsWith('/push/di'))).toBe(true)
    pushService.status = 410
    const arriving = pushService.next()

    await herald.publisher.sendAlertNotification(di, alert('gone'))
    await arriving
    await herald.stack.idle()
    pushService.status = 201

    expect((await pushItems()).some((item) => String(item.endpoint).endsWith('/push/di'))).toBe(false)
  })

  it('refuses an endpoint that is not a push service, keeps the socket open and stores nothing', async () => {
    const ed = user('ed')
    const tab = await herald.connect(ed)
    const keys = pushService.subscription('/x').keys
    for (const endpoint of [
      'http://10.0.0.8/push',
      'http://169.254.169.254/latest/meta-data',
      'https://evil.example.com/push',
      'http://localhost:80/push',
    ]) {
      tab.send({ type: 'push_subscribe', subscription: { endpoint, keys } })
      expect((await tab.next('error')).data).toMatchObject({ code: 'invalid_subscription' })
    }
    // Keys no push could be encrypted for are refused before anything is kept, too.
    tab.send({
      type: 'push_subscribe',
      subscription: { ...pushService.subscription('/short-key'), keys: { ...keys, p256dh: 'BAAA' } },
    })
    expect((await tab.next('error')).data).toMatchObject({ code: 'invalid_subscription' })
    tab.send({ type: 'ping' })
    await tab.next('pong')
    expect((await pushItems()).filter((item) => String(item.pk).includes(ed))).toEqual([])
  })

  it('forgets a browser that unsubscribes', async () => {
    const fay = user('fay')
    const tab = await herald.connect(fay)
    const { endpoint } = pushService.subscription('/push/fay')
    tab.send({ type: 'push_subscribe', subscription: pushService.subscription('/push/fay') })
    await tab.next('push_subscribed')
    expect((await pushItems()).some((item) => item.endpoint === endpoint)).toBe(true)

    tab.send({ type: 'push_unsubscribe', endpoint })
    await tab.next('push_unsubscribed')

    expect((await pushItems()).some((item) => item.endpoint === endpoint)).toBe(false)
  })
})
