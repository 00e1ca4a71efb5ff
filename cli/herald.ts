import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { SQSClient } from '@aws-sdk/client-sqs'
import WebSocket from 'ws'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET, localFunctionName } from '../local/defaults.js'
import { signLocalToken } from '../shared/auth/local-token.js'
import { HeraldError, InvalidNotificationError, ServiceError } from '../shared/errors.js'
import type { LogFilters } from '../shared/protocol/frames.js'
import { canonicalWord } from '../shared/protocol/notifications.js'
import type { PublishInput } from '../shared/protocol/publish-body.js'
import { createPublisher } from '../shared/publisher/publisher.js'
import { alarmStateChange } from './alarm-message.js'
import { formatRejected, listRejected } from './rejected.js'
import { replayDeadLetters } from './replay.js'
import { loadTarget, type Target } from './target.js'

// The SDK warns on every client that Node 20 support ends in 2027; a CLI user cannot act on it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const USAGE = `herald <command> [options]

  token   --user U [--ttl SECONDS] [--scope "a b"]      print a token for the local stack (HERALD_JWT_SECRET)
  publish alert  --title T [--message M] [--severity critical|high|medium|low] [--user U] [--source S] [--metadata JSON]
  publish log    --message M [--level debug|info|warning|error|critical] [--source S] [--environment E]
  publish system --title T [--message M] [--severity info|warning|error|critical|high|medium|low]
  publish upload --upload-id ID --filename F --status processing|completed|failed [--user U] [--progress 0-100] [--message M]
                 levels and severities in any case, with warn, fatal, err and trace as aliases; no --user: every subscriber
  publish cloudwatch-alarm --name N [--status ALARM|OK|INSUFFICIENT_DATA] [--message REASON] [--source METRIC]
                                                        what a CloudWatch alarm action sends to Herald's topic
  tail    [--user U | --token T] [--stream logs] [--level L] [--source S] [--environment E] [--count N]
  ingest-logs FILE [--source LOG_GROUP]                 stream a file's lines (or a JSON array of {message, timestamp})
                                                        to the local stack as a CloudWatch Logs subscription would
  put-events FILE                                       deliver EventBridge events (a JSON event or array) to the local
                                                        stack's events function, as a rule would
  replay  [--max N]                                     publish the dead-letter queue's notifications again, re-queue its batches
  rejected [--max N]                                    list publishes the fan-out refused (kept 14 days): time, reason, body

  --config FILE   a deployed stack's \`cdk deploy --outputs-file\` (default: .herald/local.json from npm start)`

