/**
 * What each of Herald's functions is, declared once: the CDK construct builds roles and settings
 * from it, and the local twin runs the functions with the same settings.
 */

import {
  ABUSE,
  AUTH,
  DELIVERY,
  ESCALATION,
  PUSH_SUBSCRIPTIONS,
  type Resource,
  STORE,
  TENANCY,
  type Variable,
} from '../shared/runtime/variables.js'

/** A Management API verb; on AWS each is its own IAM resource (`{stage}/{verb}/@connections/*`). */
export type ConnectionVerb = 'POST' | 'GET' | 'DELETE'

/** What a function's role can be granted calls on (the Management API's are `connectionVerbs`). */
export type GrantTarget = Exclude<Resource, 'managementApi'>

/** Reads and writes that find, deliver to and clean up connections, for every function that fans out. */
const FIND_AND_CLEAN = [
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
]
const REMOVE_CONNECTIONS = ['dynamodb:GetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem']
const FANS_OUT = {
  connections: FIND_AND_CLEAN,
  history: ['dynamodb:PutItem'],
  deliveries: ['sqs:SendMessage'],
  // An alert for a user with no open tab starts the push function.
  push: ['lambda:InvokeFunction'],
  // A critical alert to a user schedules its escalation, run as the scheduler's role.
  schedules: ['scheduler:CreateSchedule'],
  schedulerRole: ['iam:PassRole'],
} as const
/** What every function that publishes reads: delivery, tenancy, and whether and what to push. */
const PUBLISHES: readonly Variable[] = [
  ...DELIVERY,
  ...TENANCY,
  'HERALD_PUSH_FUNCTION',
  'HERALD_PUSH_MIN_SEVERITY',
  ...ESCALATION,
]

/** What of the WebSocket API a function serves: one of its routes, or the `$connect` authorizer. */
export type ApiRoute = 'authorizer' | '$connect' | '$disconnect' | '$default'

/**
 * What invokes a function, besides another function calling it by name. The construct and the twin
 * each wire every kind once, for whichever entry declares it (docs/architecture.md, Adding a function):
 * - a part of the WebSocket API;
 * - `topic`: every publish to Herald's topic (an SNS subscription);
 * - `deliveryQueue`: the fan-out's batches of recipients (an SQS event source mapping);
 * - `logGroups`: the construct's `logGroups` (subscription filters; locally `herald ingest-logs`);
 * - `eventRules`: the construct's `eventMappings` (EventBridge rules; locally `herald put-events`);
 * - `schedules`: the one-time schedules the fan-out makes in Herald's schedule group (EventBridge
 *   Scheduler, through the role it passes them).
 */
export type Trigger = ApiRoute | 'topic' | 'deliveryQueue' | 'logGroups' | 'eventRules' | 'schedules'

export interface FunctionSpec {
  /** The module under `functions/`. */
  readonly entry: string
  /** What invokes it; the construct and the twin wire it from here. @default none: a function invokes it */
  readonly trigger?: Trigger
  /** Records per invocation from a queue trigger. @default SQS's own (10) */
  readonly batchSize?: number
  /** The environment variables its code reads (a test checks its bundle against this). */
  readonly env: readonly Variable[]
  /** @default DEFAULTS.memorySize (MB) */
  readonly memorySize?: number
  /** @default DEFAULTS.timeoutSeconds */
  readonly timeoutSeconds?: number
  /** A failed asynchronous invocation, after its retries, goes to the dead-letter queue. @default false */
  readonly deadLetters?: boolean
  /** It takes an equal share of the account's Management API quota (the delivery workers). @default false */
  readonly quotaShare?: boolean
  /** The Management API verbs its code calls. @default none */
  readonly connectionVerbs?: readonly ConnectionVerb[]
  /** Lambda's retries of a failed asynchronous invocation. @default 2, Lambda's own */
  readonly retryAttempts?: number
  /**
   * The most instances it runs at once, set aside for it alone: its reserved concurrency on AWS,
   * and the twin's limit on its instances. Beyond it Lambda throttles: a synchronous invocation is
   * refused (429), an asynchronous one waits in Lambda's queue. Reserve for a function clients can
   * drive so hard that it would take the concurrency the fan-out and the delivery workers need.
   * @default none: it shares the account's unreserved concurrency (1,000 by default) with the others
   */
  readonly reservedConcurrency?: number
  /**
   * Exactly the calls its code makes, by target: its role grants these and nothing else (besides
   * logging, tracing, and what its event source or destination needs), and the twin refuses the rest.
   */
  readonly grants?: Partial<Record<GrantTarget, readonly string[]>>
}

