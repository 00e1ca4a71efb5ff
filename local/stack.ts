import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as authorizer from '../functions/authorizer.js'
import * as connect from '../functions/connect.js'
import * as disconnect from '../functions/disconnect.js'
import * as events from '../functions/events.js'
import * as fanout from '../functions/fanout.js'
import * as ingestLogs from '../functions/ingest-logs.js'
import { FUNCTION_SPECS, type FunctionSpec, type HeraldFunctionName } from '../functions/manifest.js'
import * as message from '../functions/message.js'
import * as welcome from '../functions/welcome.js'
import type { RejectedNotification } from '../shared/fan-out/rejections.js'
import { withSmokeRoute } from '../shared/integrations/smoke.js'
import { createPublisher } from '../shared/publisher/publisher.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { alarmRules, type Env } from '../shared/runtime/config.js'
import { documentClientOf } from '../shared/runtime/dynamodb.js'
import { snsOf } from '../shared/runtime/sns.js'
import { CONNECTIONS_TABLE, HISTORY_TABLE } from '../shared/store/tables.js'
import { LocalDashboard } from './dashboard.js'
import {
  LOCAL_CREDENTIALS,
  LOCAL_JWT_SECRET,
  LOCAL_REGION,
  LOCAL_SMOKE_ALARM,
  LOCAL_TOKEN_SECRET_ARN,
  LOCAL_TOPIC_ARN,
} from './defaults.js'
import { createTables, type LocalDynamo, localDynamoClient, startDynamo } from './dynamodb.js'
import { type GatewayOptions, LocalGateway } from './gateway.js'
import { credentialsOf, localArn, localIam } from './iam.js'
import { LocalLambda, type LocalLambdaOptions } from './lambda-runtime.js'
import { SQS_MAX_RETENTION_SECONDS } from './passive-queue.js'
import { LocalSecretsManager } from './secrets-manager.js'
import { LocalSns } from './sns.js'
import { LocalSqs } from './sqs.js'
import { sweepExpired } from './ttl-sweeper.js'

export interface LocalStackOptions {
  /** The gateway's port; DynamoDB, SNS, Lambda, SQS and Secrets Manager take the next five. 0 picks free ports for all. @default 3001 */
  port?: number
  /** dynalite keeps its data here; in memory when unset. */
  dataDir?: string
  /**
   * Settings the functions read, as the CDK stack sets them (HERALD_SHARDS, …). HERALD_JWT_SECRET
   * is the key the local Secrets Manager holds for the authorizer. */
  env?: Env
  gateway?: Pick<GatewayOptions, 'idleTimeoutMs' | 'maxConnectionAgeMs' | 'maxMessageBytes' | 'throttle'>
  lambda?: LocalLambdaOptions
  /** How often expired items are deleted, as DynamoDB TTL would. @default 60000 */
  sweepIntervalMs?: number
  /** Where to write the endpoints file (DESIGN.md section 4); not written when unset. */
  configFile?: string
  /** Serve the built demo dashboard from this folder (dist/demo), on the port before the gateway's. */
  dashboardRoot?: string
  /** Delivery workers: threads running the `deliver` function, fed by the local SQS queue. @default 2 */
  deliveryWorkers?: number
  /**
   * Functions to run in worker threads, as that many concurrent Lambda instances; the others run
   * on the main thread, which starts faster (tests) but shares a core with the gateway. @default {}
   */
  threads?: Partial<Record<Exclude<keyof typeof FUNCTION, 'deliver'>, number>>
  /** The account's Management API quota the workers share, as the CDK stack divides it. @default unlimited */
  deliveryBudget?: { rate: number; burst: number }
  /** Called for each publish the fan-out refuses, as it lands in the rejected queue. */
  onRejected?: (rejected: RejectedNotification) => void
  /**
   * Manifest entries to use instead of `functions/manifest.ts`'s, for a test that shows what the
   * twin refuses when a grant is missing. @default the manifest
   */
  functions?: Partial<Record<HeraldFunctionName, FunctionSpec>>
}

/** The endpoints of a running local stack: the contents of `.herald/local.json`. */
export interface LocalEndpoints {
  websocketUrl: string
  managementUrl: string
  snsEndpoint: string
  dynamodbEndpoint: string
  lambdaEndpoint: string
  sqsEndpoint: string
  deliveryQueueUrl: string
  deadLetterQueueUrl: string
  rejectedQueueUrl: string
  /** What `npm run smoke` sends as an alarm state change. */
  smokeAlarmName: string
  topicArn: string
  region: string
  dashboardUrl?: string
}

