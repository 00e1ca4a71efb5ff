import { DEFAULTS } from '../defaults.js'

/**
 * Herald's own resources a function is pointed at or granted calls on. The construct and the twin
 * each say what theirs are called (`resourceVariables`) and what their ARNs are (the roles).
 */
export type Resource =
  | 'connections'
  | 'history'
  | 'deliveries'
  | 'rejected'
  | 'welcome'
  | 'tokenSecret'
  | 'managementApi'
  | 'push'
  | 'vapidKey'
  | 'escalate'
  | 'schedules'
  | 'schedulerRole'
  | 'emailIdentity'

/**
 * Every environment variable a Herald function reads, declared once: what it means and its
 * default. The manifest says which function reads which; the construct and the local stack set
 * them from it, and a test fails when a function's bundle reads one its entry does not declare.
 */
export const VARIABLES = {
  HERALD_CONNECTIONS_TABLE: { doc: 'the connections table', resource: 'connections' },
  HERALD_HISTORY_TABLE: { doc: 'the history table', resource: 'history' },
  HERALD_SHARDS: {
    default: `${DEFAULTS.shards}`,
    doc: 'shards per topic and filter partition (raise it, never lower it)',
  },
  HERALD_HISTORY_SECONDS: {
    default: `${DEFAULTS.historySeconds}`,
    doc: 'how long notifications can be resumed',
  },
  HERALD_MANAGEMENT_ENDPOINT: { doc: 'the stage’s Management API URL', resource: 'managementApi' },
  HERALD_WELCOME_FUNCTION: { doc: 'the welcome function’s name', resource: 'welcome' },
  HERALD_JWT_SECRET_ARN: { doc: 'the HS256 key’s secret (secret mode)', resource: 'tokenSecret' },
  HERALD_JWT_SECRET: { doc: 'the HS256 key itself (local stack, simple deployments)' },
  HERALD_JWKS_URL: { doc: 'the OIDC issuer’s JWKS (oidc mode)' },
  HERALD_JWT_ISSUER: { doc: 'the required iss' },
  HERALD_JWT_AUDIENCE: { doc: 'the required aud' },
  HERALD_JWT_ALGORITHMS: { doc: 'accepted algorithms, comma-separated' },
  HERALD_LOGS_CLAIM: { doc: 'a scope or group needed to read logs; unset: any user' },
  HERALD_ALLOWED_ORIGINS: { doc: 'comma-separated Origin allow-list; unset: any origin' },
  HERALD_TENANT_CLAIM: { doc: 'the claim holding the tenant; set: multi-tenant, unset: single-tenant' },
  HERALD_GROUPS_CLAIM: {
    default: DEFAULTS.groupsClaim,
    doc: 'the claim holding the groups (cognito:groups is read too)',
  },
  HERALD_EMAIL_CLAIM: {
    default: DEFAULTS.emailClaim,
    doc: 'the claim holding the address escalations are e-mailed to',
  },
  HERALD_OPERATOR_TENANT: {
    doc: 'multi-tenant: where alarms, streamed logs and events go ("*" = every tenant)',
  },
  HERALD_MAX_MESSAGES_PER_SECOND: {
    default: `${DEFAULTS.messagesPerSecond}`,
    doc: 'frames a connection may send per second, sustained',
  },
  HERALD_MESSAGE_BURST: { doc: 'frames a quiet connection may send at once; default twice the rate' },
  HERALD_MAX_CONNECTIONS_PER_USER: {
    default: `${DEFAULTS.connectionsPerUser}`,
    doc: 'live connections one user may hold',
  },
  HERALD_MAX_CLIENT_MESSAGE_BYTES: {
    default: `${DEFAULTS.maxClientMessageBytes}`,
    doc: 'client frame limit',
  },
  HERALD_RESUME_LIMIT: { default: `${DEFAULTS.resumeLimit}`, doc: 'notifications per resume' },
  HERALD_DELIVERY_CONCURRENCY: { default: `${DEFAULTS.deliveryConcurrency}`, doc: 'posts in flight' },
  HERALD_DELIVERY_DEADLINE_MS: {
    default: `${DEFAULTS.deliveryDeadlineMs}`,
    doc: 'retry deadline of a delivery',
  },
  HERALD_DELIVERY_QUEUE_URL: {
    doc: 'the delivery workers’ queue; unset: every audience inline',
    resource: 'deliveries',
  },
  HERALD_FANOUT_BATCH_THRESHOLD: {
    default: `${DEFAULTS.fanoutBatchThreshold}`,
    doc: 'audiences larger than this go to the workers',
  },
  HERALD_FANOUT_BATCH_SIZE: { default: `${DEFAULTS.fanoutBatchSize}`, doc: 'recipients per worker batch' },
  HERALD_DELIVERY_MAX_ATTEMPTS: {
    default: `${DEFAULTS.deliveryMaxAttempts}`,
    doc: 'tries per recipient before a batch is dead-lettered',
  },
  HERALD_DELIVERY_RATE: { doc: 'this worker’s share of the Management API quota, per second' },
  HERALD_DELIVERY_BURST: { doc: 'this worker’s burst; default half its rate' },
  HERALD_REJECTED_QUEUE_URL: {
    doc: 'where refused publishes are kept; unset: only logged and counted',
    resource: 'rejected',
  },
  HERALD_ALARM_RULES: { doc: 'CloudWatch alarm severity and routing rules, JSON' },
  HERALD_LOG_RATE_PER_SOURCE: {
    default: `${DEFAULTS.logRatePerSource}`,
    doc: 'streamed log events per second per source',
  },
  HERALD_LOG_ENVIRONMENT: { doc: 'the environment stamped on streamed log lines' },
  HERALD_EVENT_MAPPINGS: { default: '[]', doc: 'EventBridge mappings, JSON' },
  HERALD_PUSH_FUNCTION: { doc: 'the push function’s name; unset: Web Push is off', resource: 'push' },
  HERALD_PUSH_MIN_SEVERITY: {
    default: DEFAULTS.pushMinSeverity,
    doc: 'alerts at or above it are pushed to a user with no open tab',
  },
  HERALD_PUSH_HOSTS: {
    doc: 'push services a subscription may point at, comma-separated; default the known four',
  },
  HERALD_PUSH_ALLOW_LOOPBACK: { doc: 'the local stack only: accept http://127.0.0.1 endpoints' },
  HERALD_VAPID_PUBLIC_KEY: { doc: 'the VAPID public key browsers subscribe with; unset: Web Push is off' },
  HERALD_VAPID_SECRET_ARN: { doc: 'the secret holding the VAPID private key', resource: 'vapidKey' },
  HERALD_VAPID_SUBJECT: { doc: 'the mailto: or https: contact sent to push services' },
  HERALD_ESCALATE_FUNCTION_ARN: {
    doc: 'the function escalation schedules invoke; unset: e-mail escalation is off',
    resource: 'escalate',
  },
  HERALD_ESCALATION_GROUP: { doc: 'the schedule group escalations wait in', resource: 'schedules' },
  HERALD_ESCALATION_ROLE_ARN: {
    doc: 'the role the scheduler invokes the escalate function with',
    resource: 'schedulerRole',
  },
  HERALD_ESCALATE_AFTER_SECONDS: {
    default: `${DEFAULTS.escalateAfterSeconds}`,
    doc: 'how long a critical alert may stay unread before it is e-mailed',
  },
  HERALD_EMAIL_FROM: { doc: 'the verified SES address escalations are sent from' },
  HERALD_EMAIL_LINK: { doc: 'a link each escalation e-mail offers (the dashboard); unset: none' },
} as const satisfies Record<string, { doc: string; default?: string; resource?: Resource }>

