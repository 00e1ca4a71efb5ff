import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it, vi } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'
import { signedFetch } from '../support/signed-fetch.js'
import { type Refusal, TestClient } from '../support/ws-client.js'

// API Gateway's own rules, as the twin enforces them: the Management API, frames and limits.
const herald = withLocalStack()

describe('Local stack: Management API', () => {
  it('refuses an unsigned call with 403 MissingAuthenticationTokenException, as AWS does', async () => {
    const response = await fetch(`${herald.stack.managementUrl}/@connections/anything`, {
      method: 'POST',
      body: 'x',
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
  })

  it('answers 410 GoneException for an unknown connection, as the SDK expects', async () => {
    const response = await signedFetch(
      `${herald.stack.managementUrl}/@connections/${encodeURIComponent('nope+/=')}`,
      { method: 'POST', body: 'x' },
    )
    expect(response.status).toBe(410)
    expect(response.headers.get('x-amzn-errortype')).toBe('GoneException')
  })

  it('checks the signature first, then answers 400 BadRequestException to a connection id that is broken percent-encoding', async () => {
    const path = `${herald.stack.managementUrl}/@connections/%E0%A4%A`
    const unsigned = await fetch(path, { method: 'POST', body: 'x' })
    const signed = await signedFetch(path, { method: 'POST', body: 'x' })

    expect(unsigned.status).toBe(403)
    expect(signed.status).toBe(400)
    expect(signed.headers.get('x-amzn-errortype')).toBe('BadRequestException')
  })

  it('answers a Secrets Manager call whose body is not JSON with 400 SerializationException, and keeps serving', async () => {
    const call = (body: string) =>
      fetch(herald.stack.secretsManagerEndpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body,
      })

    const broken = await call('{"SecretId":')
    const next = await call('{"SecretId":"arn:aws:secretsmanager:us-east-1:000000000000:secret:none"}')

    expect(broken.status).toBe(400)
    expect(broken.headers.get('x-amzn-errortype')).toBe('SerializationException')
    expect(next.headers.get('x-amzn-errortype')).not.toBe('SerializationException')
  })

  it('describes and deletes a live connection; deleting it runs $disconnect', async () => {
    const client = await herald.connect('kim')
    const id = encodeURIComponent(client.connectionId)

    const info = await signedFetch(`${herald.stack.managementUrl}/@connections/${id}`)
    const deleted = await signedFetch(`${herald.stack.managementUrl}/@connections/${id}`, {
      method: 'DELETE',
    })

    expect(info.status).toBe(200)
    expect(await info.json()).toMatchObject({
      ConnectedAt: expect.any(String),
      Identity: { SourceIp: '127.0.0.1' },
    })
    expect(deleted.status).toBe(204)
    expect((await client.waitClosed()).code).toBe(1000)
    await vi.waitFor(async () =>
      expect((await herald.storedItems()).filter((item) => item.userId === 'kim')).toEqual([]),
    )
  })

  it('refuses a post larger than 128 KB with 413 PayloadTooLargeException', async () => {
    const client = await herald.connect('lee')
    const id = encodeURIComponent(client.connectionId)

    const response = await signedFetch(`${herald.stack.managementUrl}/@connections/${id}`, {
      method: 'POST',
      body: 'x'.repeat(128 * 1024 + 1),
    })

    expect(response.status).toBe(413)
    expect(response.headers.get('x-amzn-errortype')).toBe('PayloadTooLargeException')
    client.close()
  })
})

describe('Local stack: API Gateway frame rules', () => {
  /** Sends `text` as one message in frames of at most `frameBytes`, as a client may fragment it. */
  const sendInFrames = (client: TestClient, text: string, frameBytes: number) => {
    for (let start = 0; start < text.length; start += frameBytes)
      client.socket.send(text.slice(start, start + frameBytes), { fin: start + frameBytes >= text.length })
  }

  it('closes a socket whose message is over 128 KB in all, though each frame is under 32 KB, with 1009', async () => {
    const client = await herald.connect('max')
    sendInFrames(client, `{"type":"ping","pad":"${'x'.repeat(128 * 1024)}"}`, 30 * 1024)
    expect((await client.waitClosed()).code).toBe(1009)
  })

  it('takes a 100 KB message in 25 KB frames: the route answers it and the socket stays open', async () => {
    const client = await herald.connect('frag')
    sendInFrames(client, `{"type":"resume","pad":"${'x'.repeat(100 * 1024)}"}`, 25 * 1024)
    // It reaches $default, which refuses a client message over its own 32 KB limit.
    expect((await client.next('error')).data).toMatchObject({ code: 'too_large' })
    client.send({ type: 'ping' })
    await client.next('pong')
  })

  it('closes a socket that sends one frame over 32 KB with 1009, before any route sees it', async () => {
    const client = await herald.connect('big')
    client.send(`{"type":"ping","pad":"${'x'.repeat(33 * 1024)}"}`)
    expect((await client.waitClosed()).code).toBe(1009)
    expect(client.received('error')).toEqual([])
  })

  it('closes a socket that sends a binary frame with 1003, before any route sees it', async () => {
    const client = await herald.connect('bin')
    client.socket.send(Buffer.from('{"type":"ping"}'), { binary: true })
    expect((await client.waitClosed()).code).toBe(1003)
    expect(client.received('pong')).toEqual([])
  })
})

describe('Local stack: API Gateway limits', () => {
  const limited = withLocalStack({
    // Ten heartbeats to an idle timeout, so a busy CI machine's pauses do not pass for idleness.
    gateway: { idleTimeoutMs: 1_000, maxConnectionAgeMs: 3_000, throttle: { rate: 5, burst: 5 } },
  })

  it('closes an idle socket with 1001 Going away', async () => {
    const client = await limited.connect('nia')
    expect(await client.waitClosed()).toEqual({ code: 1001, reason: 'Going away' })
  })

  it('keeps a socket that sends frames open until its maximum age', async () => {
    const client = await limited.connect('oli')
    const opened = Date.now()
    const heartbeat = setInterval(() => client.send({ type: 'ping' }), 100)

    const closed = await client.waitClosed()

    clearInterval(heartbeat)
    expect(closed.code).toBe(1001)
    expect(Date.now() - opened).toBeGreaterThan(2_500)
  })

  it('throttles the Management API with 429 LimitExceededException past its rate', async () => {
    await sleep(1_000)
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () =>
        signedFetch(`${limited.stack.managementUrl}/@connections/none`).then((r) => [
          r.status,
          r.headers.get('x-amzn-errortype'),
        ]),
      ),
    )
    expect(statuses.filter(([status]) => status === 429).length).toBeGreaterThanOrEqual(6)
    expect(statuses).toContainEqual([429, 'LimitExceededException'])
  })
})

