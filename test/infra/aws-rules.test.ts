import { App, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch'
import type { Role } from 'aws-cdk-lib/aws-iam'
import { Key } from 'aws-cdk-lib/aws-kms'
import { beforeAll, describe, expect, it } from 'vitest'
import { FUNCTION_SPECS } from '../../functions/manifest.js'
import { Herald } from '../../infra/herald.js'

// What AWS refuses that no local run would show: each assertion reads the synthesized template
// the way AWS evaluates it, following references rather than trusting a list of expectations.
type Resource = { Type: string; Properties: Record<string, unknown> }
type Statement = {
  Effect: string
  Principal?: { Service?: string | string[] }
  Action: string | string[]
  Resource?: unknown
  Condition?: Record<string, Record<string, unknown>>
}

let resources: Record<string, Resource>
let herald: Herald
let stack: Stack

beforeAll(() => {
  stack = new Stack(new App(), 'Rules', { env: { account: '123456789012', region: 'eu-west-1' } })
  herald = new Herald(stack, 'Herald', { topicKey: new Key(stack, 'TopicKey', { enableKeyRotation: true }) })
  // An application's own alarm, shown in Herald as an alert.
  herald.routeAlarms(
    new Alarm(stack, 'AppErrors', {
      metric: new Metric({ namespace: 'App', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    }),
  )
  resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>
})

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : ([value].flat() as T[]))
const refOf = (value: unknown): string | undefined => {
  const ref = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] }
  return ref?.Ref ?? ref?.['Fn::GetAtt']?.[0]
}
const allows = (statement: Statement, service: string, actions: string[]) =>
  statement.Effect === 'Allow' &&
  list(statement.Principal?.Service).includes(service) &&
  actions.every((action) => list(statement.Action).includes(action))

interface AlarmPath {
  alarm: string
  topic: string
  publish: Statement | undefined
  key?: { id: string; use: Statement | undefined }
}

/** Alarm → each action's topic → the topic's policies → the topic's key, as AWS resolves an alarm action. */
function alarmPaths(): AlarmPath[] {
  const paths: AlarmPath[] = []
  for (const [alarm, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Alarm') continue
    const { AlarmActions, OKActions, InsufficientDataActions } = resource.Properties
    for (const action of [...list(AlarmActions), ...list(OKActions), ...list(InsufficientDataActions)]) {
      const topic = refOf(action) as string
      expect(resources[topic]?.Type, `${alarm}'s action is a topic of this stack`).toBe('AWS::SNS::Topic')
      const statements = Object.values(resources)
        .filter(
          (r) =>
            r.Type === 'AWS::SNS::TopicPolicy' && list(r.Properties.Topics).some((t) => refOf(t) === topic),
        )
        .flatMap((r) => list((r.Properties.PolicyDocument as { Statement: Statement[] }).Statement))
      const keyId = refOf(resources[topic]?.Properties.KmsMasterKeyId)
      const keyStatements = keyId
        ? list(
            ((resources[keyId]?.Properties.KeyPolicy ?? { Statement: [] }) as { Statement: Statement[] })
              .Statement,
          )
        : []
      paths.push({
        alarm,
        topic,
        publish: statements.find((s) => allows(s, 'cloudwatch.amazonaws.com', ['sns:Publish'])),
        ...(keyId
          ? {
              key: {
                id: keyId,
                use: keyStatements.find((s) =>
                  allows(s, 'cloudwatch.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*']),
                ),
              },
            }
          : {}),
      })
    }
  }
  return paths
}

describe('AWS rules the template must meet', () => {
  it('every alarm action’s topic lets CloudWatch publish, only for this account’s alarms', () => {
    const paths = alarmPaths()
    // Herald's six alarms to the alarm topic, and the routed alarm's ALARM and OK actions to the main topic.
    expect(paths.length).toBeGreaterThanOrEqual(8)
    expect(new Set(paths.map((path) => path.topic)).size).toBe(2)
    for (const path of paths) {
      expect(path.publish, `${path.alarm} → ${path.topic}`).toBeDefined()
      expect(path.publish?.Condition?.StringEquals).toHaveProperty('aws:SourceAccount', '123456789012')
      expect(JSON.stringify(path.publish?.Condition?.ArnLike?.['aws:SourceArn'])).toContain(
        ':cloudwatch:eu-west-1:123456789012:alarm:*',
      )
    }
  })

  it('with topicKey set, the key lets CloudWatch encrypt what its alarms publish', () => {
    const encrypted = alarmPaths().filter((path) => path.key)
    expect(encrypted.length).toBeGreaterThan(0)
    for (const path of encrypted) {
      expect(path.key?.use, `${path.alarm} → ${path.topic} → ${path.key?.id}`).toBeDefined()
      expect(path.key?.use?.Condition?.StringEquals).toHaveProperty('aws:SourceAccount', '123456789012')
    }
  })

  it('grants each function exactly the Management API verbs it calls, each as its own resource', () => {
    for (const [name, { connectionVerbs: verbs = [] }] of FUNCTION_SPECS) {
      const role = stack.resolve((herald.functions[name].role as Role).roleName)
      const granted = Object.values(resources)
        .filter(
          (r) =>
            r.Type === 'AWS::IAM::Policy' &&
            list(r.Properties.Roles).some((each) => JSON.stringify(each) === JSON.stringify(role)),
        )
        .flatMap((r) => list((r.Properties.PolicyDocument as { Statement: Statement[] }).Statement))
        .filter((s) => list(s.Action).includes('execute-api:ManageConnections'))
        .flatMap((s) => list(s.Resource))
        .map((resource) => JSON.stringify(resource).match(/\/prod\/(\w+)\/@connections\/\*/)?.[1])
      expect(granted.sort(), name).toEqual([...verbs].sort())
    }
    // The message function closes abusive sockets: DELETE is its own grant, not implied by POST.
    expect(FUNCTION_SPECS.find(([name]) => name === 'message')?.[1].connectionVerbs).toContain('DELETE')
  })

  it('reserves no more concurrency than an account at Lambda’s default quota can set aside', () => {
    const reserved = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .reduce((sum, r) => sum + ((r.Properties.ReservedConcurrentExecutions as number | undefined) ?? 0), 0)
    // Lambda refuses a reservation leaving fewer than 100 of the account's 1,000 unreserved.
    expect(reserved).toBeGreaterThan(0)
    expect(reserved).toBeLessThanOrEqual(1000 - 100)
  })
})
