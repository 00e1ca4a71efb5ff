import type { Duration, RemovalPolicy } from 'aws-cdk-lib'
import type { IKey } from 'aws-cdk-lib/aws-kms'
import type { ILogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager'
import type { AlarmRules } from '../shared/integrations/cloudwatch-alarm.js'
import type { EventMapping } from '../shared/integrations/event-mapping.js'
import type { Severity } from '../shared/protocol/notifications.js'

/** How browsers' tokens are checked at `$connect`. */
export type HeraldAuth =
  | {
      /** HS256 tokens signed with a shared secret kept in Secrets Manager. */
      readonly mode: 'secret'
      /** An existing secret (its SecretString is the signing key). @default a new 64-character secret */
      readonly secret?: ISecret
    }
  | {
      /** RS256 tokens from an OIDC issuer (Cognito, Auth0, Okta, …), verified against its JWKS. */
      readonly mode: 'oidc'
      readonly jwksUrl: string
      readonly issuer: string
      /** Required `aud`, when set. @default not checked */
      readonly audience?: string
    }

export interface HeraldProps {
  /** @default { mode: 'secret' } */
  readonly auth?: HeraldAuth
  /** @default 'prod' */
  readonly stageName?: string
  /** Steady-state requests per second across the stage's routes. @default 1000 */
  readonly throttleRateLimit?: number
  /** @default 2000 */
  readonly throttleBurstLimit?: number
  /** What happens to the tables, secret and logs when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays
  /** How long notifications can be resumed. @default Duration.hours(24) */
  readonly historyRetention?: Duration
  /** Shards per topic and log-filter partition; raise it, never lower it. @default 4 */
  readonly shards?: number
  /** A scope or group a token needs to read the log stream. @default any authenticated user */
  readonly logsClaim?: string
  /**
   * The claim holding the tenant (Cognito: `custom:tenant`). Set, the deployment is multi-tenant:
   * a token without it is refused, every audience is scoped to its tenant, and every publish names
   * one (`"*"` = all). @default single-tenant
   */
  readonly tenantClaim?: string
  /** The claim holding the groups; `cognito:groups` is read too. @default 'groups' */
  readonly groupsClaim?: string
  /**
   * Multi-tenant only, and then required: the tenant Herald's own alarms, streamed logs and
   * EventBridge events go to, or `"*"` for every tenant.
   */
  readonly operatorTenant?: string
  /** Browser origins allowed to connect. @default any origin */
  readonly allowedOrigins?: string[]
  /** Encrypts the topic with this key. @default SNS without KMS (TLS in transit is always enforced) */
  readonly topicKey?: IKey
  /** Posts in flight per delivering function instance. @default 100 */
  readonly deliveryConcurrency?: number
  /**
   * The account's Management API quota (API Gateway: 10,000 requests/s, burst 5,000), shared by
   * the delivery workers: each gets an equal share. Lower it if other APIs in the account post too.
   * @default { rate: 10000, burst: 5000 }
   */
  readonly deliveryBudget?: { readonly rate: number; readonly burst: number }
  /** Delivery workers at most (the SQS event source's maximum concurrency). @default 10 */
  readonly deliveryWorkers?: number
  /** Audiences larger than this go to the delivery workers; smaller ones are posted by the fan-out itself. @default 2000 */
  readonly fanOutBatchThreshold?: number
  /** Where alarms are also e-mailed. @default alarms go to the alarm topic only */
  readonly alarmEmail?: string
  /**
   * Sets the region's API Gateway CloudWatch role, without which a WebSocket stage with logging
   * fails to deploy. Turn it off where the account already manages that setting.
   * @default true
   */
  readonly configureApiGatewayLogging?: boolean
  /**
   * How CloudWatch alarms routed to Herald (`routeAlarms`) become alerts: severity by alarm name,
   * and which user an alarm goes to (by default, everyone on `alerts`).
   * @default ALARM is high, OK a resolved low alert, broadcast
   */
  readonly alarmRules?: AlarmRules
  /** Log groups whose lines stream to the LogStream (a subscription filter each). @default none */
  readonly logGroups?: ILogGroup[]
  /** The `environment` stamped on streamed log lines. @default none */
  readonly logEnvironment?: string
  /** Log events per second per source at most; the rest are counted and announced. @default 50 */
  readonly logRatePerSource?: number
  /** EventBridge events to show: one rule per mapping, turning matches into alerts, notices or upload status. @default none */
  readonly eventMappings?: EventMapping[]
  /**
   * Web Push to a user's browsers while none of their tabs is open (docs/architecture.md, Offline
   * delivery). Off unless given. Make the key pair with `npm run herald -- vapid`, keep the private
   * key as a secret's string value, and pass the public key as it is.
   */
  readonly push?: HeraldPush
  /**
   * E-mail to a user when a critical alert to them stays unread (docs/architecture.md, Offline
   * delivery), sent through SES from a verified identity. Off unless given.
   */
  readonly escalation?: HeraldEscalation
}

export interface HeraldEscalation {
  /**
   * The address escalations come from. SES must have it verified, as itself or through its domain;
   * the functions may send from it alone. Out of the SES sandbox, any user's address can receive.
   */
  readonly fromAddress: string
  /** How long a critical alert may stay unread before it is e-mailed. @default Duration.minutes(10) */
  readonly after?: Duration
  /** The token claim holding the user's address (an `email_verified` of false is refused). @default 'email' */
  readonly emailClaim?: string
  /** A link each e-mail offers, to the page where users read alerts. @default none */
  readonly link?: string
}

export interface HeraldPush {
  /** The VAPID public key (base64url): browsers subscribe with it. */
  readonly vapidPublicKey: string
  /** The secret whose string value is the VAPID private key (base64url). */
  readonly vapidPrivateKey: ISecret
  /** A `mailto:` or `https:` contact the push services may reach the operator at (RFC 8292). */
  readonly subject: string
  /** Hosts (or parent domains) a subscription may point at. @default Google's, Mozilla's, Apple's and Microsoft's push services */
  readonly allowedHosts?: string[]
  /** Alerts at or above it are pushed. @default 'high' */
  readonly minSeverity?: Severity
}
