import { Duration, Stack } from 'aws-cdk-lib'
import { Alarm, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import type { Construct } from 'constructs'

/** The smoke alarm's name, known at synth so the fan-out's routing rules can name it. */
export function smokeAlarmName(scope: Construct): string {
  return `${Stack.of(scope).stackName}-herald-smoke`
}

/**
 * An alarm that never breaches by itself (its metric is never emitted): `npm run smoke` sets its
 * state with `aws cloudwatch set-alarm-state` and waits for the alert, proving that CloudWatch
 * may publish to Herald's topic and its key. It is routed to the smoke user, not broadcast.
 */
export function smokeAlarm(scope: Construct): Alarm {
  return new Alarm(scope, 'SmokeAlarm', {
    alarmName: smokeAlarmName(scope),
    alarmDescription:
      'Set by `npm run smoke` to prove CloudWatch alarms reach Herald; never breaches by itself.',
    metric: new Metric({
      namespace: 'Herald',
      metricName: 'smoke',
      statistic: 'Sum',
      period: Duration.minutes(5),
    }),
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  })
}
