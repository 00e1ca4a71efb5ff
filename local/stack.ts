import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { FUNCTION_SPECS } from '../functions/manifest.js'
import { withSmokeRoute } from '../shared/integrations/smoke.js'
import { createPublisher } from '../shared/publisher/publisher.js'
import { awsClients } from '../shared/runtime/aws-clients.js'
import { checkTenancy, type Env } from '../shared/runtime/config.js'
import { documentClientOf } from '../shared/runtime/dynamodb.js'
import { alarmRules } from '../shared/runtime/json-settings.js'
import { snsOf } from '../shared/runtime/sns.js'
import { resourceVariables } from '../shared/runtime/variables.js'
import { CONNECTIONS_TABLE, HISTORY_TABLE } from '../shared/store/tables.js'
import { BillMeter, meteredGuard } from './bill-meter.js'
import { LocalDashboard } from './dashboard.js'
import {
  LOCAL_CREDENTIALS,
  LOCAL_EMAIL_FROM,
  LOCAL_ESCALATION_GROUP,
  LOCAL_JWT_SECRET,
  LOCAL_REGION,
  LOCAL_SCHEDULER_ROLE_ARN,
  LOCAL_SMOKE_ALARM,
  LOCAL_TOKEN_SECRET_ARN,
  LOCAL_TOPIC_ARN,
  LOCAL_VAPID_SECRET_ARN,
  LOCAL_VAPID_SUBJECT,
  localFunctionName,
} from './defaults.js'
import { localArn, localIam } from './iam.js'
import { registerFunctions } from './local-functions.js'
import type { LocalEndpoints, LocalStack, LocalStackOptions } from './stack-types.js'
import { sweepExpired } from './ttl-sweeper.js'
import { REJECTED_QUEUE, startTwins } from './twins.js'
import { localVapidKeys } from './vapid.js'

export type { LocalEndpoints, LocalStack, LocalStackOptions } from './stack-types.js'

type Twins = Awaited<ReturnType<typeof startTwins>>

/** Every setting the functions may read, as the CDK stack sets them; each function gets its own. */
function functionEnv(twins: Twins, options: LocalStackOptions, vapidPublicKey: string): Env {
  return {
    ...resourceVariables({
      connections: twins.tables.connections,
      history: twins.tables.history,
      deliveries: twins.sqs.queueUrl,
      rejected: twins.sqs.urlOf(REJECTED_QUEUE),
      welcome: localFunctionName('welcome'),
      tokenSecret: LOCAL_TOKEN_SECRET_ARN,
      managementApi: twins.gateway.managementUrl,
      push: localFunctionName('push'),
      vapidKey: LOCAL_VAPID_SECRET_ARN,
      escalate: localArn.function(localFunctionName('escalate')),
      schedules: LOCAL_ESCALATION_GROUP,
      schedulerRole: LOCAL_SCHEDULER_ROLE_ARN,
      emailIdentity: undefined,
    }),
    // E-mail escalation is on: what it sends stays in the SES twin's outbox (`herald outbox`).
    HERALD_EMAIL_FROM: LOCAL_EMAIL_FROM,
    ...(options.dashboardRoot && twins.dashboardPort !== 0
      ? { HERALD_EMAIL_LINK: `http://localhost:${twins.dashboardPort}` }
      : {}),
    // Web Push is on: a test (or a curious developer) can play the push service on loopback.
    HERALD_VAPID_PUBLIC_KEY: vapidPublicKey,
    HERALD_VAPID_SUBJECT: LOCAL_VAPID_SUBJECT,
    HERALD_PUSH_ALLOW_LOOPBACK: 'true',
    ...options.env,
    // As the construct does: the smoke alarm's alerts go to the smoke user, ahead of other routes.
    HERALD_ALARM_RULES: JSON.stringify(withSmokeRoute(LOCAL_SMOKE_ALARM, alarmRules(options.env ?? {}))),
  }
}

/**
 * The twin of IAM, from the same manifest entries the construct builds roles from, and the meter
 * every twin counts what AWS would bill on.
 */
function enforceRoles(twins: Twins, options: LocalStackOptions, meter: BillMeter) {
  const specs = FUNCTION_SPECS.map(([name, spec]) => [name, options.functions?.[name] ?? spec] as const)
  const guard = localIam(
    {
      connections: localArn.table(twins.tables.connections),
      history: localArn.table(twins.tables.history),
      deliveries: localArn.queue(twins.sqs.queueUrl),
      rejected: localArn.queue(twins.sqs.urlOf(REJECTED_QUEUE)),
      welcome: localArn.function(localFunctionName('welcome')),
      tokenSecret: LOCAL_TOKEN_SECRET_ARN,
      push: localArn.function(localFunctionName('push')),
      vapidKey: LOCAL_VAPID_SECRET_ARN,
      escalate: localArn.function(localFunctionName('escalate')),
      schedules: localArn.schedules(LOCAL_ESCALATION_GROUP),
      schedulerRole: LOCAL_SCHEDULER_ROLE_ARN,
      emailIdentity: localArn.emailIdentity(LOCAL_EMAIL_FROM),
    },
    specs,
  )
  const { dynamo, sqs, sns, lambda, gateway, secrets, ses, scheduler } = twins
  for (const twin of [dynamo, sqs, sns, lambda, gateway, secrets, ses, scheduler])
    twin.enforce(meteredGuard(guard, meter))
  for (const twin of [dynamo, sqs, sns, lambda, gateway, ses, scheduler]) twin.meter(meter)
  return specs
}