export interface LocalStack extends LocalEndpoints {
  /** The environment the functions run with. */
  env: Env
  gateway: LocalGateway
  lambda: LocalLambda
  sqs: LocalSqs
  /** The local Secrets Manager, which holds the authorizer's key. */
  secretsManagerEndpoint: string
  /** The local DynamoDB, which reliability tests can pause and resume. */
  dynamo: LocalDynamo
  /** Resolves once every invocation started so far, and the queued work it caused, is done. */
  idle(): Promise<void>
  close(): Promise<void>
}

const FUNCTION = {
  authorizer: 'herald-authorizer',
  connect: 'herald-connect',
  disconnect: 'herald-disconnect',
  message: 'herald-message',
  welcome: 'herald-welcome',
  fanout: 'herald-fanout',
  deliver: 'herald-deliver',
  'ingest-logs': 'herald-ingest-logs',
  events: 'herald-events',
} as const

const REJECTED_QUEUE = 'herald-local-rejected'

const nextPort = (port: number, offset: number) => (port === 0 ? 0 : port + offset)

/**
 * Starts Herald on this machine: dynalite with the tables, a Lambda runtime running the same
 * function modules the CDK stack deploys, the WebSocket gateway and the SNS endpoint, each on
 * loopback. Everything the functions need comes through the same environment variables and SDK
 * clients as on AWS, pointed at these endpoints.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const port = options.port ?? 3001
  const dynamo = await startDynamo({ port: nextPort(port, 1), path: options.dataDir })
  const tables = await createTables(localDynamoClient(dynamo.endpoint), 'herald-local')
  // A fan-out that fails all of Lambda's retries lands in the dead-letter queue as an on-failure
  // destination record, the shape `herald replay` reads on AWS too.
  let sqs: LocalSqs | undefined
  const lambda = new LocalLambda({
    ...options.lambda,
    onFailure: (name, event, error) => {
      options.lambda?.onFailure?.(name, event, error)
      sqs?.addDeadLetter(
        JSON.stringify({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: { functionArn: name, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
          requestPayload: event,
          responsePayload: { errorMessage: String((error as Error)?.message ?? error) },
        }),
      )
    },
  })
  const gateway = new LocalGateway({
    lambda,
    routes: {
      authorizer: FUNCTION.authorizer,
      $connect: FUNCTION.connect,
      $disconnect: FUNCTION.disconnect,
      $default: FUNCTION.message,
    },
    ...options.gateway,
  })
  await gateway.listen(port)
  const sns = new LocalSns({ lambda, topicArn: LOCAL_TOPIC_ARN, subscriber: FUNCTION.fanout })
  const snsEndpoint = await sns.listen(nextPort(port, 2))
  const lambdaEndpoint = await lambda.listen(nextPort(port, 3))
  const workers = options.deliveryWorkers ?? 2
  sqs = new LocalSqs({
    lambda,
    queueName: 'herald-local-deliveries',
    consumer: FUNCTION.deliver,
    maxConcurrency: workers,
    passiveQueues: {
      [REJECTED_QUEUE]: {
        retentionSeconds: SQS_MAX_RETENTION_SECONDS,
        onMessage: (body) => options.onRejected?.(JSON.parse(body) as RejectedNotification),
      },
    },
  })
  const sqsEndpoint = await sqs.listen(nextPort(port, 4))
  // The authorizer reads its key by ARN, as a deployed stack in `secret` mode does.
  const jwtSecret = options.env?.HERALD_JWT_SECRET ?? LOCAL_JWT_SECRET
  const secrets = new LocalSecretsManager()
  secrets.put(LOCAL_TOKEN_SECRET_ARN, jwtSecret)
  const secretsManagerEndpoint = await secrets.listen(nextPort(port, 5))

  const env: Env = {
    HERALD_CONNECTIONS_TABLE: tables.connections,
    HERALD_HISTORY_TABLE: tables.history,
    HERALD_MANAGEMENT_ENDPOINT: gateway.managementUrl,
    HERALD_WELCOME_FUNCTION: FUNCTION.welcome,
    HERALD_TOPIC_ARN: LOCAL_TOPIC_ARN,
    HERALD_JWT_SECRET_ARN: LOCAL_TOKEN_SECRET_ARN,
    HERALD_DELIVERY_QUEUE_URL: sqs.queueUrl,
    HERALD_REJECTED_QUEUE_URL: sqs.urlOf(REJECTED_QUEUE),
    ...options.env,
    // As the construct does: the smoke alarm's alerts go to the smoke user, ahead of other routes.
    HERALD_ALARM_RULES: JSON.stringify(withSmokeRoute(LOCAL_SMOKE_ALARM, alarmRules(options.env ?? {}))),
  }
  const settings = {
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoints: {
      dynamodb: dynamo.endpoint,
      lambda: lambdaEndpoint,
      sns: snsEndpoint,
      sqs: sqsEndpoint,
      secretsmanager: secretsManagerEndpoint,
    },
  }
  const aws = awsClients(settings)
  const specs = FUNCTION_SPECS.map(([name, spec]) => [name, options.functions?.[name] ?? spec] as const)
  const specOf = Object.fromEntries(specs.map(([, spec]) => [spec.entry, spec]))
  // Each function signs with keys of its own, and every twin checks the call against its role.
  const settingsOf = (entry: string) => ({ ...settings, credentials: credentialsOf(entry) })
  const guard = localIam(
    {
      connections: localArn.table(tables.connections),
      history: localArn.table(tables.history),
      deliveries: localArn.queue(sqs.queueUrl),
      rejected: localArn.queue(sqs.urlOf(REJECTED_QUEUE)),
      welcome: localArn.function(FUNCTION.welcome),
      tokenSecret: LOCAL_TOKEN_SECRET_ARN,
    },
    specs,
  )
  for (const twin of [dynamo, sqs, sns, lambda, gateway, secrets]) twin.enforce(guard)
  const functionClients: AwsClients[] = []
  const functionModule = (name: string) => fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url))
  const inProcess = {
    authorizer,
    connect,
    disconnect,
    message,
    welcome,
    fanout,
    'ingest-logs': ingestLogs,
    events,
  }
  // Lambda's asynchronous retry setting of each function, as the construct sets it.
  const retries = Object.fromEntries(specs.map(([, spec]) => [spec.entry, spec.retryAttempts]))
  await Promise.all(
    Object.entries(inProcess).map(async ([name, module]) => {
      const instances = options.threads?.[name as keyof typeof inProcess]
      const functionName = FUNCTION[name as keyof typeof inProcess]
      if (instances)
        await lambda.registerThreaded(
          functionName,
          { module: functionModule(name), env, settings: settingsOf(name), instances },
          retries[name],
        )
      else {
        const own = awsClients(settingsOf(name))
        functionClients.push(own)
        lambda.register(functionName, module.fromEnvironment(env, own), retries[name])
      }
    }),
  )
  // Each worker gets its share of the account's quota, as the CDK stack divides it.
  const share = options.deliveryBudget
  await lambda.registerThreaded(
    FUNCTION.deliver,
    {
      module: functionModule('deliver'),
      env: share
        ? {
            ...env,
            HERALD_DELIVERY_RATE: String(share.rate / workers),
            HERALD_DELIVERY_BURST: String(share.burst / workers),
          }
        : env,
      settings: settingsOf('deliver'),
      instances: workers,
    },
    specOf.deliver?.retryAttempts,
  )

  const sweepTables = [
    { name: tables.connections, definition: CONNECTIONS_TABLE },
    { name: tables.history, definition: HISTORY_TABLE },
  ]
  const sweeper = setInterval(
    () => void sweepExpired(documentClientOf(aws), sweepTables).catch(() => {}),
    options.sweepIntervalMs ?? 60_000,
  )
  sweeper.unref()

  let dashboard: LocalDashboard | undefined
  let dashboardUrl: string | undefined
  if (options.dashboardRoot) {
    dashboard = new LocalDashboard({
      root: options.dashboardRoot,
      websocketUrl: gateway.websocketUrl,
      publisher: createPublisher({ client: snsOf(aws), topicArn: LOCAL_TOPIC_ARN }),
      jwtSecret,
    })
    dashboardUrl = await dashboard.listen(nextPort(port, -1))
  }

  const endpoints: LocalEndpoints = {
    websocketUrl: gateway.websocketUrl,
    managementUrl: gateway.managementUrl,
    snsEndpoint,
    dynamodbEndpoint: dynamo.endpoint,
    lambdaEndpoint,
    sqsEndpoint,
    deliveryQueueUrl: sqs.queueUrl,
    deadLetterQueueUrl: sqs.deadLetterQueueUrl,
    rejectedQueueUrl: sqs.urlOf(REJECTED_QUEUE),
    smokeAlarmName: LOCAL_SMOKE_ALARM,
    topicArn: LOCAL_TOPIC_ARN,
    region: LOCAL_REGION,
    ...(dashboardUrl ? { dashboardUrl } : {}),
  }
  if (options.configFile) {
    await mkdir(dirname(options.configFile), { recursive: true })
    await writeFile(options.configFile, `${JSON.stringify(endpoints, null, 2)}\n`)
  }

  return {
    ...endpoints,
    env,
    gateway,
    lambda,
    sqs,
    secretsManagerEndpoint,
    dynamo,
    async idle() {
      await lambda.idle()
      await sqs.idle()
      await lambda.idle()
    },
    async close() {
      clearInterval(sweeper)
      await dashboard?.close()
      await gateway.close()
      await lambda.idle()
      await sqs.idle()
      await Promise.all([sns.close(), sqs.close(), lambda.close(), secrets.close()])
      documentClientOf(aws).destroy()
      for (const clients of functionClients) clients.destroy()
      await dynamo.close()
    },
  }
}
