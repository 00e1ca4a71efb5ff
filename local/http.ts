import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Reads a request body, refusing (with `undefined`) one larger than `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  // Plain events rather than an async iterator: this runs once per delivery in the local gateway.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    request.on('end', () =>
      resolve(size > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)),
    )
    request.on('error', reject)
  })
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A JSON request body's object, or none when the body is missing, not JSON, or not an object.
 * `empty` is what a body of no bytes reads as: `{}` where the service takes one, as JSON 1.1 does.
 */
export function jsonObjectOf(body: Buffer | undefined, empty?: '{}'): Record<string, unknown> | undefined {
  if (!body) return undefined
  try {
    const input: unknown = JSON.parse(body.toString('utf8') || (empty ?? ''))
    return isObject(input) ? input : undefined
  } catch {
    return undefined
  }
}

/** The value at a dotted path in parsed JSON, or none where a step is not an object. */
export function valueAt(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value)
}

export function send(
  response: ServerResponse,
  status: number,
  body = '',
  headers: Record<string, string> = { 'content-type': 'application/json' },
): void {
  response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) })
  response.end(body)
}

/** An AWS JSON-protocol error: the SDK names the error from `x-amzn-errortype`. */
export function sendAwsError(response: ServerResponse, status: number, type: string, message: string): void {
  send(response, status, JSON.stringify({ message, __type: type }), {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
  })
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/**
 * A twin's request handler that cannot crash the twin: a failure it did not answer itself (a
 * caller that hung up mid-body, a bug) is answered with a 500, or the connection is dropped when
 * an answer was already under way, instead of becoming an unhandled rejection that stops npm start.
 */
export function guarded(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): RequestListener {
  return (request, response) => {
    handle(request, response).catch(() => {
      if (response.headersSent || response.destroyed) response.destroy()
      else sendAwsError(response, 500, 'InternalFailure', 'The request could not be handled')
    })
  }
}
