import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib'
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway'
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2'
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import type { Alarm, AlarmBase } from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb'
import { Rule } from 'aws-cdk-lib/aws-events'
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets'
import { type IGrantable, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { IKey } from 'aws-cdk-lib/aws-kms'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import {
  FilterPattern,
  type ILogGroup,
  LogGroup,
  RetentionDays,
  SubscriptionFilter,
} from 'aws-cdk-lib/aws-logs'
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations'
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import {
  type ConnectionVerb,
  FUNCTION_SPECS,
  FUNCTIONS,
  type GrantTarget,
  type HeraldFunctionName,
} from '../functions/manifest.js'
import type { AlarmRules } from '../shared/integrations/cloudwatch-alarm.js'
import type { EventMapping } from '../shared/integrations/eventbridge.js'
import { withSmokeRoute } from '../shared/integrations/smoke.js'
import { CONNECTIONS_TABLE, HISTORY_TABLE, type TableDefinition } from '../shared/store/tables.js'
import { allowAlarmsToPublish } from './alarm-publishing.js'
import { HeraldFunction } from './herald-function.js'
import { HeraldMonitoring } from './monitoring.js'
import { acknowledgeReviewedFindings } from './nag-suppressions.js'
import { smokeAlarm, smokeAlarmName } from './smoke-alarm.js'

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
}

/**
 * All of Herald: the WebSocket API and its functions, the tables, the topic publishers send to,
 * the fan-out with its dead-letter queue, alarms and a dashboard. Embed it in any CDK app:
 *
 * @example
 * const herald = new Herald(this, 'Herald', { auth: { mode: 'oidc', jwksUrl, issuer } })
 * herald.grantPublish(myService)
 */
export class Herald extends Construct {
  readonly api: WebSocketApi
  readonly stage: WebSocketStage
  readonly connectionsTable: Table
  readonly historyTable: Table
  readonly topic: Topic
  readonly deadLetterQueue: Queue
  /** Publishes the fan-out refused, each with its reason, kept 14 days for `herald rejected`. */
  readonly rejectedQueue: Queue
  /** Batches of recipients from the fan-out planner to the delivery workers. */
  readonly deliveryQueue: Queue
  readonly tokenSecret: ISecret | undefined
  readonly publisherPolicy: ManagedPolicy
  readonly functions: Readonly<Record<HeraldFunctionName, HeraldFunction>>
  readonly monitoring: HeraldMonitoring
  /** The alarm `npm run smoke` sets, to prove alarms reach browsers through Herald's topic. */
  readonly smokeAlarm: Alarm
  /** `wss://…/{stage}`: what browsers connect to. */
  readonly webSocketUrl: string
  /** `https://…/{stage}`: the Management API endpoint. */
  readonly managementUrl: string

