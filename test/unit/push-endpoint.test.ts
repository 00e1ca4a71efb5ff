import { describe, expect, it } from 'vitest'
import { checkEndpoint, isPrivateAddress, KNOWN_PUSH_HOSTS } from '../../shared/push/push-endpoint.js'

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
