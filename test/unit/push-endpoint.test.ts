import { describe, expect, it } from 'vitest'
import type { NotificationEnvelope } from '../../shared/protocol/frames.js'
import { checkEndpoint, isPrivateAddress, KNOWN_PUSH_HOSTS } from '../../shared/push/push-endpoint.js'
import { pushPayloadOf } from '../../shared/push/push-sender.js'

const policy = { allowedHosts: KNOWN_PUSH_HOSTS }
const resolvingTo =
  (...addresses: string[]) =>
  async (): Promise<string[]> =>
    addresses

describe('Push endpoints: what a subscription may make Herald post to', () => {
  it('takes a known push service over https that resolves to public addresses', async () => {
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
      'https://web.push.apple.com/QGuQyavXutnMlh',
      'https://wns2-by3p.notify.windows.com/w/?token=abc',
    ])
      await expect(checkEndpoint(endpoint, policy, resolvingTo('142.250.74.10'))).resolves.toBeUndefined()
  })

  it.each([
    ['http://fcm.googleapis.com/fcm/send/abc', 'https'],
    ['https://evil.example.com/push', 'not a known push service'],
    ['https://fcm.googleapis.com.evil.example/push', 'not a known push service'],
  ])('refuses %s (%s)', async (endpoint, reason) => {
    await expect(checkEndpoint(endpoint, policy, resolvingTo('142.250.74.10'))).rejects.toMatchObject({
      code: 'invalid_subscription',
      message: expect.stringContaining(reason),
    })
  })

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::10.0.0.1',
    '64:ff9b::10.0.0.1',
    '2002:c0a8:101::1',
    '198.18.0.1',
    '224.0.0.251',
    'ff02::1',
  ])('refuses a known host whose name resolves to %s', async (address) => {
    expect(isPrivateAddress(address)).toBe(true)
    await expect(
      checkEndpoint('https://fcm.googleapis.com/fcm/send/abc', policy, resolvingTo('142.250.74.10', address)),
    ).rejects.toMatchObject({ code: 'invalid_subscription', message: expect.stringContaining('private') })
  })

  it('refuses a host that does not resolve', async () => {
    const failing = async (): Promise<string[]> => {
      throw new Error('ENOTFOUND')
    }
    await expect(checkEndpoint('https://fcm.googleapis.com/x', policy, failing)).rejects.toMatchObject({
      code: 'invalid_subscription',
    })
  })

  it('takes http://127.0.0.1 only where the local stack allows it', async () => {
    const local = { ...policy, allowLoopback: true }
    await expect(checkEndpoint('http://127.0.0.1:9999/push', local)).resolves.toBeUndefined()
    await expect(checkEndpoint('http://127.0.0.1:9999/push', policy)).rejects.toMatchObject({
      code: 'invalid_subscription',
    })
    await expect(checkEndpoint('http://10.0.0.1/push', local)).rejects.toMatchObject({
      code: 'invalid_subscription',
    })
  })
})

describe('Push payloads', () => {
  it('sends a large alert as its essentials, under what a push service takes', () => {
    const envelope = {
      id: '01KB0000000000000000000000',
      type: 'alert',
      timestamp: '2026-12-06T10:00:00.000Z',
      thread: { key: 'disk:db-1' },
      data: {
        severity: 'critical',
        title: 'db-1 disk full',
        source: 'disk',
        message: 'x'.repeat(60_000),
        metadata: { a: 'y'.repeat(9_000) },
      },
    } as NotificationEnvelope
    const payload = pushPayloadOf(envelope)

    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(3_000)
    expect(JSON.parse(payload)).toMatchObject({
      id: envelope.id,
      thread: { key: 'disk:db-1' },
      data: {
        severity: 'critical',
        title: 'db-1 disk full',
        source: 'disk',
        message: expect.stringMatching(/^x+$/),
      },
    })
    const small = {
      ...envelope,
      data: { severity: 'high', title: 't', message: 'm' },
    } as NotificationEnvelope
    expect(pushPayloadOf(small)).toBe(JSON.stringify(small))
  })
})
