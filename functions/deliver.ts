import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import * as v from 'valibot'
import { ConfigError } from '../shared/errors.js'
import { DeliveryBatchSchema } from '../shared/fan-out/delivery-batch.js'
import { deliverBatch, type WorkerDeps } from '../shared/fan-out/delivery-worker.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import type { Env } from '../shared/runtime/config.js'
import { deliveryDeps } from '../shared/runtime/delivery.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger, metrics } from '../shared/runtime/observability.js'

/**
 * A delivery worker (SQS event source, partial batch responses). Each record is one batch of
 * recipients from the fan-out planner; a malformed one is logged and dropped, a batch that ran
 * out of attempts is reported failed so SQS redrives it to the dead-letter queue.
 */
function createDeliverHandler(deps: WorkerDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = []
    await Promise.all(
      event.Records.map(async (record) => {
        let batch: v.InferOutput<typeof DeliveryBatchSchema>
        try {
          batch = v.parse(DeliveryBatchSchema, JSON.parse(record.body))
        } catch (error) {
          logger.error('delivery batch rejected', { messageId: record.messageId, reason: String(error) })
          return
        }
        const outcome = await deliverBatch(deps, batch)
        const { report } = outcome
        logger.info('delivered batch', {
          messageId: record.messageId,
          recipients: batch.recipients.length,
          attempt: batch.attempt,
          delivered: report.delivered,
          gone: report.gone.length,
          refused: report.refused.length,
          requeued: outcome.requeued,
          retried: report.retried,
        })
        metrics.addMetric('delivered', MetricUnit.Count, report.delivered)
        metrics.addMetric('gone', MetricUnit.Count, report.gone.length)
        metrics.addMetric('requeued', MetricUnit.Count, outcome.requeued)
        if (outcome.failed) {
          metrics.addMetric('exhausted', MetricUnit.Count, report.exhausted.length)
          failures.push({ itemIdentifier: record.messageId })
        }
      }),
    )
    metrics.publishStoredMetrics()
    return { batchItemFailures: failures }
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  const { queue, ...deps } = deliveryDeps(env, aws)
  if (!queue) throw new ConfigError('environment variable HERALD_DELIVERY_QUEUE_URL is not set')
  return createDeliverHandler({ ...deps, queue })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
