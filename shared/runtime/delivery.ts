import { escalationScheduler } from '../escalation/escalation-schedule.js'
import { DeliveryBudget } from '../fan-out/delivery-budget.js'
import { sqsDeliveryQueue } from '../fan-out/sqs-delivery-queue.js'
import type { AwsClients } from './aws-clients.js'
import {
  deliveryConfig,
  type Env,
  escalationConfig,
  managementEndpoint,
  pushMinSeverity,
  shardingConfig,
  tenancyConfig,
} from './config.js'
import { stores } from './dynamodb.js'
import { invokeAsync } from './lambda.js'
import { posterOf } from './poster.js'
import { sqsOf } from './sqs.js'

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
    queue: queueUrl ? sqsDeliveryQueue(sqsOf(aws), queueUrl) : undefined,
    sharding: { threshold: sharding.threshold, batchSize: sharding.batchSize },
    maxAttempts: sharding.maxAttempts,
  }
}

/**
 * What every function that fans a notification out shares: delivery, plus the deployment's tenancy,
 * Web Push where it is on (HERALD_PUSH_FUNCTION set), and e-mail escalation where it is on
 * (HERALD_ESCALATE_FUNCTION_ARN set).
 */
export function publishingDeps(env: Env, aws: AwsClients) {
  const pushFunction = env.HERALD_PUSH_FUNCTION
  const escalation = escalationConfig(env)
  return {
    ...deliveryDeps(env, aws),
    ...tenancyConfig(env),
    ...(pushFunction
      ? { push: { start: invokeAsync(aws, pushFunction), minSeverity: pushMinSeverity(env) } }
      : {}),
    ...(escalation ? { escalation: { schedule: escalationScheduler(aws, escalation) } } : {}),
  }
}
