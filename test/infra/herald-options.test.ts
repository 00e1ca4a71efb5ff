import { App, Stack, Validations } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch'
import { LogGroup } from 'aws-cdk-lib/aws-logs'
import { Queue } from 'aws-cdk-lib/aws-sqs'
import { AwsSolutionsChecks } from 'cdk-nag'
import { describe, expect, it } from 'vitest'
import { FUNCTION_SPECS, type HeraldFunctionName } from '../../functions/manifest.js'
import { Herald } from '../../infra/herald.js'
import { authFromContext, HeraldStack } from '../../infra/herald-stack.js'

// The construct with settings other than the stack's defaults, and cdk-nag over the stack.
describe('Construct: Herald options', () => {
  it('verifies OIDC tokens against a JWKS instead of creating a secret', () => {
    const oidc = new Stack(new App())
    new Herald(oidc, 'Herald', {
      auth: {
        mode: 'oidc',
        jwksUrl: 'https://idp.example.com/jwks.json',
        issuer: 'https://idp.example.com',
        audience: 'herald',
      },
      logsClaim: 'logs:read',
    })
    const t = Template.fromStack(oidc)

    t.resourceCountIs('AWS::SecretsManager::Secret', 0)
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HERALD_JWKS_URL: 'https://idp.example.com/jwks.json',
          HERALD_JWT_ISSUER: 'https://idp.example.com',
          HERALD_JWT_AUDIENCE: 'herald',
          HERALD_LOGS_CLAIM: 'logs:read',
        }),
      },
    })
  })

  it('routes existing CloudWatch alarms to Herald’s topic in one line, ALARM and OK alike', () => {
    const withAlarms = new Stack(new App())
    const herald = new Herald(withAlarms, 'Herald', {
      alarmRules: { severity: [{ match: 'prod', severity: 'critical' }] },
    })
    const alarm = new Alarm(withAlarms, 'ApiErrors', {
      metric: new Metric({ namespace: 'AWS/Lambda', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    })

    herald.routeAlarms(alarm)

    const t = Template.fromStack(withAlarms)
    const topic = { Ref: withAlarms.getLogicalId(herald.topic.node.defaultChild as never) }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      AlarmActions: [topic],
      OKActions: [topic],
    })
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          // The user's rules, with the smoke alarm routed to the smoke user ahead of them.
          HERALD_ALARM_RULES: JSON.stringify({
            severity: [{ match: 'prod', severity: 'critical' }],
            route: [{ match: `^${withAlarms.stackName}-herald-smoke$`, userId: 'herald-smoke' }],
          }),
        }),
      },
    })
  })

  it('subscribes the given log groups to the log-ingest function, which CloudWatch Logs may invoke', () => {
    const withLogs = new Stack(new App())
    const orders = new LogGroup(withLogs, 'Orders', { logGroupName: '/aws/lambda/orders' })
    const herald = new Herald(withLogs, 'Herald', {
      logGroups: [orders],
      logEnvironment: 'prod',
      logRatePerSource: 20,
    })

    const t = Template.fromStack(withLogs)
    const ingest = withLogs.getLogicalId(herald.functions.ingestLogs.node.defaultChild as never)
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: withLogs.getLogicalId(orders.node.defaultChild as never) },
      DestinationArn: { 'Fn::GetAtt': [ingest, 'Arn'] },
      FilterPattern: '',
    })
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [ingest, 'Arn'] },
      Principal: 'logs.amazonaws.com',
    })
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ HERALD_LOG_ENVIRONMENT: 'prod', HERALD_LOG_RATE_PER_SOURCE: '20' }),
      },
    })
  })

  it('makes one EventBridge rule per mapping, targeting the events function', () => {
    const withEvents = new Stack(new App())
    const herald = new Herald(withEvents, 'Herald', {
      eventMappings: [
        {
          source: 'aws.states',
          detailType: 'Step Functions Execution Status Change',
          type: 'alert',
          title: 'Workflow {detail.status}',
        },
      ],
    })

    const t = Template.fromStack(withEvents)
    const events = withEvents.getLogicalId(herald.functions.events.node.defaultChild as never)
    t.resourceCountIs('AWS::Events::Rule', 1)
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [events, 'Arn'] } })],
    })
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [events, 'Arn'] },
    })
  })

  it('makes a multi-tenant deployment from tenantClaim, groupsClaim and operatorTenant', () => {
    const tenants = new Stack(new App())
    new Herald(tenants, 'Herald', {
      tenantClaim: 'custom:tenant',
      groupsClaim: 'cognito:groups',
      operatorTenant: 'ops',
    })
    const functions = Object.values(Template.fromStack(tenants).findResources('AWS::Lambda::Function'))
    const reading = (name: string, value: string) =>
      functions.filter((fn) => fn.Properties.Environment?.Variables?.[name] === value).length

    // The authorizer reads both claims; the three functions that publish know they must name a tenant.
    expect(reading('HERALD_TENANT_CLAIM', 'custom:tenant')).toBe(4)
    expect(reading('HERALD_GROUPS_CLAIM', 'cognito:groups')).toBe(1)
    expect(reading('HERALD_OPERATOR_TENANT', 'ops')).toBe(3)
    expect(() => new Herald(new Stack(new App()), 'Herald', { tenantClaim: 'tenant' })).toThrow(
      'needs an operator tenant (operatorTenant, HERALD_OPERATOR_TENANT)',
    )
  })

  it('leaves the account’s API Gateway logging role alone when told to', () => {
    const quiet = new Stack(new App())
    new Herald(quiet, 'Herald', { configureApiGatewayLogging: false })
    Template.fromStack(quiet).resourceCountIs('AWS::ApiGateway::Account', 0)
  })

  it('refuses contradictory or incomplete settings', () => {
    expect(() => new Herald(new Stack(new App()), 'Herald', { shards: 0 })).toThrow(
      'shards must be a positive integer',
    )
    expect(() => authFromContext({ 'herald:auth': 'oidc' })).toThrow('herald:jwksUrl and herald:issuer')
    expect(() => new Herald(new Stack(new App()), 'Herald', { deliveryWorkers: 1 })).toThrow('at least 2')
  })
})

