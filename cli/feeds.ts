import { readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { LOCAL_CREDENTIALS, localFunctionOf } from '../local/defaults.js'
import { ServiceError } from '../shared/errors.js'
import { type Flags, UsageError } from './flags.js'
import type { Target } from './target.js'

// What AWS services would feed Herald's functions, fed to the local stack by hand: a CloudWatch
// Logs subscription's payload, EventBridge events.

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

export async function ingestLogs(target: Target, file: string | undefined, flags: Flags): Promise<void> {
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
    localFunctionOf('logGroups'),
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

export async function putEvents(target: Target, file: string | undefined): Promise<void> {
  if (!file) throw new UsageError('put-events takes a file')
  const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown
  const events = Array.isArray(parsed) ? parsed : [parsed]
  for (const event of events) {
    await invokeLocal(
      target,
      localFunctionOf('eventRules'),
      event,
      'put-events feeds the local stack; on AWS, EventBridge rules do (eventMappings)',
    )
  }
  console.log(JSON.stringify({ events: events.length }))
}
