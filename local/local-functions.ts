import { fileURLToPath } from 'node:url'
import type { FunctionSpec, HeraldFunctionName } from '../functions/manifest.js'
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
  /** Functions run as that many worker-thread instances; the rest on the main thread. */
  threads: Partial<Record<string, number>>
  /** The account's Management API quota the quota-sharing functions divide. @default unlimited */
  quota?: { rate: number; burst: number }
}

const modulePath = (entry: string) => fileURLToPath(new URL(`../functions/${entry}.ts`, import.meta.url))

/** The variables a function's entry reads, from `env`: a function sees nothing else, on AWS or here. */
function environmentOf(
  spec: FunctionSpec,
  env: Env,
  quota: LocalFunctionsOptions['quota'],
  instances: number,
): Env {
  const share = spec.quotaShare && quota ? workerShare(quota, instances) : undefined
  const own: Env = share
    ? { ...env, HERALD_DELIVERY_RATE: String(share.rate), HERALD_DELIVERY_BURST: String(share.burst) }
    : env
  return Object.fromEntries(
    spec.env.filter((name) => own[name] !== undefined).map((name) => [name, own[name]]),
  )
}

/**
 * Registers every function of the manifest with the local Lambda: its module, the variables it
 * reads, keys of its own (so the twin's IAM knows whose role a call runs under) and its retries.
 * Returns the in-process functions' clients, for closing.
 */
export async function registerFunctions(
  lambda: LocalLambda,
  options: LocalFunctionsOptions,
): Promise<AwsClients[]> {
  const clients: AwsClients[] = []
  await Promise.all(
    options.specs.map(async ([, spec]) => {
      const instances = options.threads[spec.entry]
      const settings = { ...options.settings, credentials: credentialsOf(spec.entry) }
      const env = environmentOf(spec, options.env, options.quota, instances ?? 1)
      const name = localFunctionName(spec.entry)
      if (instances) {
        await lambda.registerThreaded(
          name,
          { module: modulePath(spec.entry), env, settings, instances },
          spec.retryAttempts,
        )
        return
      }
      const module = (await import(modulePath(spec.entry))) as {
        fromEnvironment: (env: Env, aws: AwsClients) => LambdaHandler
      }
      const own = awsClients(settings)
      clients.push(own)
      lambda.register(name, module.fromEnvironment(env, own), spec.retryAttempts)
    }),
  )
  return clients
}
