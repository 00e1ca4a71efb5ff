import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib'
import type { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2'
import type { Alarm, AlarmBase } from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb'
import { Rule } from 'aws-cdk-lib/aws-events'
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets'
import { type IGrantable, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import { FilterPattern, RetentionDays, SubscriptionFilter } from 'aws-cdk-lib/aws-logs'
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations'
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler'
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import {
  type ConnectionVerb,
  FUNCTION_SPECS,
  type GrantTarget,
  type HeraldFunctionName,
  specOf,
} from '../functions/manifest.js'
import { DEFAULTS } from '../shared/defaults.js'
import { ConfigError } from '../shared/errors.js'
import { checkTenancy } from '../shared/runtime/config.js'
import { CONNECTIONS_TABLE, HISTORY_TABLE, type TableDefinition } from '../shared/store/tables.js'
import { allowAlarmsToPublish } from './alarm-publishing.js'
import { heraldApi } from './herald-api.js'
import { environmentValues, workersOf, workerValues } from './herald-environment.js'
import { HeraldFunction } from './herald-function.js'
import type { HeraldProps } from './herald-props.js'
import { HeraldMonitoring } from './monitoring.js'
import { acknowledgeReviewedFindings } from './nag-suppressions.js'
import { smokeAlarm } from './smoke-alarm.js'

export type { HeraldAuth, HeraldProps } from './herald-props.js'

const capitalized = (name: string): string => name[0]?.toUpperCase() + name.slice(1)

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
  /**
   * Where escalation is on: the schedule group critical alerts wait in, and the role EventBridge
   * Scheduler invokes the escalate function with.
   */
  readonly escalation: { group: CfnScheduleGroup; role: Role; schedulesArn: string } | undefined
  /** `wss://…/{stage}`: what browsers connect to. */
  readonly webSocketUrl: string
  /** `https://…/{stage}`: the Management API endpoint. */
  readonly managementUrl: string

  constructor(scope: Construct, id: string, props: HeraldProps = {}) {
    super(scope, id)
    validate(props)
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH

    this.connectionsTable = this.#table('Connections', CONNECTIONS_TABLE, removalPolicy)
    this.historyTable = this.#table('History', HISTORY_TABLE, removalPolicy)
    this.deadLetterQueue = this.#queue('DeadLetterQueue', { retentionPeriod: Duration.days(14) })
    this.rejectedQueue = this.#queue('RejectedQueue', { retentionPeriod: Duration.days(14) })
    const consumer = specOf('deliveryQueue')
    // AWS advises a visibility timeout of six times the consumer's timeout.
    this.deliveryQueue = this.#queue('DeliveryQueue', {
      visibilityTimeout: Duration.seconds((consumer.timeoutSeconds ?? DEFAULTS.timeoutSeconds) * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
    })
    this.topic = new Topic(this, 'Topic', { enforceSSL: true, masterKey: props.topicKey })
    // `routeAlarms` and the CloudWatch-alarms integration point alarm actions at this topic.
    allowAlarmsToPublish(this.topic, props.topicKey)
    this.smokeAlarm = smokeAlarm(this)
    this.routeAlarms(this.smokeAlarm)
    this.tokenSecret = this.#tokenSecret(props, removalPolicy)

    this.functions = this.#createFunctions({ logRetention, removalPolicy })
    this.escalation = props.escalation ? this.#escalationSchedules() : undefined
    const { api, stage } = heraldApi(this, this.functions, props, { retention: logRetention, removalPolicy })
    this.api = api
    this.stage = stage
    this.webSocketUrl = stage.url
    this.managementUrl = stage.callbackUrl
    this.#setEnvironment(props)
    this.#grantWhatEachFunctionCalls(props)
    this.#connectTriggers(props)

    this.publisherPolicy = this.#publisherPolicy(props)
    this.monitoring = new HeraldMonitoring(this, 'Monitoring', {
      api: this.api,
      stage: this.stage,
      functions: Object.values(this.functions),
      fanout: this.functions.fanout,
      deadLetterQueue: this.deadLetterQueue,
      rejectedQueue: this.rejectedQueue,
      escalationGroup: this.escalation?.group.ref,
      alarmEmail: props.alarmEmail,
    })
    acknowledgeReviewedFindings(this)
  }

  /**
   * One function per manifest entry, with the memory, timeout, retries and reserved concurrency it
   * declares (the twin runs each with the same).
   */
  #createFunctions(common: {
    logRetention: RetentionDays
    removalPolicy: RemovalPolicy
  }): Record<HeraldFunctionName, HeraldFunction> {
    const entries = FUNCTION_SPECS.map(([name, spec]) => [
      name,
      new HeraldFunction(this, capitalized(name), {
        ...common,
        name: spec.entry,
        memorySize: spec.memorySize,
        timeout: spec.timeoutSeconds ? Duration.seconds(spec.timeoutSeconds) : undefined,
        retryAttempts: spec.retryAttempts,
        reservedConcurrentExecutions: spec.reservedConcurrency,
        onFailure: spec.deadLetters ? new SqsDestination(this.deadLetterQueue) : undefined,
      }),
    ])
    return Object.fromEntries(entries) as Record<HeraldFunctionName, HeraldFunction>
  }

  /** Each function gets the variables its manifest entry reads, and no other. */
  #setEnvironment(props: HeraldProps): void {
    const values = environmentValues(this, props)
    for (const [name, spec] of FUNCTION_SPECS) {
      const own = spec.quotaShare ? { ...values, ...workerValues(props) } : values
      for (const variable of spec.env) {
        const value = own[variable]
        if (value !== undefined) this.functions[name].addEnvironment(variable, value)
      }
    }
  }

  /**
   * Least privilege from the manifest: each function gets exactly the calls its code makes, the
   * same list the local twin enforces.
   */
  #grantWhatEachFunctionCalls(props: HeraldProps): void {
    const arnOf: Record<Exclude<GrantTarget, 'connections' | 'history'>, string | string[] | undefined> = {
      deliveries: this.deliveryQueue.queueArn,
      rejected: this.rejectedQueue.queueArn,
      // The function itself only: grantInvoke would add its versions and aliases (`:*`).
      welcome: this.functions.welcome.functionArn,
      tokenSecret: this.tokenSecret?.secretArn,
      push: props.push ? this.functions.push.functionArn : undefined,
      vapidKey: props.push?.vapidPrivateKey.secretArn,
      escalate: this.escalation && this.functions.escalate.functionArn,
      schedules: this.escalation?.schedulesArn,
      schedulerRole: this.escalation?.role.roleArn,
      emailIdentity: props.escalation && emailIdentityArns(this, props.escalation.fromAddress),
    }
    // Narrower still: the role only handed to the scheduler, and mail only from the one address.
    const conditionsOf: Partial<Record<GrantTarget, Record<string, unknown>>> = {
      schedulerRole: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      emailIdentity: { StringEquals: { 'ses:FromAddress': props.escalation?.fromAddress } },
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
        if (arn)
          fn.addToRolePolicy(
            new PolicyStatement({ actions, resources: [arn].flat(), conditions: conditionsOf[target] }),
          )
        if (target === 'tokenSecret') this.tokenSecret?.encryptionKey?.grantDecrypt(fn)
        if (target === 'vapidKey') props.push?.vapidPrivateKey.encryptionKey?.grantDecrypt(fn)
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

  /**
   * What invokes each function besides the API (whose routes `heraldApi` wires): its manifest
   * entry's trigger. Each kind is wired here once, for whichever entry declares it.
   */
  #connectTriggers(props: HeraldProps): void {
    for (const [name, { trigger, batchSize }] of FUNCTION_SPECS) {
      const fn = this.functions[name]
      if (trigger === 'topic')
        this.topic.addSubscription(new LambdaSubscription(fn, { deadLetterQueue: this.deadLetterQueue }))
      if (trigger === 'deliveryQueue')
        fn.addEventSource(
          new SqsEventSource(this.deliveryQueue, {
            batchSize,
            reportBatchItemFailures: true,
            maxConcurrency: workersOf(props),
          }),
        )
      if (trigger === 'logGroups')
        for (const [i, logGroup] of (props.logGroups ?? []).entries())
          new SubscriptionFilter(this, `LogSubscription${i}`, {
            logGroup,
            destination: new LambdaDestination(fn),
            filterPattern: FilterPattern.allEvents(),
          })
      if (trigger === 'schedules')
        this.escalation?.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
        )
      if (trigger === 'eventRules')
        for (const [i, mapping] of (props.eventMappings ?? []).entries())
          new Rule(this, `EventRule${i}`, {
            description: `Herald: ${mapping.source} ${mapping.detailType ?? ''} as ${mapping.type}`.trim(),
            eventPattern: {
              source: [mapping.source],
              ...(mapping.detailType ? { detailType: [mapping.detailType] } : {}),
            },
            targets: [new LambdaFunction(fn)],
          })
    }
  }

  /**
   * The schedule group critical alerts wait in, and the role the scheduler runs their schedules as
   * (what it may invoke is the `schedules` trigger's function: `#connectTriggers`).
   */
  #escalationSchedules(): NonNullable<Herald['escalation']> {
    const stack = Stack.of(this)
    const group = new CfnScheduleGroup(this, 'EscalationSchedules', {})
    const role = new Role(this, 'SchedulerRole', {
      description:
        'Herald: EventBridge Scheduler invokes the escalate function when a critical alert’s wait is over',
      // Only schedules of this account may use it (the confused-deputy guard AWS documents).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    })
    const schedulesArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${group.ref}/*`,
    })
    return { group, role, schedulesArn }
  }

  #publisherPolicy(props: HeraldProps): ManagedPolicy {
    return new ManagedPolicy(this, 'PublisherPolicy', {
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
  }

  #tokenSecret(props: HeraldProps, removalPolicy: RemovalPolicy): ISecret | undefined {
    const auth = props.auth ?? { mode: 'secret' }
    if (auth.mode !== 'secret') return undefined
    return (
      auth.secret ??
      new Secret(this, 'TokenSecret', {
        description: 'Herald: HS256 key that signs browser tokens',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy,
      })
    )
  }

  /** The IAM resource of one Management API verb on this API's stage, for any connection. */
  connectionsArn(verb: ConnectionVerb): string {
    return Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${this.stage.stageName}/${verb}/@connections/*`,
    })
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

  #queue(id: string, props: Omit<QueueProps, 'enforceSSL' | 'encryption'>): Queue {
    return new Queue(this, id, { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED, ...props })
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

/** The SES identities that may verify `address`: itself, and its domain. */
function emailIdentityArns(scope: Construct, address: string): string[] {
  const domain = address.slice(address.lastIndexOf('@') + 1)
  return [address, domain].map((identity) =>
    Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
  )
}

function validate(props: HeraldProps): void {
  const from = props.escalation?.fromAddress
  if (from !== undefined && !/^[^\s@]+@[^\s@]+$/.test(from))
    throw new ConfigError(`Herald: escalation.fromAddress must be an e-mail address, not ${from}`)
  if (props.shards !== undefined && (!Number.isInteger(props.shards) || props.shards < 1)) {
    throw new ConfigError('Herald: shards must be a positive integer')
  }
  if (workersOf(props) < 2)
    throw new ConfigError('Herald: deliveryWorkers must be at least 2 (the SQS event source minimum)')
  checkTenancy(props.tenantClaim, props.operatorTenant)
}
