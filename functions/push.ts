import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { NotificationEnvelope } from '../shared/protocol/frames.js'
import { type OfflinePushDeps, type PushReport, pushToUser } from '../shared/push/offline-push.js'
import { PushStore } from '../shared/push/push-store.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { type Env, pushMinSeverity, required, storeConfig } from '../shared/runtime/config.js'
import { documentClientOf, stores } from '../shared/runtime/dynamodb.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger, metrics } from '../shared/runtime/observability.js'
import { readSecret } from '../shared/runtime/secrets.js'
import type { InboxOwner } from '../shared/store/inbox-store.js'

/** What the fan-out hands over: an alert for a user none of whose tabs was open. */
export interface PushRequest {
  owner: InboxOwner
  envelope: NotificationEnvelope
}

const COUNTED: Record<'sent' | 'failed' | 'expired', string> = {
  sent: 'pushesSent',
  failed: 'pushesFailed',
  expired: 'pushesExpired',
}

/** Invoked asynchronously by the fan-out; pushes the alert to the user's browsers (docs/architecture.md, Offline delivery). */
export function createPushHandler(deps: OfflinePushDeps) {
  return async (request: PushRequest): Promise<PushReport> => {
    const report = await pushToUser(deps, request.owner, request.envelope)
    logger.info('push', { id: request.envelope.id, ...report })
    for (const [outcome, metric] of Object.entries(COUNTED))
      metrics.addMetric(metric, MetricUnit.Count, report[outcome as keyof typeof COUNTED])
    metrics.publishStoredMetrics()
    return report
  }
}

export function fromEnvironment(env: Env, aws: AwsClients): ReturnType<typeof createPushHandler> {
  let keys: Promise<{ publicKey: string; privateKey: string; subject: string }> | undefined
  const config = storeConfig(env)
  return createPushHandler({
    subscriptions: new PushStore({ client: documentClientOf(aws), tableName: config.connectionsTable }),
    preferences: stores(env, aws).users,
    minSeverity: pushMinSeverity(env),
    // Read once per cold start, as the authorizer reads its key.
    vapid: () => {
      keys ??= readSecret(aws, required(env, 'HERALD_VAPID_SECRET_ARN')).then(
        (privateKey) => ({
          publicKey: required(env, 'HERALD_VAPID_PUBLIC_KEY'),
          privateKey,
          subject: required(env, 'HERALD_VAPID_SUBJECT'),
        }),
        (error: unknown) => {
          // Read again next time, rather than failing every push until the instance is replaced.
          keys = undefined
          throw error
        },
      )
      return keys
    },
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
