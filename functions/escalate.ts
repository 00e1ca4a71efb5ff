import { MetricUnit } from '@aws-lambda-powertools/metrics'
import {
  type EscalationDeps,
  type EscalationOutcome,
  type EscalationRequest,
  escalate,
  SEEN,
} from '../shared/escalation/escalation.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { type Env, required } from '../shared/runtime/config.js'
import { inboxOf, stores } from '../shared/runtime/dynamodb.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger, metrics } from '../shared/runtime/observability.js'
import { emailSender } from '../shared/runtime/ses.js'

/** The metric each outcome counts on: sent, skipped because the user saw it, or skipped for another reason. */
const metricOf = (outcome: EscalationOutcome): string =>
  outcome === 'sent' ? 'emailsSent' : SEEN.has(outcome) ? 'emailsSkippedRead' : 'emailsSkipped'

/**
 * Invoked by the one-time schedule the fan-out made for a critical alert, when its wait is over
 * (docs/architecture.md, Offline delivery). A failed send throws: Lambda retries the invocation,
 * then keeps it in the dead-letter queue.
 */
export function createEscalateHandler(deps: EscalationDeps) {
  return async (request: EscalationRequest): Promise<{ outcome: EscalationOutcome }> => {
    const outcome = await escalate(deps, request)
    logger.info('escalation', { id: request.id, outcome })
    metrics.addMetric(metricOf(outcome), MetricUnit.Count, 1)
    metrics.publishStoredMetrics()
    return { outcome }
  }
}

export function fromEnvironment(env: Env, aws: AwsClients): ReturnType<typeof createEscalateHandler> {
  const { history, users } = stores(env, aws)
  return createEscalateHandler({
    history,
    marks: inboxOf(env, aws, history).marks,
    users,
    send: emailSender(aws, required(env, 'HERALD_EMAIL_FROM')),
    link: env.HERALD_EMAIL_LINK || undefined,
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
