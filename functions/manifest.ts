/**
 * What each of Herald's functions is, declared once: the CDK construct builds roles and settings
 * from it, and the local twin runs the functions with the same settings.
 */

/** A Management API verb; on AWS each is its own IAM resource (`{stage}/{verb}/@connections/*`). */
export type ConnectionVerb = 'POST' | 'GET' | 'DELETE'

/** What a function's role can be granted calls on. */
export type GrantTarget = 'connections' | 'history' | 'deliveries' | 'rejected' | 'welcome' | 'tokenSecret'

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
} as const

export interface FunctionSpec {
  /** The module under `functions/`. */
  readonly entry: string
  /** The Management API verbs its code calls. @default none */
  readonly connectionVerbs?: readonly ConnectionVerb[]
  /** Lambda's retries of a failed asynchronous invocation. @default 2, Lambda's own */
  readonly retryAttempts?: number
  /**
   * Exactly the calls its code makes, by target: its role grants these and nothing else (besides
   * logging, tracing, and what its event source or destination needs), and the twin refuses the rest.
   */
  readonly grants?: Partial<Record<GrantTarget, readonly string[]>>
}

export const FUNCTIONS = {
  // Reads its HS256 key once per cold start, in `secret` mode.
  authorizer: { entry: 'authorizer', grants: { tokenSecret: ['secretsmanager:GetSecretValue'] } },
  // Counts the user's connections, writes the new one in one batch, then invokes welcome.
  connect: {
    entry: 'connect',
    grants: {
      connections: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
      welcome: ['lambda:InvokeFunction'],
    },
  },
  // Best effort by design: after the socket is gone there is nobody to welcome.
  welcome: { entry: 'welcome', connectionVerbs: ['POST'], retryAttempts: 0 },
  disconnect: { entry: 'disconnect', grants: { connections: REMOVE_CONNECTIONS } },
  // Answers with POST; closes an abusive connection with DELETE. UpdateItem: the rate limit's counter.
  message: {
    entry: 'message',
    connectionVerbs: ['POST', 'DELETE'],
    grants: {
      connections: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      history: ['dynamodb:Query'],
    },
  },
  fanout: {
    entry: 'fanout',
    connectionVerbs: ['POST'],
    retryAttempts: 2,
    grants: { ...FANS_OUT, rejected: ['sqs:SendMessage'] },
  },
  deliver: {
    entry: 'deliver',
    connectionVerbs: ['POST'],
    grants: { connections: REMOVE_CONNECTIONS, deliveries: ['sqs:SendMessage'] },
  },
  ingestLogs: { entry: 'ingest-logs', connectionVerbs: ['POST'], grants: FANS_OUT },
  events: { entry: 'events', connectionVerbs: ['POST'], grants: FANS_OUT },
} as const satisfies Record<string, FunctionSpec>

/** The construct's names for the functions (`herald.functions.<name>`). */
export type HeraldFunctionName = keyof typeof FUNCTIONS

/** The functions and their specs, typed for iteration. */
export const FUNCTION_SPECS = Object.entries(FUNCTIONS) as [HeraldFunctionName, FunctionSpec][]
