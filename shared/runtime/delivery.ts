import { SQSClient } from '@aws-sdk/client-sqs'
import type { ConnectionPoster } from '../fan-out/connection-poster.js'
import { DeliveryBudget } from '../fan-out/delivery-budget.js'
import { signedHttpPoster } from '../fan-out/signed-http-poster.js'
import { sqsDeliveryQueue } from '../fan-out/sqs-delivery-queue.js'
import { type AwsClients, clientConfig, environmentCredentials } from './aws-clients.js'
import { deliveryConfig, type Env, managementEndpoint, required, shardingConfig } from './config.js'
import { stores } from './dynamodb.js'

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

/** What every delivering function shares: the store, the poster, delivery options, its budget, the queue. */
export function deliveryDeps(env: Env, aws: AwsClients) {
  const delivery = deliveryConfig(env)
  const sharding = shardingConfig(env)
  const queueUrl = sharding.queueUrl
  return {
    ...stores(env, aws),
    poster: posterOf(aws, managementEndpoint(env), delivery.concurrency),
    delivery,
    budget: sharding.budget ? new DeliveryBudget(sharding.budget.rate, sharding.budget.burst) : undefined,
    queue: queueUrl
      ? sqsDeliveryQueue(
          aws.client('sqs', () => new SQSClient(clientConfig(aws, 'sqs'))),
          queueUrl,
        )
      : undefined,
    sharding: { threshold: sharding.threshold, batchSize: sharding.batchSize },
    maxAttempts: sharding.maxAttempts,
  }
}