  constructor(scope: Construct, id: string, props: HeraldProps = {}) {
    super(scope, id)
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH
    const stageName = props.stageName ?? 'prod'
    const auth = props.auth ?? { mode: 'secret' }
    if (props.shards !== undefined && (!Number.isInteger(props.shards) || props.shards < 1)) {
      throw new Error('Herald: shards must be a positive integer')
    }

    this.connectionsTable = this.#table('Connections', CONNECTIONS_TABLE, removalPolicy)
    this.historyTable = this.#table('History', HISTORY_TABLE, removalPolicy)
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    })
    this.rejectedQueue = new Queue(this, 'RejectedQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    })
    this.topic = new Topic(this, 'Topic', { enforceSSL: true, masterKey: props.topicKey })
    // `routeAlarms` and the CloudWatch-alarms integration point alarm actions at this topic.
    allowAlarmsToPublish(this.topic, props.topicKey)
    this.smokeAlarm = smokeAlarm(this)
    this.routeAlarms(this.smokeAlarm)
    this.tokenSecret =
      auth.mode === 'secret'
        ? (auth.secret ??
          new Secret(this, 'TokenSecret', {
            description: 'Herald: HS256 key that signs browser tokens',
            generateSecretString: { passwordLength: 64, excludePunctuation: true },
            removalPolicy,
          }))
        : undefined

    const common = { logRetention, removalPolicy }
    const storeEnv = {
      HERALD_CONNECTIONS_TABLE: this.connectionsTable.tableName,
      HERALD_HISTORY_TABLE: this.historyTable.tableName,
      ...(props.shards ? { HERALD_SHARDS: String(props.shards) } : {}),
      HERALD_HISTORY_SECONDS: String((props.historyRetention ?? Duration.hours(24)).toSeconds()),
    }
    const authorizer = new HeraldFunction(this, 'Authorizer', {
      ...common,
      name: 'authorizer',
      timeout: Duration.seconds(5),
      environment: {
        ...(auth.mode === 'secret'
          ? { HERALD_JWT_SECRET_ARN: (this.tokenSecret as ISecret).secretArn }
          : {
              HERALD_JWKS_URL: auth.jwksUrl,
              HERALD_JWT_ISSUER: auth.issuer,
              ...(auth.audience ? { HERALD_JWT_AUDIENCE: auth.audience } : {}),
            }),
        ...(props.logsClaim ? { HERALD_LOGS_CLAIM: props.logsClaim } : {}),
        ...(props.allowedOrigins?.length ? { HERALD_ALLOWED_ORIGINS: props.allowedOrigins.join(',') } : {}),
      },
    })
    const welcome = new HeraldFunction(this, 'Welcome', {
      ...common,
      name: 'welcome',
      retryAttempts: FUNCTIONS.welcome.retryAttempts,
    })
    const connect = new HeraldFunction(this, 'Connect', {
      ...common,
      name: 'connect',
      environment: { ...storeEnv, HERALD_WELCOME_FUNCTION: welcome.functionName },
    })
    const disconnect = new HeraldFunction(this, 'Disconnect', {
      ...common,
      name: 'disconnect',
      environment: storeEnv,
    })
    const message = new HeraldFunction(this, 'Message', { ...common, name: 'message', environment: storeEnv })
    const workers = props.deliveryWorkers ?? 10
    const budget = props.deliveryBudget ?? { rate: 10_000, burst: 5_000 }
    if (workers < 2)
      throw new Error('Herald: deliveryWorkers must be at least 2 (the SQS event source minimum)')
    const deliveryTimeout = Duration.minutes(1)
    // AWS advises a visibility timeout of six times the consumer's timeout.
    this.deliveryQueue = new Queue(this, 'DeliveryQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      visibilityTimeout: Duration.seconds(deliveryTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
    })
    const deliveryEnv = {
      ...storeEnv,
      HERALD_DELIVERY_QUEUE_URL: this.deliveryQueue.queueUrl,
      ...(props.deliveryConcurrency
        ? { HERALD_DELIVERY_CONCURRENCY: String(props.deliveryConcurrency) }
        : {}),
    }
    const fanout = new HeraldFunction(this, 'Fanout', {
      ...common,
      name: 'fanout',
      memorySize: 1024,
      timeout: Duration.minutes(1),
      retryAttempts: FUNCTIONS.fanout.retryAttempts,
      onFailure: new SqsDestination(this.deadLetterQueue),
      environment: {
        ...deliveryEnv,
        HERALD_REJECTED_QUEUE_URL: this.rejectedQueue.queueUrl,
        ...(props.fanOutBatchThreshold
          ? { HERALD_FANOUT_BATCH_THRESHOLD: String(props.fanOutBatchThreshold) }
          : {}),
        HERALD_ALARM_RULES: JSON.stringify(withSmokeRoute(smokeAlarmName(this), props.alarmRules)),
      },
    })
    const deliver = new HeraldFunction(this, 'Deliver', {
      ...common,
      name: 'deliver',
      memorySize: 1024,
      timeout: deliveryTimeout,
      environment: {
        ...deliveryEnv,
        HERALD_DELIVERY_RATE: String(budget.rate / workers),
        HERALD_DELIVERY_BURST: String(Math.max(1, budget.burst / workers)),
      },
    })
    deliver.addEventSource(
      new SqsEventSource(this.deliveryQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: workers,
      }),
    )
    const ingestLogs = new HeraldFunction(this, 'IngestLogs', {
      ...common,
      name: 'ingest-logs',
      memorySize: 512,
      timeout: Duration.minutes(1),
      environment: {
        ...deliveryEnv,
        ...(props.logEnvironment ? { HERALD_LOG_ENVIRONMENT: props.logEnvironment } : {}),
        ...(props.logRatePerSource ? { HERALD_LOG_RATE_PER_SOURCE: String(props.logRatePerSource) } : {}),
      },
    })
    for (const [i, logGroup] of (props.logGroups ?? []).entries()) {
      new SubscriptionFilter(this, `LogSubscription${i}`, {
        logGroup,
        destination: new LambdaDestination(ingestLogs),
        filterPattern: FilterPattern.allEvents(),
      })
    }
    const events = new HeraldFunction(this, 'Events', {
      ...common,
      name: 'events',
      environment: { ...deliveryEnv, HERALD_EVENT_MAPPINGS: JSON.stringify(props.eventMappings ?? []) },
    })
    for (const [i, mapping] of (props.eventMappings ?? []).entries()) {
      new Rule(this, `EventRule${i}`, {
        description: `Herald: ${mapping.source} ${mapping.detailType ?? ''} as ${mapping.type}`.trim(),
        eventPattern: {
          source: [mapping.source],
          ...(mapping.detailType ? { detailType: [mapping.detailType] } : {}),
        },
        targets: [new LambdaFunction(events)],
      })
    }
    this.functions = {
      authorizer,
      connect,
      welcome,
      disconnect,
      message,
      fanout,
      deliver,
      ingestLogs,
      events,
    }

    this.api = new WebSocketApi(this, 'Api', {
      description: 'Herald real-time notifications',
      routeSelectionExpression: '$request.body.type',
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('Connect', connect),
        authorizer: new WebSocketLambdaAuthorizer('Authorizer', authorizer, {
          identitySource: ['route.request.querystring.token'],
        }),
      },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('Disconnect', disconnect) },
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Message', message) },
    })
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy })
    const account = props.configureApiGatewayLogging === false ? undefined : this.#apiGatewayAccount()
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName,
      autoDeploy: true,
      detailedMetricsEnabled: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 1000, burstLimit: props.throttleBurstLimit ?? 2000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The query string carries the token, so the access log never includes it.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            connectionId: '$context.connectionId',
            eventType: '$context.eventType',
            routeKey: '$context.routeKey',
            status: '$context.status',
            userId: '$context.authorizer.principalId',
            sourceIp: '$context.identity.sourceIp',
            error: '$context.error.message',
            integrationError: '$context.integration.error',
          }),
        ),
      },
    })
    if (account) this.stage.node.addDependency(account)
    this.webSocketUrl = this.stage.url
    this.managementUrl = this.stage.callbackUrl
    for (const fn of [welcome, message, fanout, deliver, ingestLogs, events])
      fn.addEnvironment('HERALD_MANAGEMENT_ENDPOINT', this.managementUrl)

    this.#grantWhatEachFunctionCalls()
    this.topic.addSubscription(new LambdaSubscription(fanout, { deadLetterQueue: this.deadLetterQueue }))

    this.publisherPolicy = new ManagedPolicy(this, 'PublisherPolicy', {
      description: 'Publish notifications to Herald',
      statements: [
        new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
        // SNS encrypts with the topic's key on the publisher's behalf.
        ...(props.topicKey
          ? [
              new PolicyStatement({
                actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
                resources: [props.topicKey.keyArn],
              }),
            ]
          : []),
      ],
    })

    this.monitoring = new HeraldMonitoring(this, 'Monitoring', {
      api: this.api,
      stage: this.stage,
      functions: Object.values(this.functions),
      fanout,
      deadLetterQueue: this.deadLetterQueue,
      rejectedQueue: this.rejectedQueue,
      alarmEmail: props.alarmEmail,
    })
    acknowledgeReviewedFindings(this)
  }

  /**
   * Least privilege from the manifest: each function gets exactly the calls its code makes, the
   * same list the local twin enforces.
   */
  #grantWhatEachFunctionCalls(): void {
    const arnOf: Record<Exclude<GrantTarget, 'connections' | 'history'>, string | undefined> = {
      deliveries: this.deliveryQueue.queueArn,
      rejected: this.rejectedQueue.queueArn,
      // The function itself only: grantInvoke would add its versions and aliases (`:*`).
      welcome: this.functions.welcome.functionArn,
      tokenSecret: this.tokenSecret?.secretArn,
    }
    const tables = { connections: this.connectionsTable, history: this.historyTable }
    for (const [name, { grants = {}, connectionVerbs }] of FUNCTION_SPECS) {
      const fn = this.functions[name]
      for (const [target, actions] of Object.entries(grants) as [GrantTarget, string[]][]) {
        if (target === 'connections' || target === 'history') {
          tables[target].grant(fn, ...actions)
          continue
        }
        const arn = arnOf[target]
        if (arn) fn.addToRolePolicy(new PolicyStatement({ actions, resources: [arn] }))
        if (target === 'tokenSecret') this.tokenSecret?.encryptionKey?.grantDecrypt(fn)
      }
      // Each Management API verb is its own resource: a DELETE under a POST-only grant gets 403.
      if (connectionVerbs)
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['execute-api:ManageConnections'],
            resources: connectionVerbs.map((verb) => this.connectionsArn(verb)),
          }),
        )
    }
  }

  /** The IAM resource of one Management API verb on this API's stage, for any connection. */
  connectionsArn(verb: ConnectionVerb): string {
    return Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${this.stage.stageName}/${verb}/@connections/*`,
    })
  }

  /** The account-level role API Gateway writes logs with (one per region, as RestApi's `cloudWatchRole`). */
  #apiGatewayAccount(): CfnAccount {
    const role = new Role(this, 'ApiGatewayLoggingRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    })
    // Kept on delete: other APIs in the region may log through the same account setting.
    role.applyRemovalPolicy(RemovalPolicy.RETAIN)
    return new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn })
  }

  /**
   * Shows these alarms in Herald: each state change (ALARM, and back to OK) becomes an alert.
   *
   * @example herald.routeAlarms(apiErrors, dbCpu)
   */
  routeAlarms(...alarms: AlarmBase[]): void {
    const action = new SnsAction(this.topic)
    for (const alarm of alarms) {
      alarm.addAlarmAction(action)
      alarm.addOkAction(action)
    }
  }

  /** Lets `grantee` publish notifications (and use the topic's key, if any). */
  grantPublish(grantee: IGrantable): void {
    this.topic.grantPublish(grantee)
  }

  #table(id: string, definition: TableDefinition, removalPolicy: RemovalPolicy): Table {
    return new Table(this, id, {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: definition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: definition.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    })
  }
}
