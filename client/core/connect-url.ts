import type { WebSocketServiceOptions } from '../websocket-types.js'

/** The URL a connection opens: the token (fetched again for every reconnect) and the stream in the query. */
export async function connectUrl(options: WebSocketServiceOptions): Promise<string> {
  const token = options.getToken ? await options.getToken() : options.token
  const url = new URL(options.url)
  if (token) url.searchParams.set('token', token)
  if (options.stream === 'logs') url.searchParams.set('stream', 'logs')
  return url.toString()
}
