import { type CfnElement, Stack, Validations } from 'aws-cdk-lib'
import type { IConstruct } from 'constructs'
import { FUNCTION_SPECS } from '../functions/manifest.js'
import { MOCK_ROUTES } from '../shared/protocol/gateway-routes.js'
import type { Herald } from './herald.js'
import { mockRouteId } from './herald-api.js'

const acknowledge = (scope: IConstruct, finding: string, reason: string): void =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason })

/**
 * The AwsSolutions findings Herald keeps on purpose, each on the narrowest construct and with the
 * reason a reviewer needs. Anything not acknowledged here stops `cdk synth`, and so `npm test`.
 */
export function acknowledgeReviewedFindings(herald: Herald): void {
  const stack = Stack.of(herald)
  const apiLogicalId = stack.resolve(stack.getLogicalId(herald.api.node.defaultChild as CfnElement)) as string
  const connectionsArn = (verb: string): string =>
    `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${herald.stage.stageName}/${verb}/@connections/*`

  for (const fn of Object.values(herald.functions)) {
    acknowledge(
      fn,
      'L1',
      'Pinned to nodejs22.x, the runtime the bundles target (esbuild target node22) and the tests run on; an LTS supported by Lambda into 2027. Moving to a newer runtime is a one-line change in HeraldFunction once tested there.',
    )
    acknowledge(
      fn.role ?? fn,
      'IAM5[Resource::*]',
      'xray:PutTraceSegments and xray:PutTelemetryRecords, added by active tracing, support no resource-level permissions.',
    )
  }
  for (const [name, { connectionVerbs = [] }] of FUNCTION_SPECS) {
    const fn = herald.functions[name]
    for (const verb of connectionVerbs)
      acknowledge(
        fn.role ?? fn,
        `IAM5[Resource::${connectionsArn(verb)}]`,
        `Connection ids exist only at run time; the grant is limited to ${verb} on this API’s own stage (execute-api:ManageConnections), the verb this function calls.`,
      )
  }
  if (herald.escalation) {
    const groupId = stack.resolve(stack.getLogicalId(herald.escalation.group)) as string
    const schedules = `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${groupId}>/*`
    for (const [name, { grants = {} }] of FUNCTION_SPECS)
      if ('schedules' in grants)
        acknowledge(
          herald.functions[name].role ?? herald.functions[name],
          `IAM5[Resource::${schedules}]`,
          'Each critical alert gets its own one-time schedule, named when it is published; the grant is CreateSchedule in Herald’s own schedule group only.',
        )
  }
  for (const route of [
    herald.api.node.findChild('$disconnect-Route'),
    herald.api.node.findChild('$default-Route'),
    ...Object.keys(MOCK_ROUTES).map((routeKey) => herald.node.findChild(mockRouteId(routeKey))),
  ]) {
    acknowledge(
      route,
      'APIG4',
      'API Gateway WebSocket APIs authorize only at $connect (here a Lambda REQUEST authorizer); every other route runs on that authorized connection and cannot take an authorizer.',
    )
  }
  const loggingRole = herald.node.tryFindChild('ApiGatewayLoggingRole')
  if (loggingRole) {
    acknowledge(
      loggingRole,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway’s account-level logging role: AWS’s own service-role policy is the documented way to let API Gateway create and write its log groups.',
    )
  }
  acknowledge(
    herald.deadLetterQueue,
    'SQS3',
    'This queue is the dead-letter queue of the fan-out; what lands here is replayed by hand, not redriven again.',
  )
  acknowledge(
    herald.rejectedQueue,
    'SQS3',
    'This queue is where refused publishes end: nothing consumes it, people read it (`herald rejected`), and a body here could never be delivered by retrying.',
  )
  if (herald.tokenSecret) {
    acknowledge(
      herald.tokenSecret,
      'SMG4',
      'The secret signs browser tokens (HS256): rotating it invalidates every issued token, so it is rotated deliberately by its owner, not on a schedule. Deployments that need rotation use auth mode oidc.',
    )
  }
}
