import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { extname, join, normalize } from 'node:path'
import * as v from 'valibot'
import { signLocalToken } from '../shared/auth/local-token.js'
import { InvalidNotificationError } from '../shared/errors.js'
import type { Publisher } from '../shared/publisher/publisher.js'
import { closeServer, listen, readBody, send } from './http.js'

export interface DashboardOptions {
  /** The built demo (dist/demo). */
  root: string
  websocketUrl: string
  publisher: Publisher
  jwtSecret: string
  /** The claim names the authorizer reads; a tenant claim makes the dashboard ask for a tenant. */
  claims?: { tenant?: string | undefined; groups?: string | undefined; email?: string | undefined }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
}

/** The demo's address for a user: a local one, never a real mailbox (the SES twin sends nothing). */
export const demoEmail = (userId: string): string =>
  `${userId.replace(/[^A-Za-z0-9._-]/g, '_')}@herald.localhost`

const Name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64))
const TokenRequest = v.object({
  userId: Name,
  tenant: v.optional(Name),
  groups: v.optional(v.pipe(v.array(Name), v.maxLength(50))),
})

async function json(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, 300 * 1024)
  if (!body) throw new InvalidNotificationError('too_large', 'request body too large')
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new InvalidNotificationError('not_json', 'request body is not JSON')
  }
}

/**
 * Serves the demo dashboard and its local-only API: the WebSocket URL, tokens for any user name
 * (this is the local stack: there is nobody to authenticate against), and publishing through the
 * publisher SDK to the local SNS endpoint.
 */
export class LocalDashboard {
  readonly #server: Server

  constructor(options: DashboardOptions) {
    this.#server = createServer(async (request, response) => {
      try {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname
        if (path === '/api/config') {
          const multiTenant = Boolean(options.claims?.tenant)
          return send(response, 200, JSON.stringify({ websocketUrl: options.websocketUrl, multiTenant }))
        }
        if (path === '/api/token' && request.method === 'POST') {
          const parsed = v.safeParse(TokenRequest, await json(request))
          if (!parsed.success)
            return send(
              response,
              400,
              JSON.stringify({ error: 'userId and tenant must be 1 to 64 characters; at most 50 groups' }),
            )
          const token = await signLocalToken({
            ...parsed.output,
            secret: options.jwtSecret,
            tenantClaim: options.claims?.tenant,
            groupsClaim: options.claims?.groups,
            // An address per demo user, so an unread critical alert shows in `herald outbox`.
            email: demoEmail(parsed.output.userId),
            emailClaim: options.claims?.email,
          })
          return send(response, 200, JSON.stringify({ token }))
        }
        if (path === '/api/publish' && request.method === 'POST') {
          const published = await options.publisher.publish((await json(request)) as never)
          return send(response, 200, JSON.stringify(published))
        }
        if (path.startsWith('/api/')) return send(response, 404, JSON.stringify({ error: 'not found' }))
        await this.#static(options.root, path, response)
      } catch (error) {
        if (error instanceof InvalidNotificationError)
          return send(response, 400, JSON.stringify({ error: error.message }))
        send(response, 500, JSON.stringify({ error: String(error) }))
      }
    })
  }

  async listen(port = 0): Promise<string> {
    return `http://127.0.0.1:${await listen(this.#server, port)}`
  }

  close(): Promise<void> {
    return closeServer(this.#server)
  }

  async #static(root: string, path: string, response: Parameters<typeof send>[0]): Promise<void> {
    // Client-side routes fall back to the app; `normalize` keeps requests inside the root.
    const file = join(root, normalize(extname(path) ? path : '/index.html').replace(/^(\.\.[/\\])+/, ''))
    try {
      const content = await readFile(file)
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
      response.end(content)
    } catch {
      const hint = extname(path)
        ? 'not found'
        : 'The dashboard is not built: run `npm run build:demo` (npm start does).'
      send(response, 404, hint, { 'content-type': 'text/plain; charset=utf-8' })
    }
  }
}
