import type { ConnectionPoster } from '../shared/fan-out/connection-poster.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { type Env, managementEndpoint } from '../shared/runtime/config.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger } from '../shared/runtime/observability.js'
import { posterOf } from '../shared/runtime/poster.js'
import { sendWelcome, type WelcomeOptions, type WelcomeRequest } from '../shared/session/welcome.js'

export interface WelcomeDeps {
  poster: ConnectionPoster
  options?: WelcomeOptions
}

/** Invoked asynchronously by `$connect`; sends the unprompted `connection_established` frame. */
export function createWelcomeHandler(deps: WelcomeDeps) {
  return async (request: WelcomeRequest) => {
    const delivered = await sendWelcome(deps.poster, request, deps.options)
    if (!delivered)
      logger.warn('connection left before it could be welcomed', { connectionId: request.connectionId })
    return { delivered }
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  return createWelcomeHandler({ poster: posterOf(aws, managementEndpoint(env), 4) })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
