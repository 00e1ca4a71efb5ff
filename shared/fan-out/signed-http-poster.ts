import { createHash } from 'node:crypto'
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { type ConnectionPoster, DeliveryError, failureKind } from './connection-poster.js'

export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface SignedHttpPosterOptions {
  /** The Management API endpoint, `https://{api}.execute-api.{region}.amazonaws.com/{stage}`. */
  endpoint: string
  region: string
  credentials: Credentials | (() => Promise<Credentials>)
  /** Sockets kept open to the endpoint. @default 100 */
  maxSockets?: number
  /** @default 5000 */
  timeoutMs?: number
}

interface Answer {
  status: number
  errorType: string
  body: string
}

/**
 * The Management API as plain SigV4-signed HTTP over a keep-alive pool: the same requests the SDK
 * client sends (same signer, same paths), without its per-call middleware stack, which is what
 * bounds how fast one worker can deliver (about 4,500 posts/s for the SDK client against about
 * 20,000/s this way on one core; see bench/).
 */
export function signedHttpPoster(options: SignedHttpPosterOptions): ConnectionPoster {
  const url = new URL(options.endpoint)
  const secure = url.protocol === 'https:'
  const port = url.port ? Number(url.port) : secure ? 443 : 80
  const base = url.pathname.replace(/\/$/, '')
  const agent = new (secure ? HttpsAgent : HttpAgent)({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 100,
  })
  const signer = signerOf(options)
  const payloadHash = lastHashOf()

  async function call(method: 'POST' | 'DELETE', connectionId: string, body?: string): Promise<Answer> {
    const path = `${base}/@connections/${encodeURIComponent(connectionId)}`
    const headers: Record<string, string> = {
      host: url.host,
      'x-amz-content-sha256': payloadHash(body ?? ''),
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port,
      path,
      headers,
      body,
      query: {},
    })
    return exchange(
      secure ? httpsRequest : httpRequest,
      { agent, method, hostname: url.hostname, port, path, headers: signed.headers },
      body,
      options.timeoutMs ?? 5000,
    )
  }

  async function checked(method: 'POST' | 'DELETE', connectionId: string, body?: string): Promise<void> {
    let answer: Answer
    try {
      answer = await call(method, connectionId, body)
    } catch (error) {
      throw new DeliveryError('retry', undefined, `network: ${(error as Error).message}`, { cause: error })
    }
    if (answer.status >= 200 && answer.status < 300) return
    const kind = failureKind(answer.status, answer.errorType)
    throw new DeliveryError(
      kind,
      answer.status,
      `${answer.errorType || 'HTTP'} (${answer.status}): ${answer.body.slice(0, 200)}`,
    )
  }

  return {
    post: (connectionId, data) => checked('POST', connectionId, data),
    async close(connectionId) {
      try {
        await checked('DELETE', connectionId)
      } catch (error) {
        if (!(error instanceof DeliveryError && error.kind === 'gone')) throw error
      }
    },
  }
}

/** The SDK's own SigV4 signer for `execute-api`, with the credentials resolved once per process. */
function signerOf(options: SignedHttpPosterOptions): SignatureV4 {
  // A function's credentials do not change while it runs.
  let credentials: Promise<Credentials> | undefined
  return new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: () => {
      credentials ??= Promise.resolve(
        typeof options.credentials === 'function' ? options.credentials() : options.credentials,
      )
      return credentials
    },
    sha256: Hash.bind(null, 'sha256'),
  })
}

/** SHA-256 of a body, remembering the last one: a fan-out posts one payload to every recipient. */
function lastHashOf(): (body: string) => string {
  let lastPayload: string | undefined
  let lastHash = ''
  return (body) => {
    if (body !== lastPayload) {
      lastPayload = body
      lastHash = createHash('sha256').update(body).digest('hex')
    }
    return lastHash
  }
}

/** One HTTP request and its whole answer; a network failure or a timeout rejects. */
function exchange(
  send: typeof httpRequest,
  request: RequestOptions,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = send({ ...request, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          errorType: String(response.headers['x-amzn-errortype'] ?? '').split(':')[0] as string,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
      response.on('error', reject)
    })
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer from the Management API within ${timeoutMs} ms`)),
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}
