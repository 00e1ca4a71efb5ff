import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { FunctionSpec, HeraldFunctionName } from '../functions/manifest.js'
import { DEFAULTS } from '../shared/defaults.js'
import { ConfigError } from '../shared/errors.js'
import { workerShare } from '../shared/fan-out/delivery-budget.js'
import { type AwsClientSettings, type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import type { Env } from '../shared/runtime/config.js'
import { localFunctionName } from './defaults.js'
import { credentialsOf } from './iam.js'
import type { LambdaHandler, LocalLambda } from './lambda-runtime.js'

export interface LocalFunctionsOptions {
  specs: readonly (readonly [HeraldFunctionName, FunctionSpec])[]
  /** Every setting the stack has; each function gets those its manifest entry reads, as on AWS. */
  env: Env
  settings: AwsClientSettings
  /**
   * Functions (by entry) run in worker threads, one instance each, started as Lambda starts them;
   * `true` runs every one so. The rest run on the main thread.
   */
  threads: boolean | readonly string[]
  /** The account's Management API quota the quota-sharing functions divide. @default unlimited */
  quota?: { rate: number; burst: number }
  /** How many instances of a quota-sharing function divide the quota (the queue's concurrency). @default 1 */
  quotaSharers?: number
  /** Run every function from its esbuild bundle in this folder (`npm run bundle`), as Lambda would. */
  bundles?: string | undefined
}

const modulePath = (entry: string) => fileURLToPath(new URL(`../functions/${entry}.ts`, import.meta.url))

/** The variables a function's entry reads, from `env`: a function sees nothing else, on AWS or here. */
function environmentOf(
  spec: FunctionSpec,
  env: Env,
  quota: LocalFunctionsOptions['quota'],
  sharers: number,
): Env {
  const share = spec.quotaShare && quota ? workerShare(quota, sharers) : undefined
  const own: Env = share
    ? { ...env, HERALD_DELIVERY_RATE: String(share.rate), HERALD_DELIVERY_BURST: String(share.burst) }
    : env
  return Object.fromEntries(
    spec.env.filter((name) => own[name] !== undefined).map((name) => [name, own[name]]),
  )
}

/** What Lambda puts in a function's process environment beside its settings, pointed at the twins. */
function lambdaEnvironment(env: Env, settings: AwsClientSettings): Env {
  const endpoints = settings.endpoints ?? {}
  const all: Env = {
    ...env,
    AWS_REGION: settings.region,
    AWS_ACCESS_KEY_ID: settings.credentials?.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.credentials?.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsmanager,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SCHEDULER: endpoints.scheduler,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL,
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined))
}

/**
 * Registers every function of the manifest with the local Lambda: its module, the variables it
 * reads, keys of its own (so the twin's IAM knows whose role a call runs under), its retries and its
 * reserved concurrency. Returns the in-process functions' clients, for closing.
 */
export async function registerFunctions(
  lambda: LocalLambda,
  options: LocalFunctionsOptions,
): Promise<AwsClients[]> {
  const clients: AwsClients[] = []
  const threaded = (entry: string) =>
    options.threads === true || (options.threads !== false && options.threads.includes(entry))
  await Promise.all(
    options.specs.map(async ([, spec]) => {
      const settings = { ...options.settings, credentials: credentialsOf(spec.entry) }
      const env = environmentOf(spec, options.env, options.quota, options.quotaSharers ?? 1)
      const name = localFunctionName(spec.entry)
      const own = { retryAttempts: spec.retryAttempts, reservedConcurrency: spec.reservedConcurrency }
      if (options.bundles) {
        const file = resolve(options.bundles, spec.entry, 'index.mjs')
        if (!existsSync(file)) throw new ConfigError(`no bundle at ${file}: run npm run bundle`)
        const bundle = pathToFileURL(file).href
        const processEnv = lambdaEnvironment(env, settings)
        const { timeoutSeconds = DEFAULTS.timeoutSeconds, memorySize = DEFAULTS.memorySize } = spec
        await lambda.registerThreaded(name, { bundle, processEnv, name, timeoutSeconds, memorySize }, own)
        return
      }
      if (threaded(spec.entry)) {
        await lambda.registerThreaded(name, { module: modulePath(spec.entry), env, settings }, own)
        return
      }
      const module = (await import(modulePath(spec.entry))) as {
        fromEnvironment: (env: Env, aws: AwsClients) => LambdaHandler
      }
      const aws = awsClients(settings)
      clients.push(aws)
      lambda.register(name, module.fromEnvironment(env, aws), own)
    }),
  )
  return clients
}
