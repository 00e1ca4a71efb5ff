/** What a CloudWatch alarm action publishes to its topic on a state change (the parts Herald reads). */
export function alarmStateChange(options: {
  name: string
  region: string
  state?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA' | string
  reason?: string
  metric?: string
}): string {
  const state = options.state ?? 'ALARM'
  return JSON.stringify({
    AlarmName: options.name,
    AlarmArn: `arn:aws:cloudwatch:${options.region}:000000000000:alarm:${options.name}`,
    NewStateValue: state,
    OldStateValue: state === 'OK' ? 'ALARM' : 'OK',
    NewStateReason: options.reason ?? `Threshold crossed for ${options.name}`,
    StateChangeTime: new Date().toISOString(),
    Region: options.region,
    Trigger: { MetricName: options.metric ?? 'Errors', Namespace: 'AWS/Lambda' },
  })
}
