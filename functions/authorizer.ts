import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda'
import { checkOrigin, createTokenVerifier, type Identity } from '../shared/auth/token-verifier.js'
import { AuthError, UnauthorizedError } from '../shared/errors.js'
import { streamFromQuery } from '../shared/protocol/topics.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { authConfig, type Env } from '../shared/runtime/config.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger } from '../shared/runtime/observability.js'
import { readSecret } from '../shared/runtime/secrets.js'
import { authorizerContextOf } from './websocket-event.js'

export interface AuthorizerDeps {
  verify: (token: string) => Promise<Identity>
  allowedOrigins?: readonly string[]
}

function policy(effect: 'Allow' | 'Deny', principalId: string, resource: string): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  }
}

function header(headers: Record<string, string | undefined> | null, name: string): string | undefined {
  if (!headers) return undefined
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name)
  return key ? headers[key] : undefined
}

/**
 * `$connect`'s REQUEST authorizer. A bad token throws `Unauthorized`, which API Gateway answers
 * with 401; a good token that may not connect (origin, log stream) gets a Deny policy, answered 403.
 */
export function createAuthorizerHandler(deps: AuthorizerDeps) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = event.queryStringParameters?.token
    if (!token) throw new UnauthorizedError()
    try {
      const identity = await deps.verify(token)
      checkOrigin(header(event.headers, 'origin'), deps.allowedOrigins)
      if (streamFromQuery(event.queryStringParameters?.stream) === 'logs' && !identity.canReadLogs) {
        throw new AuthError(403, 'this token may not read the log stream')
      }
      return {
        ...policy('Allow', identity.userId, event.methodArn),
        context: authorizerContextOf(identity),
      }
    } catch (error) {
      if (!(error instanceof AuthError)) throw error
      logger.info('connection refused', { status: error.status, reason: error.message })
      if (error.status === 401) throw new UnauthorizedError()
      return policy('Deny', 'refused', event.methodArn)
    }
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  const { allowedOrigins, ...verifier } = authConfig(env, (arn) => readSecret(aws, arn))
  return createAuthorizerHandler({ verify: createTokenVerifier(verifier), allowedOrigins })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
