import { specOf } from '../functions/manifest.js'
import {
  LOCAL_EMAIL_FROM,
  LOCAL_ESCALATION_GROUP,
  LOCAL_JWT_SECRET,
  LOCAL_SCHEDULER_ROLE_ARN,
  LOCAL_TOKEN_SECRET_ARN,
  LOCAL_TOPIC_ARN,
  localFunctionOf,
} from './defaults.js'
import { createTables, localDynamoClient, startDynamo } from './dynamodb.js'
import { LocalGateway } from './gateway.js'
import { localArn } from './iam.js'
import { LocalLambda } from './lambda-runtime.js'
import { SQS_MAX_RETENTION_SECONDS } from './passive-queue.js'
import { LocalScheduler, type ScheduleInvoker } from './scheduler.js'
import { LocalSecretsManager } from './secrets-manager.js'
import { LocalSes } from './ses.js'
import { LocalSns } from './sns.js'
import { LocalSqs } from './sqs.js'
import type { LocalStackOptions } from './stack-types.js'

export const REJECTED_QUEUE = 'herald-local-rejected'

const nextPort = (port: number, offset: number) => (port === 0 ? 0 : port + offset)

/** What Lambda writes to an on-failure destination when an asynchronous invocation ran out of retries. */
function onFailureRecord(name: string, event: unknown, error: unknown): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: { functionArn: name, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: event,
    responsePayload: { errorMessage: String((error as Error)?.message ?? error) },
  })
}

/**
 * What the scheduler's role may do, as the construct grants it: invoke the `schedules` trigger's
 * function, asynchronously (as EventBridge Scheduler invokes Lambda). Anything else fails the
 * attempt, which the scheduler retries and then drops, as AWS would.
 */
function schedulerRole(lambda: LocalLambda): ScheduleInvoker {
  const target = localFunctionOf('schedules')
  return async ({ arn, roleArn, input }) => {
    if (roleArn !== LOCAL_SCHEDULER_ROLE_ARN)
      throw new Error(`scheduler.amazonaws.com cannot assume ${roleArn}`)
    if (arn !== localArn.function(target))
      throw new Error(`${roleArn} is not authorized to perform: lambda:InvokeFunction on resource: ${arn}`)
    lambda.invokeAsync(target, JSON.parse(input ?? '{}'))
  }
}

/**
 * Every AWS part's twin on loopback, ports counted from the gateway's: dynalite and the tables,
 * the Lambda runtime, the WebSocket gateway and Management API, SNS, SQS, Secrets Manager, SES and
 * EventBridge Scheduler.
 * A fan-out that fails all of Lambda's retries lands in the dead-letter queue as an on-failure
 * record, the shape `herald replay` reads on AWS too.
 */
export async function startTwins(options: LocalStackOptions) {
  const port = options.port ?? 3001
  const dynamo = await startDynamo({ port: nextPort(port, 1), path: options.dataDir })
  const tables = await createTables(localDynamoClient(dynamo.endpoint), 'herald-local')
  let sqs: LocalSqs | undefined
  const lambda = new LocalLambda({
    ...options.lambda,
    onFailure: (name, event, error) => {
      options.lambda?.onFailure?.(name, event, error)
      sqs?.addDeadLetter(onFailureRecord(name, event, error))
    },
  })
  const gateway = new LocalGateway({
    lambda,
    routes: {
      authorizer: localFunctionOf('authorizer'),
      $connect: localFunctionOf('$connect'),
      $disconnect: localFunctionOf('$disconnect'),
      $default: localFunctionOf('$default'),
    },
    ...options.gateway,
  })
  await gateway.listen(port)
  const sns = new LocalSns({ lambda, topicArn: LOCAL_TOPIC_ARN, subscriber: localFunctionOf('topic') })
  const snsEndpoint = await sns.listen(nextPort(port, 2))
  const lambdaEndpoint = await lambda.listen(nextPort(port, 3))
  sqs = new LocalSqs({
    lambda,
    queueName: 'herald-local-deliveries',
    consumer: localFunctionOf('deliveryQueue'),
    batchSize: specOf('deliveryQueue').batchSize,
    maxConcurrency: options.deliveryWorkers ?? 2,
    passiveQueues: {
      [REJECTED_QUEUE]: {
        retentionSeconds: SQS_MAX_RETENTION_SECONDS,
        onMessage: (body) => options.onRejected?.(JSON.parse(body)),
      },
    },
  })
  const sqsEndpoint = await sqs.listen(nextPort(port, 4))
  // The authorizer reads its key by ARN, as a deployed stack in `secret` mode does.
  const secrets = new LocalSecretsManager()
  secrets.put(LOCAL_TOKEN_SECRET_ARN, options.env?.HERALD_JWT_SECRET ?? LOCAL_JWT_SECRET)
  const secretsManagerEndpoint = await secrets.listen(nextPort(port, 5))
  const ses = new LocalSes({ verifiedIdentities: [LOCAL_EMAIL_FROM] })
  const sesEndpoint = await ses.listen(nextPort(port, 6))
  const scheduler = new LocalScheduler({ groups: [LOCAL_ESCALATION_GROUP], invoke: schedulerRole(lambda) })
  const schedulerEndpoint = await scheduler.listen(nextPort(port, 7))
  return {
    dynamo,
    tables,
    lambda,
    gateway,
    sns,
    sqs,
    secrets,
    ses,
    scheduler,
    endpoints: {
      snsEndpoint,
      lambdaEndpoint,
      sqsEndpoint,
      secretsManagerEndpoint,
      sesEndpoint,
      schedulerEndpoint,
    },
    dashboardPort: nextPort(port, -1),
  }
}
