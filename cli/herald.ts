import { parseArgs } from 'node:util'
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { SQSClient } from '@aws-sdk/client-sqs'
import webPush from 'web-push'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET } from '../local/defaults.js'
import { signLocalToken } from '../shared/auth/local-token.js'
import { InvalidNotificationError } from '../shared/errors.js'
import { createPublisher } from '../shared/publisher/publisher.js'
import { awsClients } from '../shared/runtime/aws-clients.js'
import { invokeAsync } from '../shared/runtime/lambda.js'
import { alarmStateChange } from './alarm-message.js'
import { printCost } from './cost/command.js'
import { ingestLogs, putEvents } from './feeds.js'
import { type Flags, need, options, UsageError } from './flags.js'
import { formatOutbox, readOutbox } from './outbox.js'
import { publishInput } from './publish-input.js'
import { formatRejected, listRejected } from './rejected.js'
import { replayDeadLetters } from './replay.js'
import { tail } from './tail.js'
import { loadTarget, type Target } from './target.js'

// The SDK warns on every client that Node 20 support ends in 2027; a CLI user cannot act on it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const USAGE = `herald <command> [options]

  token   --user U [--tenant T] [--groups a,b] [--email E] [--ttl SECONDS] [--scope "a b"]
                                                        print a token for the local stack (HERALD_JWT_SECRET)
  publish alert  --title T [--message M] [--severity critical|high|medium|low] [--user U | --group G] [--source S] [--metadata JSON]
  publish log    --message M [--level debug|info|warning|error|critical] [--source S] [--environment E]
  publish system --title T [--message M] [--severity info|warning|error|critical|high|medium|low] [--group G]
  publish upload --upload-id ID --filename F --status processing|completed|failed [--user U | --group G] [--progress 0-100] [--message M]
                 levels and severities in any case, with warn, fatal, err and trace as aliases; no --user or --group:
                 every subscriber. Every publish takes --tenant T (required when multi-tenant; "*" = every tenant);
                 alert, system and upload take --thread K (one inbox entry per key) and --ttl SECONDS (expiry)
  publish cloudwatch-alarm --name N [--status ALARM|OK|INSUFFICIENT_DATA] [--message REASON] [--source METRIC]
                                                        what a CloudWatch alarm action sends to Herald's topic
  tail    [--user U [--tenant T] [--groups a,b] | --token T] [--stream logs] [--level L] [--source S] [--environment E] [--count N]
  ingest-logs FILE [--source LOG_GROUP]                 stream a file's lines (or a JSON array of {message, timestamp})
                                                        to the local stack as a CloudWatch Logs subscription would
  put-events FILE                                       deliver EventBridge events (a JSON event or array) to the local
                                                        stack's events function, as a rule would
  replay  [--max N]                                     publish the dead-letter queue's notifications again, re-queue its batches,
                                                        check its failed escalations again
  cost    --connections N [--days 30] [--reconnect-minutes 115] [--notifications kind:perMonth:audience,...]
          [--log-lines N --log-viewers N] [--json]       the monthly AWS bill for a workload, line by line (us-east-1)
  rejected [--max N]                                    list publishes the fan-out refused (kept 14 days): time, reason, body
  outbox  [--json]                                      the e-mails the local stack sent (escalations), oldest first;
                                                        --json: [{ to, subject, text, sentAt }]
  vapid                                                 a new VAPID key pair for Web Push, as JSON {publicKey, privateKey}:
                                                        the private key goes in a secret (docs/deploy.md, Web Push)

  --config FILE   a deployed stack's \`cdk deploy --outputs-file\` (default: .herald/local.json from npm start)`

/** A local token; the claim names are the running stack's (its endpoints file), else the environment's. */
async function tokenFor(flags: Flags): Promise<string> {
  const target = await loadTarget(flags.config).catch(() => undefined)
  const ttl = flags.ttl ? Number(flags.ttl) : undefined
  return signLocalToken({
    userId: flags.user ?? 'cli',
    secret: process.env.HERALD_JWT_SECRET ?? LOCAL_JWT_SECRET,
    ttlSeconds: ttl,
    scope: flags.scope,
    tenant: flags.tenant,
    tenantClaim: target?.tenantClaim ?? process.env.HERALD_TENANT_CLAIM,
    groups: flags.groups
      ?.split(',')
      .map((group) => group.trim())
      .filter(Boolean),
    groupsClaim: process.env.HERALD_GROUPS_CLAIM,
    email: flags.email,
    emailClaim: process.env.HERALD_EMAIL_CLAIM,
  })
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

async function outbox(target: Target, flags: Flags): Promise<void> {
  if (!target.local || !target.sesEndpoint)
    throw new UsageError(
      'only the local stack keeps an outbox; on AWS, SES sends the e-mail (see its sending statistics)',
    )
  const entries = await readOutbox(target.sesEndpoint)
  console.log(flags.json ? JSON.stringify(entries, null, 2) : formatOutbox(entries))
}

async function replay(target: Target, flags: Flags): Promise<void> {
  if (!target.deadLetterQueueUrl || !target.deliveryQueueUrl) {
    throw new UsageError(
      'this config names no DeadLetterQueueUrl and DeliveryQueueUrl (redeploy, or restart npm start)',
    )
  }
  const { client, publisher } = publisherFor(target)
  const sqs = sqsFor(target)
  const aws = awsClients({
    region: target.region,
    ...(target.local ? { credentials: LOCAL_CREDENTIALS, endpoints: { lambda: target.lambdaEndpoint } } : {}),
  })
  const report = await replayDeadLetters({
    sqs,
    publisher,
    invoke: (functionArn, payload) => invokeAsync(aws, functionArn)(payload),
    deadLetterQueueUrl: target.deadLetterQueueUrl,
    deliveryQueueUrl: target.deliveryQueueUrl,
    max: flags.max ? Number(flags.max) : undefined,
  })
  console.log(JSON.stringify(report))
  client.destroy()
  sqs.destroy()
  aws.destroy()
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
    case 'cost':
      return printCost(flags)
    case 'token':
      console.log(await tokenFor({ ...flags, user: need(flags, 'user') }))
      return
    case 'vapid':
      console.log(JSON.stringify(webPush.generateVAPIDKeys()))
      return
    case 'publish':
      return publish(await loadTarget(flags.config), kind, flags)
    case 'tail':
      return tail(await loadTarget(flags.config), flags, flags.token ?? (await tokenFor(flags)))
    case 'ingest-logs':
      return ingestLogs(await loadTarget(flags.config), kind, flags)
    case 'put-events':
      return putEvents(await loadTarget(flags.config), kind)
    case 'replay':
      return replay(await loadTarget(flags.config), flags)
    case 'rejected':
      return rejected(await loadTarget(flags.config), flags)
    case 'outbox':
      return outbox(await loadTarget(flags.config), flags)
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
