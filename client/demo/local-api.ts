import { HeraldError } from '../../shared/errors.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'

// The demo's own server (local/dashboard.ts) mints local tokens and publishes through the local
// SNS endpoint, exactly as a backend service would with the publisher SDK.

async function call<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const answer = (await response.json()) as T & { error?: string }
  if (!response.ok) throw new HeraldError('demo_api', answer.error ?? `${path}: HTTP ${response.status}`)
  return answer
}

/** Who the demo signs in as; the local server puts these claims in the token. */
export interface DemoUser {
  userId: string
  tenant?: string
  groups: string[]
}

export const fetchConfig = () => call<{ websocketUrl: string; multiTenant: boolean }>('/api/config')
export const fetchToken = (user: DemoUser) =>
  call<{ token: string }>('/api/token', user).then((answer) => answer.token)
export const publish = (input: PublishInput) => call<{ id: string }>('/api/publish', input)