const options = {
  config: { type: 'string' },
  user: { type: 'string' },
  token: { type: 'string' },
  ttl: { type: 'string' },
  scope: { type: 'string' },
  title: { type: 'string' },
  message: { type: 'string' },
  severity: { type: 'string' },
  source: { type: 'string' },
  environment: { type: 'string' },
  metadata: { type: 'string' },
  level: { type: 'string' },
  'upload-id': { type: 'string' },
  filename: { type: 'string' },
  status: { type: 'string' },
  progress: { type: 'string' },
  stream: { type: 'string' },
  count: { type: 'string' },
  name: { type: 'string' },
  max: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values']

/** A command given wrong or missing arguments: said with the usage. */
class UsageError extends HeraldError {
  constructor(message: string) {
    super('usage', message)
  }
}

function need(flags: Flags, name: keyof Flags): string {
  const value = flags[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

function tokenFor(flags: Flags): Promise<string> {
  const ttl = flags.ttl ? Number(flags.ttl) : undefined
  return signLocalToken({
    userId: flags.user ?? 'cli',
    secret: process.env.HERALD_JWT_SECRET ?? LOCAL_JWT_SECRET,
    ttlSeconds: ttl,
    scope: flags.scope,
  })
}

function publishInput(kind: string | undefined, flags: Flags): PublishInput {
  const user = flags.user ? { userId: flags.user } : {}
  switch (kind) {
    case 'alert':
      return {
        type: 'alert',
        ...user,
        data: {
          severity: flags.severity ?? 'medium',
          title: need(flags, 'title'),
          message: flags.message ?? '',
          source: flags.source,
          metadata: flags.metadata ? (JSON.parse(flags.metadata) as Record<string, unknown>) : undefined,
        },
      }
    case 'log':
      return {
        type: 'log_event',
        data: {
          level: flags.level ?? 'info',
          message: need(flags, 'message'),
          source: flags.source,
          environment: flags.environment,
          timestamp: new Date().toISOString(),
        },
      }
    case 'system':
      return {
        type: 'system',
        data: {
          title: need(flags, 'title'),
          message: flags.message ?? '',
          severity: flags.severity,
        },
      }
    case 'upload':
      return {
        type: 'upload_status',
        ...user,
        data: {
          upload_id: need(flags, 'upload-id'),
          filename: need(flags, 'filename'),
          status: need(flags, 'status'),
          progress:
            flags.progress !== undefined
              ? Number(flags.progress)
              : canonicalWord(flags.status ?? '') === 'completed'
                ? 100
                : 0,
          message: flags.message,
        },
      }
    default:
      throw new UsageError('publish takes alert, log, system or upload')
  }
}

function publisherFor(target: Target) {
  const client = new SNSClient({
    region: target.region,
    ...(target.local ? { endpoint: target.snsEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
  })
  return { client, publisher: createPublisher({ client, topicArn: target.topicArn }) }
}

async function publish(target: Target, kind: string | undefined, flags: Flags): Promise<void> {
  const { client, publisher } = publisherFor(target)
  if (kind === 'cloudwatch-alarm') {
    // Exactly the JSON CloudWatch publishes to an alarm action's topic, sent as CloudWatch would.
    const name = need(flags, 'name')
    const message = alarmStateChange({
      name,
      region: target.region,
      state: flags.status,
      reason: flags.message,
      metric: flags.source,
    })
    const result = await client.send(new PublishCommand({ TopicArn: target.topicArn, Message: message }))
    console.log(JSON.stringify({ messageId: result.MessageId }))
  } else {
    console.log(JSON.stringify(await publisher.publish(publishInput(kind, flags))))
  }
  client.destroy()
}

/** A JSON array of `{ message, timestamp? }`, or else one log line per line of text. */
function readLines(text: string): { message: string; timestamp?: number }[] {
  try {
    const parsed = JSON.parse(text) as unknown
    if (Array.isArray(parsed)) return parsed as { message: string; timestamp?: number }[]
  } catch {
    // Plain text: one line each.
  }
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((message) => ({ message }))
}

async function ingestLogs(target: Target, file: string | undefined, flags: Flags): Promise<void> {
  if (!file) throw new UsageError('ingest-logs takes a file')
  const text = await readFile(file, 'utf8')
  const now = Date.now()
  const lines = readLines(text)
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: '000000000000',
    logGroup: flags.source ?? '/aws/lambda/local-app',
    logStream: 'herald-cli',
    subscriptionFilters: ['herald'],
    logEvents: lines.map((line, i) => ({
      id: `${now}${i}`,
      timestamp: line.timestamp ?? now + i,
      message: line.message,
    })),
  }
  const event = { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } }
  await invokeLocal(
    target,
    localFunctionName('ingest-logs'),
    event,
    'ingest-logs feeds the local stack; on AWS, name the log groups in the construct (logGroups)',
  )
  console.log(JSON.stringify({ lines: lines.length }))
}

/** Invokes one of the local stack's functions as its AWS trigger would, through the Lambda Invoke API. */
async function invokeLocal(
  target: Target,
  functionName: string,
  event: unknown,
  hint: string,
): Promise<void> {
  if (!target.local || !target.lambdaEndpoint) throw new UsageError(hint)
  const lambda = new LambdaClient({
    region: target.region,
    endpoint: target.lambdaEndpoint,
    credentials: LOCAL_CREDENTIALS,
  })
  const result = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(event) }),
  )
  lambda.destroy()
  if (result.FunctionError) throw new ServiceError(new TextDecoder().decode(result.Payload))
}

async function putEvents(target: Target, file: string | undefined): Promise<void> {
  if (!file) throw new UsageError('put-events takes a file')
  const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown
  const events = Array.isArray(parsed) ? parsed : [parsed]
  for (const event of events) {
    await invokeLocal(
      target,
      localFunctionName('events'),
      event,
      'put-events feeds the local stack; on AWS, EventBridge rules do (eventMappings)',
    )
  }
  console.log(JSON.stringify({ events: events.length }))
}

