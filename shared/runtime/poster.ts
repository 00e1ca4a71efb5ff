import type { ConnectionPoster } from '../fan-out/connection-poster.js'
import { signedHttpPoster } from '../fan-out/signed-http-poster.js'
import { type AwsClients, environmentCredentials } from './aws-clients.js'
import { required } from './config.js'

// A module of its own, with no SDK import: the welcome function needs nothing else.

/**
 * The Management API for posting to connections: signed HTTP rather than the SDK client, whose
 * per-call overhead, not the network, bounds delivery (bench/). Retrying is the deliverer's.
 */
export function posterOf(aws: AwsClients, endpoint: string, maxSockets = 100): ConnectionPoster {
  return aws.client(`poster ${endpoint}`, () =>
    signedHttpPoster({
      endpoint,
      maxSockets,
      region: aws.settings.region ?? required(process.env, 'AWS_REGION'),
      credentials: aws.settings.credentials ?? (async () => environmentCredentials(process.env)),
    }),
  )
}