const PUSH_CONTEXT = {
  'herald:vapidPublicKey': 'BPublicKeyOfTheOperator',
  'herald:vapidSecretArn': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:herald-vapid-AbCdEf',
  'herald:vapidSubject': 'mailto:oncall@example.com',
}

/** What a function's role may do, as synthesized: every statement of every policy on it. */
function statementsOf(stack: HeraldStack, t: Template, name: HeraldFunctionName) {
  const roleId = stack.getLogicalId(stack.herald.functions[name].role?.node.defaultChild as never)
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: unknown
          Resource: unknown
          Condition?: unknown
        }[],
    )
}

describe('Construct: Web Push', () => {
  const stack = new HeraldStack(new App(), 'Push', { context: PUSH_CONTEXT })
  const t = Template.fromStack(stack)
  const logicalId = (name: HeraldFunctionName) =>
    stack.getLogicalId(stack.herald.functions[name].node.defaultChild as never)

  it('lets only the push function read the VAPID private key, and only publishers start it', () => {
    const readsKey = (name: HeraldFunctionName) =>
      statementsOf(stack, t, name).some((statement) => JSON.stringify(statement).includes('herald-vapid'))
    expect(FUNCTION_SPECS.map(([name]) => name).filter(readsKey)).toEqual(['push'])
    const startsPush = (name: HeraldFunctionName) =>
      statementsOf(stack, t, name).some(
        (statement) =>
          statement.Action === 'lambda:InvokeFunction' &&
          JSON.stringify(statement.Resource).includes(logicalId('push')),
      )
    expect(
      FUNCTION_SPECS.map(([name]) => name)
        .filter(startsPush)
        .sort(),
    ).toEqual(['events', 'fanout', 'ingestLogs'])
  })

  it('points the fan-out at the push function and tells browsers the public key', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HERALD_PUSH_FUNCTION: { Ref: logicalId('push') } }) },
    })
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HERALD_VAPID_PUBLIC_KEY: 'BPublicKeyOfTheOperator',
          HERALD_VAPID_SUBJECT: 'mailto:oncall@example.com',
          HERALD_VAPID_SECRET_ARN: PUSH_CONTEXT['herald:vapidSecretArn'],
        }),
      },
    })
  })
})

const ESCALATION_CONTEXT = {
  'herald:escalationFrom': 'alerts@example.com',
  'herald:escalateAfterSeconds': '300',
  'herald:escalationLink': 'https://herald.example.com',
}

