import { describe, expect, it } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'

const rules = {
  severity: [{ match: 'prod-db', severity: 'critical' }],
  route: [{ match: '^billing-', userId: 'finance' }],
}
const herald = withLocalStack({ env: { HERALD_ALARM_RULES: JSON.stringify(rules) } })

/** Exactly what CloudWatch publishes to an alarm action's SNS topic. */
const alarm = (name: string, state: 'ALARM' | 'OK', reason: string) =>
  JSON.stringify({
    AlarmName: name,
    AlarmDescription: null,
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2026-11-20T10:00:00.000+0000',
    NewStateValue: state,
    NewStateReason: reason,
    StateChangeTime: '2026-11-26T10:00:00.000+0000',
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
    OldStateValue: state === 'OK' ? 'ALARM' : 'OK',
    OKActions: [],
    AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:herald'],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/RDS',
      StatisticType: 'Statistic',
      Statistic: 'AVERAGE',
      Period: 60,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 90,
    },
  })
const publish = (message: string) =>
  herald.rawPublish({ Action: 'Publish', TopicArn: herald.stack.topicArn, Message: message })

describe('CloudWatch alarms through Herald’s topic', () => {
  it('broadcasts an alarm as an alert, severity by rule, with the alarm’s details', async () => {
    const [ops, other] = await Promise.all([herald.connect('ops'), herald.connect('dev')])

    await publish(
      alarm(
        'prod-db-cpu',
        'ALARM',
        'Threshold Crossed: 3 datapoints were greater than the threshold (90.0).',
      ),
    )
    await herald.stack.idle()
    await Promise.all([ops.caughtUp(), other.caughtUp()])

    for (const client of [ops, other]) {
      expect(client.received('alert').map((f) => f.data)).toEqual([
        {
          severity: 'critical',
          title: 'prod-db-cpu',
          message: 'Threshold Crossed: 3 datapoints were greater than the threshold (90.0).',
          source: 'cloudwatch',
          metadata: {
            alarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:prod-db-cpu',
            state: 'ALARM',
            previousState: 'OK',
            resolved: false,
            region: 'EU (Ireland)',
            metric: 'CPUUtilization',
            namespace: 'AWS/RDS',
          },
        },
      ])
    }
    ops.close()
    other.close()
  })

  it('sends a resolved alarm as a low alert, and routes alarms by name to one user', async () => {
    const [finance, ops] = await Promise.all([herald.connect('finance'), herald.connect('ops')])

    await publish(
      alarm('api-errors', 'OK', 'Threshold Crossed: 1 datapoint was not greater than the threshold (5.0).'),
    )
    await publish(alarm('billing-failures', 'ALARM', 'Too many failed charges'))
    await herald.stack.idle()
    await Promise.all([finance.caughtUp(), ops.caughtUp()])

    const titles = (client: typeof ops) =>
      client
        .received('alert')
        .map((f) => `${(f.data as { severity: string }).severity} ${(f.data as { title: string }).title}`)
        .sort()
    expect(titles(ops)).toEqual(['low Resolved: api-errors'])
    expect(titles(finance)).toEqual(['high billing-failures', 'low Resolved: api-errors'])
    finance.close()
    ops.close()
  })
})