export const FUNCTIONS = {
  // Reads its HS256 key once per cold start, in `secret` mode.
  authorizer: {
    entry: 'authorizer',
    trigger: 'authorizer',
    env: AUTH,
    timeoutSeconds: 5,
    grants: { tokenSecret: ['secretsmanager:GetSecretValue'] },
  },
  // Counts the user's connections, writes the new one in one batch, then invokes welcome. PutItem:
  // the user's address, when their token's differs from the one remembered.
  connect: {
    entry: 'connect',
    trigger: '$connect',
    env: [...STORE, ...ABUSE, 'HERALD_WELCOME_FUNCTION'],
    grants: {
      connections: ['dynamodb:Query', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
      welcome: ['lambda:InvokeFunction'],
    },
  },
  // Best effort by design: after the socket is gone there is nobody to welcome. Query: the unread
  // count; UpdateItem: marking the welcomed connection open; GetItem: whether a socket answering 410
  // has left (then the welcome ends, instead of holding its instance for the 5 s opening deadline).
  // Its reserved concurrency keeps a reconnect storm from taking the account's: 100 keeps up with
  // API Gateway's 500 new connections/s (~50 ms a welcome, a little more for one that left); past
  // that, welcomes wait in Lambda's queue instead of starving the fan-out.
  welcome: {
    entry: 'welcome',
    env: [...STORE, 'HERALD_MANAGEMENT_ENDPOINT', 'HERALD_VAPID_PUBLIC_KEY'],
    connectionVerbs: ['POST'],
    retryAttempts: 0,
    reservedConcurrency: 100,
    grants: { connections: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], history: ['dynamodb:Query'] },
  },
  // A storm's disconnects wait in Lambda's queue past 100 at once (a gone connection's items are
  // only read in vain meanwhile) instead of taking the concurrency resumes and fan-outs need.
  disconnect: {
    entry: 'disconnect',
    trigger: '$disconnect',
    env: STORE,
    reservedConcurrency: 100,
    grants: { connections: REMOVE_CONNECTIONS },
  },
  // Answers with POST; closes an abusive connection with DELETE. UpdateItem: the rate limit's bucket.
  // Query on connections: a user's tabs for read_state; PutItem and BatchWriteItem on history: inbox marks.
  message: {
    entry: 'message',
    trigger: '$default',
    env: [
      ...STORE,
      ...ABUSE,
      'HERALD_MANAGEMENT_ENDPOINT',
      'HERALD_MAX_CLIENT_MESSAGE_BYTES',
      'HERALD_RESUME_LIMIT',
      ...PUSH_SUBSCRIPTIONS,
    ],
    connectionVerbs: ['POST', 'DELETE'],
    grants: {
      // DeleteItem: a browser's push subscription, when it unsubscribes.
      connections: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
        'dynamodb:DeleteItem',
      ],
      history: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem'],
    },
  },
  fanout: {
    entry: 'fanout',
    trigger: 'topic',
    env: [...PUBLISHES, 'HERALD_REJECTED_QUEUE_URL', 'HERALD_ALARM_RULES'],
    memorySize: 1024,
    timeoutSeconds: 60,
    connectionVerbs: ['POST'],
    retryAttempts: 2,
    deadLetters: true,
    // Set aside, so a reconnect storm's disconnects, resumes and handshakes cannot leave
    // notifications waiting in Lambda's queue; 200 fan-outs at once is far past a steady load.
    reservedConcurrency: 200,
    grants: { ...FANS_OUT, rejected: ['sqs:SendMessage'] },
  },
  // Invoked by the fan-out, asynchronously, for an alert whose user has no open tab: it can take
  // its time with slow push services without holding a fan-out. Query and DeleteItem: the user's
  // subscriptions, a gone one deleted; GetItem: their preferences.
  push: {
    entry: 'push',
    env: [
      ...STORE,
      'HERALD_PUSH_MIN_SEVERITY',
      'HERALD_VAPID_PUBLIC_KEY',
      'HERALD_VAPID_SECRET_ARN',
      'HERALD_VAPID_SUBJECT',
    ],
    timeoutSeconds: 30,
    grants: {
      connections: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
      vapidKey: ['secretsmanager:GetSecretValue'],
    },
  },
  // Invoked by the one-time schedule a critical alert's fan-out made, once the wait is over. GetItem:
  // the user's preferences and address; on history, Query: the marks and a thread's newer
  // notifications, BatchGetItem: the alert, PutItem and DeleteItem: the claim on its one e-mail.
  escalate: {
    entry: 'escalate',
    trigger: 'schedules',
    env: [...STORE, 'HERALD_EMAIL_FROM', 'HERALD_EMAIL_LINK'],
    timeoutSeconds: 30,
    deadLetters: true,
    grants: {
      connections: ['dynamodb:GetItem'],
      history: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      emailIdentity: ['ses:SendEmail'],
    },
  },
  deliver: {
    entry: 'deliver',
    trigger: 'deliveryQueue',
    batchSize: 10,
    env: DELIVERY,
    memorySize: 1024,
    timeoutSeconds: 60,
    quotaShare: true,
    connectionVerbs: ['POST'],
    grants: { connections: REMOVE_CONNECTIONS, deliveries: ['sqs:SendMessage'] },
  },
  ingestLogs: {
    entry: 'ingest-logs',
    trigger: 'logGroups',
    env: [...PUBLISHES, 'HERALD_LOG_RATE_PER_SOURCE', 'HERALD_LOG_ENVIRONMENT'],
    memorySize: 512,
    timeoutSeconds: 60,
    connectionVerbs: ['POST'],
    grants: FANS_OUT,
  },
  events: {
    entry: 'events',
    trigger: 'eventRules',
    env: [...PUBLISHES, 'HERALD_EVENT_MAPPINGS'],
    connectionVerbs: ['POST'],
    grants: FANS_OUT,
  },
} as const satisfies Record<string, FunctionSpec>

/** The construct's names for the functions (`herald.functions.<name>`). */
export type HeraldFunctionName = keyof typeof FUNCTIONS

/** The functions and their specs, typed for iteration. */
export const FUNCTION_SPECS = Object.entries(FUNCTIONS) as [HeraldFunctionName, FunctionSpec][]

/** The entry of the function `trigger` invokes. */
export const specOf = (trigger: Trigger): FunctionSpec => FUNCTIONS[functionOf(trigger)]

/** The function `trigger` invokes: exactly one manifest entry declares each. */
export function functionOf(trigger: Trigger): HeraldFunctionName {
  const serving = FUNCTION_SPECS.filter(([, spec]) => spec.trigger === trigger)
  if (serving.length !== 1)
    throw new Error(`${serving.length} functions have the trigger ${trigger}; the manifest needs exactly one`)
  return (serving[0] as [HeraldFunctionName, FunctionSpec])[0]
}
