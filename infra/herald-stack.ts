import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import type { Construct } from 'constructs'
import { ConfigError } from '../shared/errors.js'
import { Herald, type HeraldAuth } from './herald.js'
import type { HeraldEscalation, HeraldPush } from './herald-props.js'

/** Settings a deployer gives with `-c key=value` (or in cdk.json's context). */
export interface HeraldContext {
  /** 'secret' (default) or 'oidc'. */
  'herald:auth'?: string
  'herald:jwksUrl'?: string
  'herald:issuer'?: string
  'herald:audience'?: string
  'herald:stage'?: string
  'herald:throttleRate'?: string | number
  'herald:throttleBurst'?: string | number
  /** 'retain' (default) or 'destroy': what deleting the stack does to tables, secret and logs. */
  'herald:removal'?: string
  'herald:logRetentionDays'?: string | number
  'herald:alarmEmail'?: string
  'herald:allowedOrigins'?: string
  'herald:logsClaim'?: string
  'herald:tenantClaim'?: string
  'herald:groupsClaim'?: string
  'herald:operatorTenant'?: string
  /** Web Push: the VAPID public key, the secret holding the private key, and a contact (all three, or none). */
  'herald:vapidPublicKey'?: string
  'herald:vapidSecretArn'?: string
  'herald:vapidSubject'?: string
  /** E-mail escalation: the verified SES address it comes from; off without it. */
  'herald:escalationFrom'?: string
  'herald:escalateAfterSeconds'?: string | number
  'herald:emailClaim'?: string
  'herald:escalationLink'?: string
}

const optionalNumber = (value: string | number | undefined): number | undefined =>
  value === undefined ? undefined : Number(value)

export function authFromContext(context: HeraldContext): HeraldAuth {
  if ((context['herald:auth'] ?? 'secret') === 'secret') return { mode: 'secret' }
  const jwksUrl = context['herald:jwksUrl']
  const issuer = context['herald:issuer']
  if (!jwksUrl || !issuer) throw new ConfigError('herald:auth=oidc needs herald:jwksUrl and herald:issuer')
  return { mode: 'oidc', jwksUrl, issuer, audience: context['herald:audience'] }
}

/** Web Push from context: on when the VAPID key, its secret and a contact are all given. */
function pushFromContext(scope: Construct, context: HeraldContext): HeraldPush | undefined {
  const vapidPublicKey = context['herald:vapidPublicKey']
  const secretArn = context['herald:vapidSecretArn']
  const subject = context['herald:vapidSubject']
  if (!vapidPublicKey && !secretArn && !subject) return undefined
  if (!vapidPublicKey || !secretArn || !subject)
    throw new ConfigError(
      'Web Push needs herald:vapidPublicKey, herald:vapidSecretArn and herald:vapidSubject',
    )
  return {
    vapidPublicKey,
    vapidPrivateKey: Secret.fromSecretCompleteArn(scope, 'VapidPrivateKey', secretArn),
    subject,
  }
}

/** E-mail escalation from context: on when a from address is given. */
function escalationFromContext(context: HeraldContext): HeraldEscalation | undefined {
  const fromAddress = context['herald:escalationFrom']
  if (!fromAddress) return undefined
  const after = optionalNumber(context['herald:escalateAfterSeconds'])
  return {
    fromAddress,
    ...(after === undefined ? {} : { after: Duration.seconds(after) }),
    emailClaim: context['herald:emailClaim'],
    link: context['herald:escalationLink'],
  }
}

/** A stack holding one Herald, configured from context, with the outputs `herald --config` reads. */
export class HeraldStack extends Stack {
  readonly herald: Herald

  constructor(scope: Construct, id: string, props: StackProps & { context?: HeraldContext } = {}) {
    super(scope, id, props)
    const context = props.context ?? {}
    this.herald = new Herald(this, 'Herald', {
      auth: authFromContext(context),
      stageName: context['herald:stage'],
      throttleRateLimit: optionalNumber(context['herald:throttleRate']),
      throttleBurstLimit: optionalNumber(context['herald:throttleBurst']),
      removalPolicy: context['herald:removal'] === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      logRetention: optionalNumber(context['herald:logRetentionDays']) as RetentionDays | undefined,
      alarmEmail: context['herald:alarmEmail'],
      allowedOrigins: context['herald:allowedOrigins']?.split(',').map((origin) => origin.trim()),
      logsClaim: context['herald:logsClaim'],
      tenantClaim: context['herald:tenantClaim'],
      groupsClaim: context['herald:groupsClaim'],
      operatorTenant: context['herald:operatorTenant'],
      push: pushFromContext(this, context),
      escalation: escalationFromContext(context),
    })
    const outputs: Record<string, string | undefined> = {
      WebSocketUrl: this.herald.webSocketUrl,
      ManagementUrl: this.herald.managementUrl,
      TopicArn: this.herald.topic.topicArn,
      Region: this.region,
      ConnectionsTable: this.herald.connectionsTable.tableName,
      HistoryTable: this.herald.historyTable.tableName,
      PublisherPolicyArn: this.herald.publisherPolicy.managedPolicyArn,
      DeadLetterQueueUrl: this.herald.deadLetterQueue.queueUrl,
      DeliveryQueueUrl: this.herald.deliveryQueue.queueUrl,
      RejectedQueueUrl: this.herald.rejectedQueue.queueUrl,
      AlarmTopicArn: this.herald.monitoring.alarmTopic.topicArn,
      SmokeAlarmName: this.herald.smokeAlarm.alarmName,
      TokenSecretArn: this.herald.tokenSecret?.secretArn,
      TenantClaim: context['herald:tenantClaim'],
      OperatorTenant: context['herald:operatorTenant'],
    }
    for (const [name, value] of Object.entries(outputs)) if (value) new CfnOutput(this, name, { value })
  }
}
