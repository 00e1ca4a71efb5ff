import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { SNSEvent } from 'aws-lambda'
import { HeraldError, InvalidNotificationError } from '../shared/errors.js'
import { type FanOutDeps, type FanOutReport, fanOut, fromOperator } from '../shared/fan-out/fan-out.js'
import { type RejectionLog, rejectionOf, sqsRejectionLog } from '../shared/fan-out/rejections.js'
import { stableId } from '../shared/fan-out/stable-id.js'
import { type AlarmRules, alarmToAlert, readAlarm } from '../shared/integrations/cloudwatch-alarm.js'
import { type PublishBody, parsePublishBody } from '../shared/protocol/publish-body.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { type Env, rejectedQueueUrl } from '../shared/runtime/config.js'
import { publishingDeps } from '../shared/runtime/delivery.js'
import { alarmRules } from '../shared/runtime/json-settings.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger, metrics } from '../shared/runtime/observability.js'
import { sqsOf } from '../shared/runtime/sqs.js'

/** Some recipients were still throttled or failing at the deadline; failing the invocation makes Lambda retry it. */
export class DeliveryIncompleteError extends HeraldError {
  constructor(readonly unreached: number) {
    super('delivery_incomplete', `${unreached} recipient(s) could not be reached before the deadline`)
  }
}

const REPORTED: ReadonlyArray<keyof FanOutReport & string> = [
  'recipients',
  'itemsRead',
  'queued',
  'delivered',
  'gone',
  'refused',
  'exhausted',
  'retried',
]

/**
 * A notification from an SNS body: Herald's own publish body, or a CloudWatch alarm's state change
 * (an alarm action can target Herald's topic directly) turned into an alert.
 */
function notificationOf(
  message: string,
  deps: Pick<FanOutHandlerDeps, 'alarmRules' | 'operatorTenant'>,
): PublishBody {
  const alarm = readAlarm(message)
  return parsePublishBody(alarm ? fromOperator(deps, alarmToAlert(alarm, deps.alarmRules)) : message)
}

/**
 * Never silent: a refused body is counted (`rejected`, in total for the alarm and by reason for
 * the dashboard) and kept with its reason for `herald rejected`. Retrying it could never help, so
 * the invocation goes on; only failing to keep it fails the invocation.
 */
async function reject(
  deps: { rejections?: RejectionLog },
  error: InvalidNotificationError,
  messageId: string,
  body: string,
) {
  const rejected = rejectionOf(error, messageId, body)
  logger.info('notification rejected', { messageId, reason: rejected.reason, message: rejected.message })
  metrics.addMetric('rejected', MetricUnit.Count, 1)
  const byReason = metrics.singleMetric()
  byReason.addDimension('reason', rejected.reason)
  byReason.addMetric('rejected', MetricUnit.Count, 1)
  await deps.rejections?.keep(rejected)
}

type FanOutHandlerDeps = FanOutDeps & { alarmRules?: AlarmRules; rejections?: RejectionLog }

/**
 * The SNS subscriber. A record that is not a valid notification is refused (see `reject`); one
 * whose recipients could not all be reached fails the invocation so it is retried, and the
 * envelope id, derived from the SNS message id, lets clients drop the repeat.
 */
export function createFanOutHandler(deps: FanOutHandlerDeps) {
  return async (event: SNSEvent) => {
    let unreached = 0
    for (const record of event.Records) {
      const { MessageId, Timestamp, Message } = record.Sns
      try {
        const body = notificationOf(Message, deps)
        const report = await fanOut(deps, body, { id: stableId(MessageId, Timestamp), timestamp: Timestamp })
        logger.info('fan-out', { messageId: MessageId, ...report })
        for (const name of REPORTED) metrics.addMetric(name, MetricUnit.Count, report[name] as number)
        unreached += report.exhausted
      } catch (error) {
        if (!(error instanceof InvalidNotificationError)) throw error
        await reject(deps, error, MessageId, Message)
      }
    }
    metrics.publishStoredMetrics()
    if (unreached > 0) throw new DeliveryIncompleteError(unreached)
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  const queueUrl = rejectedQueueUrl(env)
  return createFanOutHandler({
    ...publishingDeps(env, aws),
    alarmRules: alarmRules(env),
    rejections: queueUrl ? sqsRejectionLog(sqsOf(aws), queueUrl) : undefined,
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
