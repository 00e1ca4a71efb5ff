// API Gateway's own limits, which both the deployed and the local stack enforce.
export const MAX_MESSAGE_BYTES = 128 * 1024
export const MAX_FRAME_BYTES = 32 * 1024
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000
export const MAX_CONNECTION_AGE_MS = 2 * 60 * 60 * 1000
/** New connections a second, per account and region, across all WebSocket APIs (a quota AWS can raise). */
export const NEW_CONNECTIONS_PER_SECOND = 500

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).byteLength
}