export type Variable = keyof typeof VARIABLES

/**
 * The variables that point a function at one of Herald's resources, from what each resource is
 * called where it runs (a table's name, a queue's URL, a function's name, a secret's ARN).
 */
export function resourceVariables(
  names: Record<Resource, string | undefined>,
): Partial<Record<Variable, string>> {
  const values: Partial<Record<Variable, string>> = {}
  for (const [variable, spec] of Object.entries(VARIABLES) as [Variable, { resource?: Resource }][])
    if (spec.resource) values[variable] = names[spec.resource]
  return values
}

/** What every function that touches the tables reads. */
export const STORE: readonly Variable[] = [
  'HERALD_CONNECTIONS_TABLE',
  'HERALD_HISTORY_TABLE',
  'HERALD_SHARDS',
  'HERALD_HISTORY_SECONDS',
]

/** What every function that delivers reads: the stores, the Management API, the workers' settings. */
export const DELIVERY: readonly Variable[] = [
  ...STORE,
  'HERALD_MANAGEMENT_ENDPOINT',
  'HERALD_DELIVERY_CONCURRENCY',
  'HERALD_DELIVERY_DEADLINE_MS',
  'HERALD_DELIVERY_QUEUE_URL',
  'HERALD_FANOUT_BATCH_THRESHOLD',
  'HERALD_FANOUT_BATCH_SIZE',
  'HERALD_DELIVERY_MAX_ATTEMPTS',
  'HERALD_DELIVERY_RATE',
  'HERALD_DELIVERY_BURST',
]

/** The abuse limits, which the connect and message functions read together. */
export const ABUSE: readonly Variable[] = [
  'HERALD_MAX_MESSAGES_PER_SECOND',
  'HERALD_MESSAGE_BURST',
  'HERALD_MAX_CONNECTIONS_PER_USER',
]

export const AUTH: readonly Variable[] = [
  'HERALD_JWT_SECRET_ARN',
  'HERALD_JWT_SECRET',
  'HERALD_JWKS_URL',
  'HERALD_JWT_ISSUER',
  'HERALD_JWT_AUDIENCE',
  'HERALD_JWT_ALGORITHMS',
  'HERALD_LOGS_CLAIM',
  'HERALD_ALLOWED_ORIGINS',
  'HERALD_TENANT_CLAIM',
  'HERALD_GROUPS_CLAIM',
  'HERALD_EMAIL_CLAIM',
]

/** Where Web Push is on: who may subscribe where, and the key browsers subscribe with. */
export const PUSH_SUBSCRIPTIONS: readonly Variable[] = [
  'HERALD_VAPID_PUBLIC_KEY',
  'HERALD_PUSH_HOSTS',
  'HERALD_PUSH_ALLOW_LOOPBACK',
]

/** Where e-mail escalation is on: what a publishing function needs to schedule one. */
export const ESCALATION: readonly Variable[] = [
  'HERALD_ESCALATE_FUNCTION_ARN',
  'HERALD_ESCALATION_GROUP',
  'HERALD_ESCALATION_ROLE_ARN',
  'HERALD_ESCALATE_AFTER_SECONDS',
]

/** What every function that publishes reads: whether publishes need a tenant, and its own tenant. */
export const TENANCY: readonly Variable[] = ['HERALD_TENANT_CLAIM', 'HERALD_OPERATOR_TENANT']
