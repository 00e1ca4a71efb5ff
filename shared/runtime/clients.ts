import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SNSClient } from '@aws-sdk/client-sns'
import { SQSClient } from '@aws-sdk/client-sqs'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { ConnectionPoster } from '../fan-out/connection-poster.js'
import { DeliveryBudget } from '../fan-out/delivery-budget.js'
import { type Credentials, signedHttpPoster } from '../fan-out/signed-http-poster.js'
import { sqsDeliveryQueue } from '../fan-out/sqs-delivery-queue.js'
import { ConnectionStore } from '../store/connection-store.js'
import { HistoryStore } from '../store/history-store.js'
import {
  deliveryConfig,
  type Env,
  managementEndpoint,
  required,
  shardingConfig,
  storeConfig,
} from './config.js'

/** Where and as whom the clients talk. Empty on AWS: the SDK's defaults (region, role, endpoints) apply. */
export interface AwsClientSettings {
  region?: string
  credentials?: { accessKeyId: string; secretAccessKey: string }
  endpoints?: { dynamodb?: string; lambda?: string; sns?: string; sqs?: string }
}

/** The AWS clients a function needs, created once per cold start and shared by its handlers. */
export interface AwsClients {
  dynamo(): DynamoDBDocumentClient
  lambda(): LambdaClient
  sns(): SNSClient
  sqs(): SQSClient
  secrets(): SecretsManagerClient
  /** The Management API for posting to connections. */
  poster(endpoint: string, maxSockets?: number): ConnectionPoster
}

const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined
  return () => {
    value ??= create()
    return value
  }
}

/**
 * Builds the clients for AWS (no settings) or for the local twin (its endpoints and credentials).
 *
 * @example awsClients({ region: 'us-east-1', endpoints: { dynamodb: 'http://127.0.0.1:3002' } })
 */
export function awsClients(settings: AwsClientSettings = {}): AwsClients {
  const base = { region: settings.region, credentials: settings.credentials }
  return {
    dynamo: once(() =>
      DynamoDBDocumentClient.from(new DynamoDBClient({ ...base, endpoint: settings.endpoints?.dynamodb }), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    ),
    lambda: once(() => new LambdaClient({ ...base, endpoint: settings.endpoints?.lambda })),
    sns: once(() => new SNSClient({ ...base, endpoint: settings.endpoints?.sns })),
    sqs: once(() => new SQSClient({ ...base, endpoint: settings.endpoints?.sqs })),
    secrets: once(() => new SecretsManagerClient(base)),
    // Signed HTTP rather than the SDK client: the client's per-call overhead, not the network,
    // bounds delivery (bench/). Retrying is the deliverer's, which knows the fan-out's deadline.
    poster: (endpoint, maxSockets = 100) =>
      signedHttpPoster({
        endpoint,
        maxSockets,
        region: settings.region ?? required(process.env, 'AWS_REGION'),
        credentials: settings.credentials ?? (async () => environmentCredentials(process.env)),
      }),
  }
}

/** The two stores, over the function's DynamoDB client. */
export function stores(env: Env, aws: AwsClients) {
  const config = storeConfig(env)
  const client = aws.dynamo()
  return {
    connections: new ConnectionStore({ client, tableName: config.connectionsTable, shards: config.shards }),
    history: new HistoryStore({
      client,
      tableName: config.historyTable,
      retentionSeconds: config.historySeconds,
    }),
  }
}

/** Starts a function without waiting for it, as Lambda's asynchronous invocation does. */
export function invokeAsync(client: LambdaClient, functionName: string) {
  return async (payload: unknown): Promise<void> => {
    await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: JSON.stringify(payload),
      }),
    )
  }
}

/** A secret's string value, as the authorizer's shared-secret mode keeps it in Secrets Manager. */
export async function readSecret(client: SecretsManagerClient, arn: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }))
  if (!SecretString) throw new Error(`secret ${arn} has no string value`)
  return SecretString
}

/** The credentials Lambda gives a function, through its environment. */
export function environmentCredentials(env: Env): Credentials {
  return {
    accessKeyId: required(env, 'AWS_ACCESS_KEY_ID'),
    secretAccessKey: required(env, 'AWS_SECRET_ACCESS_KEY'),
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  }
}

/** What every delivering function shares: the store, the poster, delivery options, its budget, the queue. */
export function deliveryDeps(env: Env, aws: AwsClients) {
  const delivery = deliveryConfig(env)
  const sharding = shardingConfig(env)
  return {
    ...stores(env, aws),
    poster: aws.poster(managementEndpoint(env), delivery.concurrency),
    delivery,
    budget: sharding.budget ? new DeliveryBudget(sharding.budget.rate, sharding.budget.burst) : undefined,
    queue: sharding.queueUrl ? sqsDeliveryQueue(aws.sqs(), sharding.queueUrl) : undefined,
    sharding: { threshold: sharding.threshold, batchSize: sharding.batchSize },
    maxAttempts: sharding.maxAttempts,
  }
}