describe('Construct: e-mail escalation', () => {
  const stack = new HeraldStack(new App(), 'Escalating', { context: ESCALATION_CONTEXT })
  const t = Template.fromStack(stack)
  const names = FUNCTION_SPECS.map(([name]) => name)
  const granted = (action: string) =>
    names.filter((name) =>
      statementsOf(stack, t, name).some((statement) => [statement.Action].flat().includes(action)),
    )
  const escalation = stack.herald.escalation
  const groupId = stack.getLogicalId(escalation?.group as never)
  const roleId = stack.getLogicalId(escalation?.role.node.defaultChild as never)

  it('lets only the escalate function send e-mail, from the one address, verified as itself or its domain', () => {
    expect(granted('ses:SendEmail')).toEqual(['escalate'])
    const [send] = statementsOf(stack, t, 'escalate').filter(
      (statement) => statement.Action === 'ses:SendEmail',
    )
    expect(JSON.stringify(send?.Resource)).toMatch(/identity\/alerts@example\.com".*identity\/example\.com"/)
    expect(send?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'alerts@example.com' } })
  })

  it('lets only the publishing functions schedule, in Herald’s group, passing its role to the scheduler only', () => {
    expect(granted('scheduler:CreateSchedule').sort()).toEqual(['events', 'fanout', 'ingestLogs'])
    expect(granted('iam:PassRole').sort()).toEqual(['events', 'fanout', 'ingestLogs'])
    const fanout = statementsOf(stack, t, 'fanout')
    const create = fanout.find((statement) => statement.Action === 'scheduler:CreateSchedule')
    expect(JSON.stringify(create?.Resource)).toContain(':schedule/')
    expect(JSON.stringify(create?.Resource)).toContain(groupId)
    const pass = fanout.find((statement) => statement.Action === 'iam:PassRole')
    expect(pass?.Resource).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] })
    expect(pass?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } })
  })

  it('has the scheduler’s role, for this account’s schedules only, invoke the escalate function alone', () => {
    const role = t.findResources('AWS::IAM::Role')[roleId]
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ])
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId),
    )
    expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: {
          'Fn::GetAtt': [
            stack.getLogicalId(stack.herald.functions.escalate.node.defaultChild as never),
            'Arn',
          ],
        },
      }),
    ])
  })

  it('points the publishers at the schedules and the escalate function at its address, and alarms on dropped ones', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HERALD_ESCALATION_GROUP: { Ref: groupId },
          HERALD_ESCALATION_ROLE_ARN: { 'Fn::GetAtt': [roleId, 'Arn'] },
          HERALD_ESCALATE_AFTER_SECONDS: '300',
        }),
      },
    })
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HERALD_EMAIL_FROM: 'alerts@example.com',
          HERALD_EMAIL_LINK: 'https://herald.example.com',
        }),
      },
    })
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Scheduler',
      MetricName: 'InvocationDroppedCount',
      Dimensions: [{ Name: 'ScheduleGroup', Value: { Ref: groupId } }],
    })
  })

  it('refuses a from address that is not one', () => {
    expect(
      () => new Herald(new Stack(new App()), 'Herald', { escalation: { fromAddress: 'alerts' } }),
    ).toThrow('escalation.fromAddress must be an e-mail address')
  })
})

describe('cdk-nag (AwsSolutions)', () => {
  const nagged = (extra?: (stack: Stack) => void) => {
    const app = new App()
    const s = new HeraldStack(app, 'Nagged')
    extra?.(s)
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
    return () => app.synth()
  }

  it('reports nothing unacknowledged for the stack', () => {
    expect(nagged()).not.toThrow()
  })

  it('reports nothing unacknowledged with Web Push on', () => {
    const app = new App()
    new HeraldStack(app, 'Pushing', { context: PUSH_CONTEXT })
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
    expect(() => app.synth()).not.toThrow()
  })

  it('reports nothing unacknowledged with e-mail escalation on', () => {
    const app = new App()
    new HeraldStack(app, 'Escalating', { context: ESCALATION_CONTEXT })
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
    expect(() => app.synth()).not.toThrow()
  })

  it('stops synthesis on a finding nobody reviewed', () => {
    expect(nagged((s) => new Queue(s, 'Unreviewed'))).toThrow(/AwsSolutions-SQS[34]/)
  })
})
