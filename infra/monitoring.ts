import { Duration } from 'aws-cdk-lib'
import type { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2'
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import type { IQueue } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { chunk } from '../shared/chunk.js'
import { allowAlarmsToPublish } from './alarm-publishing.js'

export interface HeraldMonitoringProps {
  readonly api: WebSocketApi
  readonly stage: WebSocketStage
  readonly functions: IFunction[]
  readonly fanout: IFunction
  readonly deadLetterQueue: IQueue
  readonly rejectedQueue: IQueue
  /** Where escalation is on, the schedule group whose dropped invocations would lose an e-mail. */
  readonly escalationGroup?: string
  /** @default no e-mail subscription */
  readonly alarmEmail?: string
}

const FIVE_MINUTES = Duration.minutes(5)
/** CloudWatch refuses an alarm whose math adds up more metrics than this. */
const MAX_ALARM_METRICS = 10

/** Alarms on what needs a person, to one topic, and a dashboard of what Herald is doing. */
export class HeraldMonitoring extends Construct {
  readonly alarmTopic: Topic
  readonly alarms: Alarm[]
  readonly dashboard: Dashboard

  constructor(scope: Construct, id: string, props: HeraldMonitoringProps) {
    super(scope, id)
    this.alarmTopic = new Topic(this, 'AlarmTopic', { enforceSSL: true, displayName: 'Herald alarms' })
    allowAlarmsToPublish(this.alarmTopic)
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail))
    const metrics = metricsOf(props)
    this.alarms = this.#alarms(props, metrics)
    for (const each of this.alarms) each.addAlarmAction(new SnsAction(this.alarmTopic))
    this.dashboard = this.#dashboard(props, metrics)
  }

  #alarms(props: HeraldMonitoringProps, { api, fanOut, throttles }: Metrics): Alarm[] {
    const alarm = (name: string, description: string, metric: Metric | MathExpression): Alarm =>
      new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      })
    return [
      alarm(
        'FanoutErrors',
        'The fan-out function failed; Lambda retries, then the dead-letter queue.',
        props.fanout.metricErrors({ period: FIVE_MINUTES }),
      ),
      alarm(
        'DeadLetters',
        'Notifications could not be delivered and wait in the dead-letter queue for a replay.',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
      ),
      alarm('IntegrationErrors', 'API Gateway could not run a route’s function.', api('IntegrationError')),
      // An alarm adds up at most 10 metrics: one alarm per 10 functions, the first keeping its id.
      ...throttles.map((sum, i) =>
        alarm(
          i === 0 ? 'Throttles' : `Throttles${i + 1}`,
          'A Herald function was throttled by Lambda concurrency.',
          sum,
        ),
      ),
      alarm(
        'DeliveriesExhausted',
        'Posts were still throttled or failing at the fan-out deadline.',
        fanOut('exhausted'),
      ),
      alarm(
        'RejectedNotifications',
        'A publisher sent a notification Herald refused; `herald rejected` lists each with its reason.',
        fanOut('rejected'),
      ),
      ...(props.escalationGroup
        ? [
            alarm(
              'EscalationsDropped',
              'EventBridge Scheduler gave up invoking the escalate function: a critical alert’s e-mail was not sent.',
              new Metric({
                namespace: 'AWS/Scheduler',
                metricName: 'InvocationDroppedCount',
                dimensionsMap: { ScheduleGroup: props.escalationGroup },
                statistic: 'Sum',
                period: FIVE_MINUTES,
              }),
            ),
          ]
        : []),
    ]
  }

  #dashboard(props: HeraldMonitoringProps, { api, fanOut }: Metrics): Dashboard {
    const graph = (title: string, left: IMetric[]): GraphWidget => new GraphWidget({ title, left, width: 8 })
    const rejectedByReason = new MathExpression({
      expression: `SEARCH('{Herald,reason,service} MetricName="rejected"', 'Sum', ${FIVE_MINUTES.toSeconds()})`,
      label: 'rejected',
      period: FIVE_MINUTES,
    })
    return new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          graph('Connections', [api('ConnectCount')]),
          graph('Client messages', [api('MessageCount')]),
          graph('Fan-out deliveries', [fanOut('recipients'), fanOut('delivered')]),
        ],
        [
          graph('Gone and failed', [
            fanOut('gone'),
            fanOut('refused'),
            fanOut('exhausted'),
            fanOut('retried'),
          ]),
          graph('Items read per fan-out', [fanOut('itemsRead')]),
          graph('Rejected notifications by reason', [
            rejectedByReason,
            props.rejectedQueue.metricApproximateNumberOfMessagesVisible({
              label: 'kept for herald rejected',
            }),
          ]),
          graph('Errors', [
            api('IntegrationError'),
            props.fanout.metricErrors(),
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible(),
          ]),
        ],
      ],
    })
  }
}

/** The metrics the alarms and the dashboard are drawn from. */
interface Metrics {
  /** One of API Gateway's metrics for the stage, summed over five minutes. */
  api(metricName: string): Metric
  /** One of the metrics the fan-out reports through Powertools (EMF), summed over five minutes. */
  fanOut(metricName: string): Metric
  /** Every function's throttles, added up, ten functions to a sum (an alarm's limit). */
  throttles: MathExpression[]
}

/** API Gateway's metrics for the stage, what the fan-out reports through Powertools (EMF), and all functions' throttles. */
function metricsOf(props: HeraldMonitoringProps): Metrics {
  const api = (metricName: string): Metric =>
    new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiId: props.api.apiId, Stage: props.stage.stageName },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    })
  const fanOut = (metricName: string): Metric =>
    new Metric({
      namespace: 'Herald',
      metricName,
      dimensionsMap: { service: 'herald' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    })
  const throttles = chunk(props.functions, MAX_ALARM_METRICS).map(
    (functions) =>
      new MathExpression({
        expression: functions.map((_, i) => `t${i}`).join(' + '),
        usingMetrics: Object.fromEntries(
          functions.map((fn, i) => [`t${i}`, fn.metricThrottles({ period: FIVE_MINUTES })]),
        ),
        period: FIVE_MINUTES,
        label: 'Lambda throttles',
      }),
  )
  return { api, fanOut, throttles }
}
