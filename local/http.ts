import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Reads a request body, refusing (with `undefined`) one larger than `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > limit) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
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
