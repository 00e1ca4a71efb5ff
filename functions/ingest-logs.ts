import type { CloudWatchLogsEvent } from 'aws-lambda'
import { InvalidNotificationError } from '../shared/errors.js'
import { type FanOutDeps, fanOut, fromOperator } from '../shared/fan-out/fan-out.js'
import { runPool } from '../shared/fan-out/pool.js'
import { stableId } from '../shared/fan-out/stable-id.js'
import { decodeSubscription, toLogEvents } from '../shared/integrations/cloudwatch-logs.js'
import { SourceRateCap } from '../shared/integrations/source-rate-cap.js'
import { newId } from '../shared/protocol/ids.js'
import { parsePublishBody } from '../shared/protocol/publish-body.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import { type Env, logIngestConfig } from '../shared/runtime/config.js'
import { publishingDeps } from '../shared/runtime/delivery.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger } from '../shared/runtime/observability.js'

export interface IngestLogsDeps extends FanOutDeps {
  cap: SourceRateCap
  /** The `environment` every streamed log event gets. @default none */
  environment?: string
}

/**
 * A CloudWatch Logs subscription filter's destination: streams each log line to the `logs`
 * subscribers whose filters match, within a per-source rate cap, and tells `system` subscribers
 * what the cap dropped (the lines stay in CloudWatch Logs).
 */
function createIngestLogsHandler(deps: IngestLogsDeps) {
  return async (event: CloudWatchLogsEvent) => {
    let payload: ReturnType<typeof decodeSubscription>
    try {
      payload = decodeSubscription(event.awslogs.data)
    } catch (error) {
      if (!(error instanceof InvalidNotificationError)) throw error
      logger.error('log subscription payload rejected', { reason: error.message })
      return
    }
    const lines = toLogEvents(payload, deps.environment)
    let streamed = 0
    await runPool(lines, 8, async ({ cloudWatchId, ...log }) => {
      if (!deps.cap.take(log.source ?? 'logs')) return
      const timestamp = log.timestamp ?? new Date().toISOString()
      await fanOut(deps, parsePublishBody(fromOperator(deps, { type: 'log_event', data: log })), {
        id: stableId(cloudWatchId, timestamp),
        timestamp,
      })
      streamed++
    })
    for (const [source, count] of deps.cap.drainDropped()) {
      const notice = {
        title: `Log volume cap: ${count} log events from ${source} not streamed`,
        message: `${source} sent more than ${deps.cap.perSecond} log events a second; the rest stay in CloudWatch Logs (${payload.logGroup}).`,
        severity: 'medium',
      }
      await fanOut(deps, parsePublishBody(fromOperator(deps, { type: 'system', data: notice })), {
        id: newId(),
        timestamp: new Date().toISOString(),
      })
    }
    logger.info('log events ingested', { logGroup: payload.logGroup, lines: lines.length, streamed })
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  const config = logIngestConfig(env)
  return createIngestLogsHandler({
    ...publishingDeps(env, aws),
    cap: new SourceRateCap(config.ratePerSource),
    environment: config.environment,
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
