import { Capture, Match } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { FUNCTION_SPECS, type HeraldFunctionName } from '../../functions/manifest.js'
import { synthesizedStack } from '../support/synthesized-stack.js'

const synthesized = synthesizedStack()

describe('Stack: HeraldStack', () => {
  it('creates a WebSocket API routing on $request.body.type', () => {
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.type',
    })
  })

  it('answers ping with pong from a MOCK integration and takes keepalive with one, each throttled on its own', () => {
    const pingTarget = new Capture()
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'ping',
      RouteResponseSelectionExpression: '$default',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: pingTarget }]] },
    })
    expect(synthesized.resources[pingTarget.asString()]?.Properties).toMatchObject({
      IntegrationType: 'MOCK',
      RequestTemplates: { $default: '{"statusCode": 200}' },
    })
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::IntegrationResponse', {
      IntegrationId: { Ref: pingTarget.asString() },
      IntegrationResponseKey: '$default',
      ResponseTemplates: { $default: Match.stringLikeRegexp('"type":"pong"') },
    })
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::RouteResponse', {
      RouteResponseKey: '$default',
    })
    const keepaliveTarget = new Capture()
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'keepalive',
      RouteResponseSelectionExpression: Match.absent(),
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: keepaliveTarget }]] },
    })
    expect(synthesized.resources[keepaliveTarget.asString()]?.Properties.IntegrationType).toBe('MOCK')
    // No function behind either: the MOCK integrations are the only ones without a URI.
    synthesized.template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Integration',
      { IntegrationType: 'MOCK' },
      2,
    )
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: {
        ping: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
        keepalive: { ThrottlingRateLimit: 5000, ThrottlingBurstLimit: 10_000 },
      },
    })
  })

  it('routes $connect (with the REQUEST authorizer), $disconnect and $default to their functions', () => {
    // The $connect route is authorized by exactly this authorizer, on this function.
    const connectRoute = Object.values(synthesized.resources).find(
      (r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === '$connect',
    )
    const authorizerId =
      (connectRoute?.Properties.AuthorizerId as { Ref?: string } | undefined)?.Ref ?? 'none'
    expect(synthesized.resources[authorizerId]?.Type).toBe('AWS::ApiGatewayV2::Authorizer')
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([
            Match.objectLike({
              'Fn::GetAtt': [synthesized.logicalIdOf(synthesized.stack.herald.functions.authorizer), 'Arn'],
            }),
          ]),
        ]),
      }),
    })
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
    })
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$disconnect',
      AuthorizationType: 'NONE',
    })
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'NONE',
    })
    // Plus API Gateway's own routes, ping and keepalive (below).
    synthesized.template.resourceCountIs('AWS::ApiGatewayV2::Route', 5)

    for (const [route, fn] of [
      ['$connect', 'connect'],
      ['$disconnect', 'disconnect'],
      ['$default', 'message'],
    ] as const) {
      const integration = new Capture()
      synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: route,
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: integration }]] },
      })
      expect(
        JSON.stringify(synthesized.resources[integration.asString()]?.Properties.IntegrationUri),
      ).toContain(synthesized.logicalIdOf(synthesized.stack.herald.functions[fn]))
    }
  })

  it('sets the account’s API Gateway logging role before the stage, which needs it to deploy', () => {
    const stageId = synthesized.logicalIdOf(synthesized.stack.herald.stage)
    const account = Object.entries(synthesized.resources).find(
      ([, r]) => r.Type === 'AWS::ApiGateway::Account',
    )
    expect(account).toBeDefined()
    expect(synthesized.template.toJSON().Resources[stageId].DependsOn).toContain(account?.[0])
    synthesized.template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        },
      },
    })
  })

  it('deploys a throttled stage whose access log leaves out the query string (tokens)', () => {
    synthesized.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
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
      Object.values(synthesized.resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')?.Properties
        .AccessLogSettings,
    )
    expect(format).not.toMatch(/querystring|token|\$context\.(path|requestOverride)/i)
  })

  it.each([['Connections'], ['History']])(
    'creates the %s table with the shared keys, on demand, TTL on expiresAt, PITR, retained',
    (name) => {
      const id = synthesized.logicalIdOf(
        name === 'Connections'
          ? synthesized.stack.herald.connectionsTable
          : synthesized.stack.herald.historyTable,
      )
      expect(synthesized.resources[id]?.Properties).toEqual(
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
      expect(synthesized.resources[id]?.Properties.GlobalSecondaryIndexes).toBeUndefined()
      expect(synthesized.resources[id]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      })
    },
  )

  it('subscribes the fan-out to a TLS-only topic, with a dead-letter queue for SNS and for Lambda', () => {
    const dlq = synthesized.logicalIdOf(synthesized.stack.herald.deadLetterQueue)
    synthesized.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: synthesized.logicalIdOf(synthesized.stack.herald.topic) },
      Endpoint: { 'Fn::GetAtt': [synthesized.logicalIdOf(synthesized.stack.herald.functions.fanout), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
    })
    synthesized.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: synthesized.logicalIdOf(synthesized.stack.herald.functions.fanout) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    })
    synthesized.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: synthesized.logicalIdOf(synthesized.stack.herald.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    })
  })

  it('runs every function on nodejs22.x, arm64, traced, with source maps and Powertools settings', () => {
    const functions = Object.values(synthesized.resources).filter((r) => r.Type === 'AWS::Lambda::Function')
    expect(functions).toHaveLength(FUNCTION_SPECS.length)
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
    // One per function, and the stage's access logs.
    synthesized.template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: 30 },
      FUNCTION_SPECS.length + 1,
    )
  })

  it('feeds the delivery workers from a queue that dead-letters, with partial batch failures and bounded concurrency', () => {
    synthesized.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: synthesized.logicalIdOf(synthesized.stack.herald.functions.deliver) },
      EventSourceArn: {
        'Fn::GetAtt': [synthesized.logicalIdOf(synthesized.stack.herald.deliveryQueue), 'Arn'],
      },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    })
    synthesized.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [synthesized.logicalIdOf(synthesized.stack.herald.deadLetterQueue), 'Arn'],
        },
        maxReceiveCount: 3,
      },
    })
  })

  it('caps what a reconnect storm drives (welcome, disconnect) and sets concurrency aside for the fan-out', () => {
    const reservedOf = (name: HeraldFunctionName) =>
      synthesized.resources[synthesized.logicalIdOf(synthesized.stack.herald.functions[name])]?.Properties
        .ReservedConcurrentExecutions
    expect(reservedOf('welcome')).toBe(100)
    expect(reservedOf('disconnect')).toBe(100)
    expect(reservedOf('fanout')).toBe(200)
    // The delivery workers' concurrency is their event source mapping's maximum.
    expect(reservedOf('deliver')).toBeUndefined()
    for (const [name, spec] of FUNCTION_SPECS) expect(reservedOf(name), name).toBe(spec.reservedConcurrency)
  })

  it('gives each delivery worker an equal share of the account’s Management API quota', () => {
    synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ HERALD_DELIVERY_RATE: '1000', HERALD_DELIVERY_BURST: '500' }),
      },
    })
  })

  it('alarms on fan-out errors, dead letters, integration errors, throttles, exhausted deliveries and rejected notifications', () => {
    // Seven alarms to the alarm topic (throttles need two: an alarm adds up at most ten metrics),
    // and the smoke alarm, routed to Herald's own topic.
    synthesized.template.resourceCountIs('AWS::CloudWatch::Alarm', 8)
    const alarmTopic = synthesized.logicalIdOf(synthesized.stack.herald.monitoring.alarmTopic)
    for (const metric of [
      { MetricName: 'Errors', Namespace: 'AWS/Lambda' },
      { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' },
      { MetricName: 'IntegrationError', Namespace: 'AWS/ApiGateway' },
      { MetricName: 'exhausted', Namespace: 'Herald' },
      { MetricName: 'rejected', Namespace: 'Herald', Dimensions: [{ Name: 'service', Value: 'herald' }] },
    ]) {
      synthesized.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...metric,
        Threshold: 1,
        AlarmActions: [{ Ref: alarmTopic }],
      })
    }
    const throttleSums = Object.values(synthesized.template.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties.Metrics as { Label?: string; MetricStat?: unknown }[] | undefined)
      .filter((metrics) => metrics?.some((metric) => metric.Label === 'Lambda throttles'))
    // Every function's throttles, each counted once, at most ten to an alarm.
    expect(
      throttleSums.flatMap((metrics) => metrics?.filter((metric) => metric.MetricStat) ?? []),
    ).toHaveLength(Object.keys(synthesized.stack.herald.functions).length)
    for (const metrics of throttleSums) expect(metrics?.length).toBeLessThanOrEqual(11)
    synthesized.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1)
    const dashboard = JSON.stringify(
      Object.values(synthesized.resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')?.Properties,
    )
    expect(dashboard).toContain('Rejected notifications by reason')
    expect(dashboard).toMatch(/SEARCH\('\{Herald,reason,service\} MetricName=.{1,6}rejected/)
  })

  it('has a smoke alarm that never breaches by itself, routed to Herald’s topic for `npm run smoke`', () => {
    const topic = { Ref: synthesized.logicalIdOf(synthesized.stack.herald.topic) }
    synthesized.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-herald-smoke',
      MetricName: 'smoke',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    })
  })

  it('keeps rejected notifications 14 days in an encrypted queue a function is told of', () => {
    const queue = synthesized.logicalIdOf(synthesized.stack.herald.rejectedQueue)
    expect(synthesized.resources[queue]?.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    })
    synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HERALD_REJECTED_QUEUE_URL: { Ref: queue } }) },
    })
  })

  it('outputs what `herald --config` and publishers need', () => {
    const outputs = synthesized.template.toJSON().Outputs as Record<string, { Value: unknown }>
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
