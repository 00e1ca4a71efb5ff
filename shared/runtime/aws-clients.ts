import type { Credentials } from '../fan-out/signed-http-poster.js'
import { type Env, required } from './config.js'

/** Where and as whom the clients talk. Empty on AWS: the SDK's defaults (region, role, endpoints) apply. */
export interface AwsClientSettings {
  region?: string
  credentials?: Credentials
  endpoints?: {
    dynamodb?: string
    lambda?: string
    sns?: string
    sqs?: string
    secretsmanager?: string
    scheduler?: string
    ses?: string
  }
}

/**
 * A function's AWS context: the settings and the clients made so far, each made once per cold
 * start. It imports no SDK package: each client comes from its own module (dynamodb.ts, sqs.ts…),
 * so a function loads only the SDK packages it calls, which is most of what a cold start costs.
 */
export interface AwsClients {
  readonly settings: AwsClientSettings
  /** The client named `name`, made by `create` on first use. */
  client<T>(name: string, create: () => T): T
  /** Closes every client made so far (their keep-alive sockets), as a process that ends would. */
  destroy(): void
}

/**
 * The context for AWS (no settings) or for the local twin (its endpoints and credentials).
 *
 * @example awsClients({ region: 'us-east-1', endpoints: { dynamodb: 'http://127.0.0.1:3002' } })
 */
export function awsClients(settings: AwsClientSettings = {}): AwsClients {
  const made = new Map<string, unknown>()
  return {
    settings,
    client<T>(name: string, create: () => T): T {
      if (!made.has(name)) made.set(name, create())
      return made.get(name) as T
    },
    destroy() {
      for (const client of made.values()) (client as { destroy?: () => void }).destroy?.()
      made.clear()
    },
  }
}

/** What every SDK client takes from the settings. */
export function clientConfig(aws: AwsClients, service: keyof NonNullable<AwsClientSettings['endpoints']>) {
  return {
    region: aws.settings.region,
    credentials: aws.settings.credentials,
    endpoint: aws.settings.endpoints?.[service],
  }
}

/** The credentials Lambda gives a function, through its environment. */
export function environmentCredentials(env: Env): Credentials {
  return {
    accessKeyId: required(env, 'AWS_ACCESS_KEY_ID'),
    secretAccessKey: required(env, 'AWS_SECRET_ACCESS_KEY'),
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  }
}
