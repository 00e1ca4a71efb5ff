import type { FunctionSpec, HeraldFunctionName } from '../functions/manifest.js'
import type { RejectedNotification } from '../shared/fan-out/rejections.js'
import type { Env } from '../shared/runtime/config.js'
import type { BillMeter } from './bill-meter.js'
import type { LocalDynamo } from './dynamodb.js'
import type { LocalEndpoints } from './endpoints-file.js'
import type { GatewayOptions, LocalGateway } from './gateway.js'
import type { LocalLambda, LocalLambdaOptions } from './lambda-runtime.js'
import type { LocalScheduler } from './scheduler.js'
import type { LocalSes } from './ses.js'
import type { LocalSqs } from './sqs.js'

export interface LocalStackOptions {
  /**
   * The gateway's port; DynamoDB, SNS, Lambda, SQS, Secrets Manager, SES and EventBridge Scheduler
   * take the next seven. 0 picks free ports for all. @default 3001
   */
  port?: number
  /** dynalite keeps its data here; in memory when unset. */
  dataDir?: string
  /**
   * Settings the functions read, as the CDK stack sets them (HERALD_SHARDS, …). HERALD_JWT_SECRET
   * is the key the local Secrets Manager holds for the authorizer. */
  env?: Env
  gateway?: Pick<
    GatewayOptions,
    | 'idleTimeoutMs'
    | 'maxConnectionAgeMs'
    | 'maxMessageBytes'
    | 'throttle'
    | 'mockRoutes'
    | 'stageThrottle'
    | 'newConnectionsPerSecond'
  >
  lambda?: LocalLambdaOptions
  /** How often expired items are deleted, as DynamoDB TTL would. @default 60000 */
  sweepIntervalMs?: number
  /** Where to write the endpoints file (docs/architecture.md, The local stack); not written when unset. */
  configFile?: string
  /** Serve the built demo dashboard from this folder (dist/demo), on the port before the gateway's. */
  dashboardRoot?: string
  /** Delivery workers: the local SQS queue runs at most this many `deliver` invocations at once. @default 2 */
  deliveryWorkers?: number
  /**
   * Functions (by entry, `ingest-logs`) to run in worker threads, each thread one Lambda instance,
   * started when every other is busy, up to the function's concurrency; `true` for all of them, as
   * npm start runs them (`NPM_START_THREADS`). The others run on the main thread, which starts
   * faster (tests) but shares a core with the gateway. `deliver` always runs in threads. @default []
   */
  threads?: boolean | readonly string[]
  /** The account's Management API quota the workers share, as the CDK stack divides it. @default unlimited */
  deliveryBudget?: { rate: number; burst: number }
  /**
   * Run every function from its esbuild bundle in this folder (dist/functions, `npm run bundle`),
   * each in worker threads with its own process environment, as the Lambda runtime loads it.
   * @default the TypeScript sources, in process
   */
  bundles?: string
  /** Called for each publish the fan-out refuses, as it lands in the rejected queue. */
  onRejected?: (rejected: RejectedNotification) => void
  /**
   * Manifest entries to use instead of `functions/manifest.ts`'s, for a test that shows what the
   * twin refuses when a grant is missing. @default the manifest
   */
  functions?: Partial<Record<HeraldFunctionName, FunctionSpec>>
}

export type { LocalEndpoints }

export interface LocalStack extends LocalEndpoints {
  /** The environment the functions run with. */
  env: Env
  gateway: LocalGateway
  lambda: LocalLambda
  sqs: LocalSqs
  /** The local Secrets Manager, which holds the authorizer's key. */
  secretsManagerEndpoint: string
  /** The SES twin: what escalations sent stays in its outbox. */
  ses: LocalSes
  /** The EventBridge Scheduler twin, where escalations wait, and its endpoint. */
  scheduler: LocalScheduler
  schedulerEndpoint: string
  /** The local DynamoDB, which reliability tests can pause and resume. */
  dynamo: LocalDynamo
  /** What AWS would bill for everything the stack has done, counted by the twins as they serve. */
  bill: BillMeter
  /** Resolves once every invocation started so far, and the queued work it caused, is done. */
  idle(): Promise<void>
  close(): Promise<void>
}