function sqsFor(target: Target): SQSClient {
  return new SQSClient({
    region: target.region,
    ...(target.local ? { endpoint: target.sqsEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
  })
}

async function rejected(target: Target, flags: Flags): Promise<void> {
  if (!target.rejectedQueueUrl) {
    throw new UsageError('this config names no RejectedQueueUrl (redeploy, or restart npm start)')
  }
  const sqs = sqsFor(target)
  const list = await listRejected(sqs, target.rejectedQueueUrl, flags.max ? Number(flags.max) : undefined)
  sqs.destroy()
  console.log(list.length ? list.map((each) => formatRejected(each)).join('\n') : 'no rejected notifications')
}

async function replay(target: Target, flags: Flags): Promise<void> {
  if (!target.deadLetterQueueUrl || !target.deliveryQueueUrl) {
    throw new UsageError(
      'this config names no DeadLetterQueueUrl and DeliveryQueueUrl (redeploy, or restart npm start)',
    )
  }
  const { client, publisher } = publisherFor(target)
  const sqs = sqsFor(target)
  const report = await replayDeadLetters({
    sqs,
    publisher,
    deadLetterQueueUrl: target.deadLetterQueueUrl,
    deliveryQueueUrl: target.deliveryQueueUrl,
    max: flags.max ? Number(flags.max) : undefined,
  })
  console.log(JSON.stringify(report))
  client.destroy()
  sqs.destroy()
}

async function tail(target: Target, flags: Flags): Promise<void> {
  const token = flags.token ?? (await tokenFor(flags))
  const stream = flags.stream === 'logs' ? '&stream=logs' : ''
  const filters: LogFilters = {
    level: flags.level as LogFilters['level'],
    source: flags.source,
    environment: flags.environment,
  }
  const wantsFilters = Object.values(filters).some((value) => value !== undefined)
  let left = flags.count ? Number(flags.count) : Number.POSITIVE_INFINITY
  const socket = new WebSocket(`${target.websocketUrl}/?token=${encodeURIComponent(token)}${stream}`)
  socket.on('unexpected-response', (_, response) => {
    console.error(`refused: HTTP ${response.statusCode}`)
    process.exit(1)
  })
  socket.on('message', (data) => {
    const text = data.toString()
    console.log(text)
    const type = (JSON.parse(text) as { type: string }).type
    if (type === 'connection_established' && wantsFilters) {
      socket.send(JSON.stringify({ type: 'set_filters', filters: JSON.parse(JSON.stringify(filters)) }))
    }
    if (
      !['connection_established', 'pong', 'subscribed', 'unsubscribed', 'filters_updated'].includes(type) &&
      --left <= 0
    ) {
      socket.close()
    }
  })
  // A heartbeat well under API Gateway's 10-minute idle timeout.
  const heartbeat = setInterval(() => socket.send('{"type":"ping"}'), 5 * 60 * 1000)
  await new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve())
    socket.on('error', reject)
  })
  clearInterval(heartbeat)
}

async function main(argv: string[]): Promise<void> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    options,
    allowPositionals: true,
    strict: true,
  })
  const [command, kind] = positionals
  if (flags.help || !command) {
    console.log(USAGE)
    return
  }
  switch (command) {
    case 'token':
      console.log(await tokenFor({ ...flags, user: need(flags, 'user') }))
      return
    case 'publish':
      return publish(await loadTarget(flags.config), kind, flags)
    case 'tail':
      return tail(await loadTarget(flags.config), flags)
    case 'ingest-logs':
      return ingestLogs(await loadTarget(flags.config), kind, flags)
    case 'put-events':
      return putEvents(await loadTarget(flags.config), kind)
    case 'replay':
      return replay(await loadTarget(flags.config), flags)
    case 'rejected':
      return rejected(await loadTarget(flags.config), flags)
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
  } else if (error instanceof InvalidNotificationError) {
    console.error(error.message)
  } else {
    console.error(`herald: ${(error as Error).message}`)
  }
  process.exit(2)
})