/**
 * Starts Herald on this machine: a twin of every AWS part on loopback, and the same function
 * modules the CDK stack deploys, each with the variables, keys and retries its manifest entry
 * gives it, pointed at those twins.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  checkTenancy(options.env?.HERALD_TENANT_CLAIM, options.env?.HERALD_OPERATOR_TENANT)
  const twins = await startTwins(options)
  const { dynamo, gateway, lambda, sqs, sns, secrets, endpoints } = twins
  const vapid = await localVapidKeys(options.configFile)
  secrets.put(LOCAL_VAPID_SECRET_ARN, vapid.privateKey)
  const env = functionEnv(twins, options, vapid.publicKey)
  const bill = new BillMeter()
  const settings = {
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoints: {
      dynamodb: dynamo.endpoint,
      lambda: endpoints.lambdaEndpoint,
      sns: endpoints.snsEndpoint,
      sqs: endpoints.sqsEndpoint,
      secretsmanager: endpoints.secretsManagerEndpoint,
      ses: endpoints.sesEndpoint,
      scheduler: endpoints.schedulerEndpoint,
    },
  }
  // The operator's clients: the TTL sweeper and the dashboard's publisher.
  const aws = awsClients(settings)
  const functionClients = await registerFunctions(lambda, {
    specs: enforceRoles(twins, options, bill),
    env,
    settings,
    // The delivery workers always run in threads: their share of the quota is per instance.
    threads: options.threads === true || [...(options.threads || []), 'deliver'],
    quota: options.deliveryBudget,
    quotaSharers: options.deliveryWorkers ?? 2,
    bundles: options.bundles,
  })
  const sweeper = startSweeper(twins, documentClientOf(aws), options.sweepIntervalMs ?? 60_000)
  const dashboard = options.dashboardRoot
    ? new LocalDashboard({
        root: options.dashboardRoot,
        websocketUrl: gateway.websocketUrl,
        publisher: createPublisher({ client: snsOf(aws), topicArn: LOCAL_TOPIC_ARN }),
        jwtSecret: options.env?.HERALD_JWT_SECRET ?? LOCAL_JWT_SECRET,
        claims: {
          tenant: env.HERALD_TENANT_CLAIM,
          groups: env.HERALD_GROUPS_CLAIM,
          email: env.HERALD_EMAIL_CLAIM,
        },
      })
    : undefined
  const dashboardUrl = await dashboard?.listen(twins.dashboardPort)
  const published = await writeEndpoints(options.configFile, {
    websocketUrl: gateway.websocketUrl,
    managementUrl: gateway.managementUrl,
    snsEndpoint: endpoints.snsEndpoint,
    dynamodbEndpoint: dynamo.endpoint,
    lambdaEndpoint: endpoints.lambdaEndpoint,
    sqsEndpoint: endpoints.sqsEndpoint,
    sesEndpoint: endpoints.sesEndpoint,
    deliveryQueueUrl: sqs.queueUrl,
    deadLetterQueueUrl: sqs.deadLetterQueueUrl,
    rejectedQueueUrl: sqs.urlOf(REJECTED_QUEUE),
    smokeAlarmName: LOCAL_SMOKE_ALARM,
    ...(env.HERALD_TENANT_CLAIM
      ? { tenantClaim: env.HERALD_TENANT_CLAIM, operatorTenant: env.HERALD_OPERATOR_TENANT }
      : {}),
    topicArn: LOCAL_TOPIC_ARN,
    region: LOCAL_REGION,
    ...(dashboardUrl ? { dashboardUrl } : {}),
    vapidPublicKey: vapid.publicKey,
  })

  return {
    ...published,
    env,
    gateway,
    lambda,
    sqs,
    secretsManagerEndpoint: endpoints.secretsManagerEndpoint,
    ses: twins.ses,
    scheduler: twins.scheduler,
    schedulerEndpoint: endpoints.schedulerEndpoint,
    dynamo,
    bill,
    async idle() {
      await lambda.idle()
      await sqs.idle()
      await lambda.idle()
    },
    async close() {
      clearInterval(sweeper)
      await dashboard?.close()
      await gateway.close()
      lambda.abandonRetries()
      await lambda.idle()
      await sqs.idle()
      await Promise.all([
        sns.close(),
        sqs.close(),
        lambda.close(),
        secrets.close(),
        twins.ses.close(),
        twins.scheduler.close(),
      ])
      aws.destroy()
      for (const clients of functionClients) clients.destroy()
      await dynamo.close()
    },
  }
}

/** What DynamoDB's TTL would do: deletes expired items every `intervalMs`. */
function startSweeper(twins: Twins, client: ReturnType<typeof documentClientOf>, intervalMs: number) {
  const tables = [
    { name: twins.tables.connections, definition: CONNECTIONS_TABLE },
    { name: twins.tables.history, definition: HISTORY_TABLE },
  ]
  const sweeper = setInterval(() => void sweepExpired(client, tables).catch(() => {}), intervalMs)
  sweeper.unref()
  return sweeper
}

/** The endpoints file (`.herald/local.json`), when asked for; returns what it wrote. */
async function writeEndpoints(file: string | undefined, endpoints: LocalEndpoints): Promise<LocalEndpoints> {
  if (file) {
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, `${JSON.stringify(endpoints, null, 2)}\n`)
  }
  return endpoints
}
