/**
 * What each of Herald's functions is, declared once: the CDK construct builds roles and settings
 * from it, and the local twin runs the functions with the same settings.
 */

/** A Management API verb; on AWS each is its own IAM resource (`{stage}/{verb}/@connections/*`). */
export type ConnectionVerb = 'POST' | 'GET' | 'DELETE'

export interface FunctionSpec {
  /** The module under `functions/`. */
  readonly entry: string
  /** The Management API verbs its code calls. @default none */
  readonly connectionVerbs?: readonly ConnectionVerb[]
  /** Lambda's retries of a failed asynchronous invocation. @default 2, Lambda's own */
  readonly retryAttempts?: number
}

export const FUNCTIONS = {
  authorizer: { entry: 'authorizer' },
  connect: { entry: 'connect' },
  // Best effort by design: after the socket is gone there is nobody to welcome.
  welcome: { entry: 'welcome', connectionVerbs: ['POST'], retryAttempts: 0 },
  disconnect: { entry: 'disconnect' },
  // Answers with POST; closes an abusive connection with DELETE.
  message: { entry: 'message', connectionVerbs: ['POST', 'DELETE'] },
  fanout: { entry: 'fanout', connectionVerbs: ['POST'], retryAttempts: 2 },
  deliver: { entry: 'deliver', connectionVerbs: ['POST'] },
  ingestLogs: { entry: 'ingest-logs', connectionVerbs: ['POST'] },
  events: { entry: 'events', connectionVerbs: ['POST'] },
} as const satisfies Record<string, FunctionSpec>

/** The construct's names for the functions (`herald.functions.<name>`). */
export type HeraldFunctionName = keyof typeof FUNCTIONS

/** The functions and their specs, typed for iteration. */
export const FUNCTION_SPECS = Object.entries(FUNCTIONS) as [HeraldFunctionName, FunctionSpec][]