describe('Local stack: the account’s quota of new connections', () => {
  const quota = withLocalStack({ gateway: { newConnectionsPerSecond: 4 } })

  it('refuses handshakes past the quota with 429 before any function runs, and takes them again as it refills', async () => {
    const token = await quota.token('crowd')
    const url = `${quota.stack.websocketUrl}/?token=${token}`
    const before = quota.stack.bill.usage().authorizer?.['lambda.requests'] ?? 0

    const opened = await Promise.all(Array.from({ length: 8 }, () => TestClient.open(url)))

    const refused = opened.filter((result): result is Refusal => 'status' in result)
    expect(refused.length).toBeGreaterThanOrEqual(4)
    expect(new Set(refused.map(({ status }) => status))).toEqual(new Set([429]))
    const accepted = opened.length - refused.length
    expect((quota.stack.bill.usage().authorizer?.['lambda.requests'] ?? 0) - before).toBe(accepted)
    for (const result of opened) if (!('status' in result)) result.close()
    // As a client backs off and tries again: the bucket refills at the quota's rate.
    await vi.waitFor(
      async () => {
        const again = await TestClient.open(url)
        expect('status' in again).toBe(false)
        if (!('status' in again)) again.close()
      },
      { timeout: 3_000, interval: 100 },
    )
  })
})
