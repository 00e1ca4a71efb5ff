import { App } from 'aws-cdk-lib'
import { Capture, Match, Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Herald } from '../../infra/herald.js'
import { HeraldStack } from '../../infra/herald-stack.js'

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>

let stack: HeraldStack
let template: Template
let resources: Resources

beforeAll(() => {
  const app = new App()
  stack = new HeraldStack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } })
  template = Template.fromStack(stack)
  resources = template.toJSON().Resources as Resources
})

const logicalIdOf = (construct: { node: { defaultChild?: unknown } } | { node: { id: string } }) =>
  stack.getLogicalId((construct as { node: { defaultChild: never } }).node.defaultChild)

/** Every action a function's role may take, with the logical ids its resources point at. */
function permissionsOf(name: keyof Herald['functions']): Record<string, string[]> {
  const roleId = stack.getLogicalId(stack.herald.functions[name].role?.node.defaultChild as never)
  const policies = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
  )
  const permissions: Record<string, string[]> = {}
  for (const policy of policies) {
    for (const statement of (
      policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
    ).Statement) {
      const refs =
        JSON.stringify(statement.Resource).match(/"(?:Ref|Fn::GetAtt)":(?:"|\[")([A-Za-z0-9]+)/g) ?? []
      const targets =
        statement.Resource === '*'
          ? ['*']
          : refs.map((ref) => ref.replace(/.*"([A-Za-z0-9]+)$/, '$1')).filter((id) => !id.startsWith('AWS'))
      for (const action of [statement.Action].flat())
        permissions[action] = [...(permissions[action] ?? []), ...targets].sort()
    }
  }
  return permissions
}

/** What a function that fans out itself (log ingest, events) may do: find, deliver, clean up, record, queue. */
const FANS_OUT = {
  'dynamodb:Query': ['connections'],
  'dynamodb:GetItem': ['connections'],
  'dynamodb:BatchWriteItem': ['connections'],
  'dynamodb:DeleteItem': ['connections'],
  'dynamodb:PutItem': ['history'],
  'execute-api:ManageConnections': ['api'],
  'sqs:SendMessage': ['deliveries'],
} as const

describe('Stack: HeraldStack', () => {
  it('creates a WebSocket API routing on $request.body.type', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.type',
    })
  })

  it('routes $connect (with the REQUEST authorizer), $disconnect and $default to their functions', () => {
    // The $connect route is authorized by exactly this authorizer, on this function.
    const connectRoute = Object.values(resources).find(
      (r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === '$connect',
    )
    const authorizerId =
      (connectRoute?.Properties.AuthorizerId as { Ref?: string } | undefined)?.Ref ?? 'none'
    expect(resources[authorizerId]?.Type).toBe('AWS::ApiGatewayV2::Authorizer')
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([
            Match.objectLike({ 'Fn::GetAtt': [logicalIdOf(stack.herald.functions.authorizer), 'Arn'] }),
          ]),
        ]),
      }),
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$disconnect',
      AuthorizationType: 'NONE',
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'NONE',
    })
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 3)

    for (const [route, fn] of [
      ['$connect', 'connect'],
      ['$disconnect', 'disconnect'],
      ['$default', 'message'],
    ] as const) {
      const integration = new Capture()
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: route,
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: integration }]] },
      })
      expect(JSON.stringify(resources[integration.asString()]?.Properties.IntegrationUri)).toContain(
        logicalIdOf(stack.herald.functions[fn]),
      )
    }
  })

  it('sets the account’s API Gateway logging role before the stage, which needs it to deploy', () => {
    const stageId = logicalIdOf(stack.herald.stage)
    const account = Object.entries(resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Account')
    expect(account).toBeDefined()
    expect(template.toJSON().Resources[stageId].DependsOn).toContain(account?.[0])
    template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        },
      },
    })
  })

  it('deploys a throttled stage whose access log leaves out the query string (tokens)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: 1000,
        ThrottlingBurstLimit: 2000,
        DetailedMetricsEnabled: true,
      },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"connectionId":"\\$context.connectionId"'),
      },
    })
    const format = JSON.stringify(
      Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')?.Properties
        .AccessLogSettings,
    )
    expect(format).not.toMatch(/querystring|token|\$context\.(path|requestOverride)/i)
  })

  it.each([['Connections'], ['History']])(
    'creates the %s table with the shared keys, on demand, TTL on expiresAt, PITR, retained',
    (name) => {
      const id = logicalIdOf(
        name === 'Connections' ? stack.herald.connectionsTable : stack.herald.historyTable,
      )
      expect(resources[id]?.Properties).toEqual(
        expect.objectContaining({
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      )
      expect(resources[id]?.Properties.GlobalSecondaryIndexes).toBeUndefined()
      expect(resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })
    },
  )

  it('subscribes the fan-out to a TLS-only topic, with a dead-letter queue for SNS and for Lambda', () => {
    const dlq = logicalIdOf(stack.herald.deadLetterQueue)
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalIdOf(stack.herald.topic) },
      Endpoint: { 'Fn::GetAtt': [logicalIdOf(stack.herald.functions.fanout), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
    })
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(stack.herald.functions.fanout) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    })
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalIdOf(stack.herald.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    })
  })

  it('runs every function on nodejs22.x, arm64, traced, with source maps and Powertools settings', () => {
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')
    expect(functions).toHaveLength(9)
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: expect.objectContaining({
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: 'herald',
          }),
        },
        LoggingConfig: { LogGroup: expect.anything() },
      })
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 10)
  })

  it.each([
    ['authorizer', { 'secretsmanager:GetSecretValue': ['secret'] }],
    [
      'connect',
      {
        'dynamodb:Query': ['connections'],
        'dynamodb:BatchWriteItem': ['connections'],
        'lambda:InvokeFunction': ['welcome'],
      },
    ],
    ['welcome', { 'execute-api:ManageConnections': ['api'] }],
    [
      'disconnect',
      {
        'dynamodb:GetItem': ['connections'],
        'dynamodb:BatchWriteItem': ['connections'],
        'dynamodb:DeleteItem': ['connections'],
      },
    ],
    [
      'message',
      {
        'dynamodb:GetItem': ['connections'],
        'dynamodb:PutItem': ['connections'],
        'dynamodb:UpdateItem': ['connections'],
        'dynamodb:Query': ['history'],
        // POST for answers, DELETE to close an abusive connection: two resources.
        'execute-api:ManageConnections': ['api', 'api'],
      },
    ],
    [
      'fanout',
      {
        // As any function that fans out, and it also sends its own failures to the dead-letter queue.
        ...FANS_OUT,
        'sqs:SendMessage': ['deliveries', 'dlq', 'rejected'],
        // Lambda's on-failure destination, added by CDK for the dead-letter queue.
        'sqs:GetQueueAttributes': ['dlq'],
        'sqs:GetQueueUrl': ['dlq'],
      },
    ],
    [
      'deliver',
      {
        'dynamodb:GetItem': ['connections'],
        'dynamodb:BatchWriteItem': ['connections'],
        'dynamodb:DeleteItem': ['connections'],
        'execute-api:ManageConnections': ['api'],
        'sqs:SendMessage': ['deliveries'],
        // The SQS event source's own: Lambda polls the queue with the function's role.
        'sqs:GetQueueAttributes': ['deliveries'],
        'sqs:GetQueueUrl': ['deliveries'],
        'sqs:ReceiveMessage': ['deliveries'],
        'sqs:ChangeMessageVisibility': ['deliveries'],
        'sqs:DeleteMessage': ['deliveries'],
      },
    ],
    ['ingestLogs', FANS_OUT],
    ['events', FANS_OUT],
  ] as const)('gives the %s function exactly the permissions its code uses', (name, expected) => {
    const ids: Record<string, string> = {
      secret: logicalIdOf(stack.herald.tokenSecret as never),
      connections: logicalIdOf(stack.herald.connectionsTable),
      history: logicalIdOf(stack.herald.historyTable),
      welcome: logicalIdOf(stack.herald.functions.welcome),
      api: logicalIdOf(stack.herald.api),
      dlq: logicalIdOf(stack.herald.deadLetterQueue),
      deliveries: logicalIdOf(stack.herald.deliveryQueue),
      rejected: logicalIdOf(stack.herald.rejectedQueue),
    }
    const own = logicalIdOf(stack.herald.functions[name]).replace(/[0-9A-F]{8}$/, '')
    const permissions = permissionsOf(name)
    const logs = Object.keys(resources).find((id) => id.startsWith(`${own}Logs`)) as string

    expect(permissions).toEqual({
      'logs:CreateLogStream': [logs],
      'logs:PutLogEvents': [logs],
      'xray:PutTraceSegments': ['*'],
      'xray:PutTelemetryRecords': ['*'],
      ...Object.fromEntries(
        Object.entries(expected).map(([action, targets]) => [
          action,
          targets.map((target: string) => ids[target]).sort(),
        ]),
      ),
    })
  })

  it('feeds the delivery workers from a queue that dead-letters, with partial batch failures and bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.herald.functions.deliver) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.herald.deliveryQueue), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    })
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack.herald.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 3,
      },
    })
  })

  it('gives each delivery worker an equal share of the account’s Management API quota', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ HERALD_DELIVERY_RATE: '1000', HERALD_DELIVERY_BURST: '500' }),
      },
    })
  })

  it('limits ManageConnections to this API’s own stage, one resource per verb', () => {
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(
        (r) =>
          (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((statement) => statement.Action === 'execute-api:ManageConnections')
    const arn = (verb: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':execute-api:eu-west-1:123456789012:',
          { Ref: logicalIdOf(stack.herald.api) },
          `/prod/${verb}/@connections/*`,
        ],
      ],
    })

    expect(statements).toHaveLength(6)
    expect(statements.map((statement) => statement.Resource)).toEqual(
      expect.arrayContaining([arn('POST'), [arn('POST'), arn('DELETE')]]),
    )
    for (const statement of statements)
      expect([statement.Resource].flat()).toEqual(expect.arrayContaining([arn('POST')]))
  })

  it('offers publishers a managed policy that can only publish to the topic', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: logicalIdOf(stack.herald.topic) } },
        ],
      },
    })
  })

  it('alarms on fan-out errors, dead letters, integration errors, throttles, exhausted deliveries and rejected notifications', () => {
    // Six alarms to the alarm topic, and the smoke alarm, routed to Herald's own topic.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7)
    const alarmTopic = logicalIdOf(stack.herald.monitoring.alarmTopic)
    for (const metric of [
      { MetricName: 'Errors', Namespace: 'AWS/Lambda' },
      { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' },
      { MetricName: 'IntegrationError', Namespace: 'AWS/ApiGateway' },
      { MetricName: 'exhausted', Namespace: 'Herald' },
      { MetricName: 'rejected', Namespace: 'Herald', Dimensions: [{ Name: 'service', Value: 'herald' }] },
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...metric,
        Threshold: 1,
        AlarmActions: [{ Ref: alarmTopic }],
      })
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Label: 'Lambda throttles' })]),
    })
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1)
    const dashboard = JSON.stringify(
      Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')?.Properties,
    )
    expect(dashboard).toContain('Rejected notifications by reason')
    expect(dashboard).toMatch(/SEARCH\('\{Herald,reason,service\} MetricName=.{1,6}rejected/)
  })

  it('has a smoke alarm that never breaches by itself, routed to Herald’s topic for `npm run smoke`', () => {
    const topic = { Ref: logicalIdOf(stack.herald.topic) }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-herald-smoke',
      MetricName: 'smoke',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    })
  })

  it('keeps rejected notifications 14 days in an encrypted queue a function is told of', () => {
    const queue = logicalIdOf(stack.herald.rejectedQueue)
    expect(resources[queue]?.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    })
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HERALD_REJECTED_QUEUE_URL: { Ref: queue } }) },
    })
  })

  it('outputs what `herald --config` and publishers need', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'ConnectionsTable',
        'DeadLetterQueueUrl',
        'DeliveryQueueUrl',
        'HistoryTable',
        'RejectedQueueUrl',
        'SmokeAlarmName',
        'ManagementUrl',
        'PublisherPolicyArn',
        'Region',
        'TokenSecretArn',
        'TopicArn',
        'WebSocketUrl',
      ].sort(),
    )
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toContain('wss://')
    expect(JSON.stringify(outputs.ManagementUrl?.Value)).toContain('https://')
  })
})
