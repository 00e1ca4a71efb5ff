import type { EventBridgeEvent } from 'aws-lambda'
import { InvalidNotificationError } from '../shared/errors.js'
import { type FanOutDeps, fanOut, fromOperator } from '../shared/fan-out/fan-out.js'
import { stableId } from '../shared/fan-out/stable-id.js'
import type { EventMapping } from '../shared/integrations/event-mapping.js'
import { parsePublishBody } from '../shared/protocol/publish-body.js'
import { type AwsClients, awsClients } from '../shared/runtime/aws-clients.js'
import type { Env } from '../shared/runtime/config.js'
import { publishingDeps } from '../shared/runtime/delivery.js'
import { eventMappings } from '../shared/runtime/json-settings.js'
import { lazyHandler } from '../shared/runtime/lazy-handler.js'
import { logger } from '../shared/runtime/observability.js'
import { type BridgeEvent, mapEvent } from './adapters/eventbridge.js'

/**
 * An EventBridge rule's target: maps the event through the construct's declarative mappings and
 * fans the notification out. The envelope id comes from the event's id, so a redelivered event is
 * a duplicate clients drop; an event no mapping takes, or that maps to nothing valid, is logged.
 */
function createEventsHandler(deps: FanOutDeps & { mappings: readonly EventMapping[] }) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    const bridge = event as unknown as BridgeEvent
    const input = mapEvent(bridge, deps.mappings)
    if (!input) {
      logger.warn('no mapping for event', { source: bridge.source, detailType: bridge['detail-type'] })
      return
    }
    try {
      const report = await fanOut(deps, parsePublishBody(fromOperator(deps, input)), {
        id: stableId(bridge.id, bridge.time),
        timestamp: bridge.time,
      })
      logger.info('event delivered', { eventId: bridge.id, ...report })
    } catch (error) {
      if (!(error instanceof InvalidNotificationError)) throw error
      logger.error('event mapped to an invalid notification', { eventId: bridge.id, reason: error.message })
    }
  }
}

export function fromEnvironment(env: Env, aws: AwsClients) {
  return createEventsHandler({
    ...publishingDeps(env, aws),
    mappings: eventMappings(env),
  })
}

export const handler = lazyHandler(() => fromEnvironment(process.env, awsClients()))
