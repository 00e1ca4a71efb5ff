import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib'
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { IKey } from 'aws-cdk-lib/aws-kms'
import type { ITopic } from 'aws-cdk-lib/aws-sns'

const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com')

/** Only this account's alarms in this region: the confused-deputy guard AWS documents for SNS. */
function fromOwnAlarms(topic: ITopic): Record<string, Record<string, string>> {
  const stack = Stack.of(topic)
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  }
}

/**
 * Lets CloudWatch alarm actions publish to `topic`. A topic with any custom policy (enforceSSL
 * gives one) loses SNS's default policy, and an alarm action to it then fails, visible only in the
 * alarm's history. With a KMS key, CloudWatch must also be able to use the key.
 */
export function allowAlarmsToPublish(topic: ITopic, key?: IKey): void {
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarms',
      principals: [CLOUDWATCH],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: fromOwnAlarms(topic),
    }),
  )
  if (!key) return
  const { statementAdded } = key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToUseTheTopicKey',
      principals: [CLOUDWATCH],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(topic).account } },
    }),
  )
  if (!statementAdded) {
    Annotations.of(topic).addWarningV2(
      'herald:importedTopicKey',
      'topicKey is imported, so Herald cannot add to its key policy: allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* on it, or alarm actions to this topic fail.',
    )
  }
}
