// `npm start`: Herald on this machine. Quiet function logs unless asked otherwise; these must be
// set before the function modules (and their Powertools logger) load.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN'
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const { existsSync } = await import('node:fs')
const { resolve } = await import('node:path')
const { LOCAL_CONFIG_FILE, NPM_START_THREADS } = await import('./defaults.js')
const { startLocalStack } = await import('./stack.js')
const { vapidKeysFile } = await import('./vapid.js')
const { describeRejection } = await import('../shared/fan-out/rejections.js')
const { DEFAULTS } = await import('../shared/defaults.js')

// The demo dashboard is built by `npm start` (npm run build:demo) before this runs.
const DASHBOARD_ROOT = resolve(import.meta.dirname, '../dist/demo')
const number = (name: string): number | undefined =>
  process.env[name] ? Number(process.env[name]) : undefined
// Every HERALD_* setting reaches the functions, as the CDK stack's environment would.
const functionEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('HERALD_')),
)
const rate = number('HERALD_THROTTLE_RATE')

const { ConfigError } = await import('../shared/errors.js')
const stack = await startLocalStack({
  port: number('HERALD_PORT') ?? 3001,
  dataDir: process.env.HERALD_DATA_DIR,
  env: functionEnv,
  configFile: resolve(process.env.HERALD_CONFIG_FILE ?? LOCAL_CONFIG_FILE),
  dashboardRoot: existsSync(DASHBOARD_ROOT) ? DASHBOARD_ROOT : undefined,
  threads: NPM_START_THREADS,
  gateway: {
    idleTimeoutMs: number('HERALD_IDLE_TIMEOUT_MS'),
    maxConnectionAgeMs: number('HERALD_MAX_CONNECTION_AGE_MS'),
    throttle: rate ? { rate, burst: number('HERALD_THROTTLE_BURST') ?? rate } : undefined,
  },
  onRejected: (rejected) => console.error(describeRejection(rejected)),
  lambda: {
    onFailure: (name, _event, error) =>
      console.error(`${name} failed after Lambda's retries: ${String(error)}`),
  },
}).catch((error: unknown) => {
  // A setting that cannot work is said in one line, not as a stack trace.
  if (!(error instanceof ConfigError)) throw error
  console.error(`npm start: ${error.message}`)
  process.exit(1)
})

// A multi-tenant stack refuses a token or a publish without a tenant: the hints carry one.
const tenancy = process.env.HERALD_TENANT_CLAIM
  ? { token: ' --tenant acme --groups oncall', publish: ' --tenant acme', body: '"tenant":"acme",' }
  : { token: '', publish: '', body: '' }

console.log(`Herald is running locally${tenancy.body ? ', multi-tenant' : ''}.

  Dashboard        ${stack.dashboardUrl ?? '(not built: npm run build:demo)'}
  WebSocket        ${stack.websocketUrl}/?token=<token>        (add &stream=logs for the log stream)
  Management API   ${stack.managementUrl}/@connections/{id}
  SNS (Publish)    ${stack.snsEndpoint}   topic ${stack.topicArn}
  DynamoDB         ${stack.dynamodbEndpoint}
  Lambda (Invoke)  ${stack.lambdaEndpoint}
  Secrets Manager  ${stack.secretsManagerEndpoint}   the key local tokens are signed with
  SQS              ${stack.sqsEndpoint}   deliveries and dead letters (npm run herald -- replay)
  SES              ${stack.sesEndpoint}   a critical alert unread for ${process.env.HERALD_ESCALATE_AFTER_SECONDS ?? DEFAULTS.escalateAfterSeconds} s is e-mailed here (npm run herald -- outbox)
  Web Push         VAPID keys in ${vapidKeysFile(process.env.HERALD_CONFIG_FILE ?? LOCAL_CONFIG_FILE)}   push services on http://127.0.0.1 are taken too
  Endpoints file   ${process.env.HERALD_CONFIG_FILE ?? LOCAL_CONFIG_FILE}

Get a token:       npm run --silent herald -- token --user alice${tenancy.token}
Publish an alert:  npm run herald -- publish alert --user alice${tenancy.publish} --severity high --title "Disk 91% full"
Watch frames:      npm run herald -- tail --user alice${tenancy.token}
With the AWS CLI:  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws sns publish --region ${stack.region} \\
                     --endpoint-url ${stack.snsEndpoint} --topic-arn ${stack.topicArn} \\
                     --message '{"type":"system",${tenancy.body}"data":{"title":"Hi","message":"from the CLI"}}'
From Python:       pip install ./python, then HERALD_TOPIC_ARN=${stack.topicArn} HERALD_SNS_ENDPOINT=${stack.snsEndpoint}
Refused publishes: npm run herald -- rejected      (each is also printed here as it happens)
Ctrl-C stops it.`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await stack.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
