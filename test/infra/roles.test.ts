import { describe, expect, it } from 'vitest'
import type { Herald } from '../../infra/herald.js'
import { synthesizedStack } from '../support/synthesized-stack.js'

// Each role, read from the synthesized template: exactly the calls its function's code makes.
const synthesized = synthesizedStack()

/** Every action a function's role may take, with the logical ids its synthesized.resources point at. */
function permissionsOf(name: keyof Herald['functions']): Record<string, string[]> {
  const roleId = synthesized.stack.getLogicalId(
    synthesized.stack.herald.functions[name].role?.node.defaultChild as never,
  )
  const policies = Object.values(synthesized.resources).filter(
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

describe('Roles', () => {
  it.each([
    ['authorizer', { 'secretsmanager:GetSecretValue': ['secret'] }],
    [
      'connect',
      {
        'dynamodb:Query': ['connections'],
        'dynamodb:BatchWriteItem': ['connections'],
        // The user's address, when their token's is new.
        'dynamodb:PutItem': ['connections'],
        'lambda:InvokeFunction': ['welcome'],
      },
    ],
    [
      'welcome',
      {
        'dynamodb:UpdateItem': ['connections'],
        'dynamodb:GetItem': ['connections'],
        'dynamodb:Query': ['history'],
        'execute-api:ManageConnections': ['api'],
      },
    ],
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
        'dynamodb:PutItem': ['connections', 'history'],
        'dynamodb:UpdateItem': ['connections'],
        'dynamodb:Query': ['connections', 'history'],
        // A browser's push subscription, when it unsubscribes.
        'dynamodb:DeleteItem': ['connections'],
        'dynamodb:BatchWriteItem': ['history'],
        // A snooze keeps a copy of each notification it finds.
        'dynamodb:BatchGetItem': ['history'],
        // POST for answers, DELETE to close an abusive connection: two synthesized.resources.
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
    // Web Push is off in this stack: no key to read, and no function is granted to start it.
    [
      'push',
      {
        'dynamodb:Query': ['connections'],
        'dynamodb:GetItem': ['connections'],
        'dynamodb:DeleteItem': ['connections'],
      },
    ],
    // Escalation is off in this stack: no address to send from, so no SES grant.
    [
      'escalate',
      {
        'dynamodb:GetItem': ['connections'],
        'dynamodb:Query': ['history'],
        'dynamodb:BatchGetItem': ['history'],
        'dynamodb:PutItem': ['history'],
        'dynamodb:DeleteItem': ['history'],
        // Lambda's on-failure destination: a failed e-mail, after its retries, is kept for a replay.
        'sqs:SendMessage': ['dlq'],
        'sqs:GetQueueAttributes': ['dlq'],
        'sqs:GetQueueUrl': ['dlq'],
      },
    ],
  ] as const)('gives the %s function exactly the permissions its code uses', (name, expected) => {
    const ids: Record<string, string> = {
      secret: synthesized.logicalIdOf(synthesized.stack.herald.tokenSecret as never),
      connections: synthesized.logicalIdOf(synthesized.stack.herald.connectionsTable),
      history: synthesized.logicalIdOf(synthesized.stack.herald.historyTable),
      welcome: synthesized.logicalIdOf(synthesized.stack.herald.functions.welcome),
      api: synthesized.logicalIdOf(synthesized.stack.herald.api),
      dlq: synthesized.logicalIdOf(synthesized.stack.herald.deadLetterQueue),
      deliveries: synthesized.logicalIdOf(synthesized.stack.herald.deliveryQueue),
      rejected: synthesized.logicalIdOf(synthesized.stack.herald.rejectedQueue),
    }
    const own = synthesized.logicalIdOf(synthesized.stack.herald.functions[name]).replace(/[0-9A-F]{8}$/, '')
    const permissions = permissionsOf(name)
    const logs = Object.keys(synthesized.resources).find((id) => id.startsWith(`${own}Logs`)) as string

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

  it('limits ManageConnections to this API’s own stage, one resource per verb', () => {
    const statements = Object.values(synthesized.resources)
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
          { Ref: synthesized.logicalIdOf(synthesized.stack.herald.api) },
          `/prod/${verb}/@connections/*`,
        ],
      ],
    })

    expect(statements).toHaveLength(6)
    expect(statements.map((statement) => statement.Resource)).toEqual(
      expect.arrayContaining([arn('POST'), [arn('POST'), arn('DELETE')]] as unknown[]),
    )
    for (const statement of statements)
      expect([statement.Resource].flat()).toEqual(expect.arrayContaining([arn('POST')]))
  })

  it('offers publishers a managed policy that can only publish to the topic', () => {
    synthesized.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'sns:Publish',
            Effect: 'Allow',
            Resource: { Ref: synthesized.logicalIdOf(synthesized.stack.herald.topic) },
          },
        ],
      },
    })
  })
})
