import type { EventMapping } from '../../shared/integrations/event-mapping.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'

/** The envelope EventBridge hands a rule's Lambda target: an AWS event shape, kept in the adapter. */
export interface BridgeEvent {
  id: string
  source: string
  'detail-type': string
  time: string
  [key: string]: unknown
}

function valueAt(event: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      event,
    )
}

/** Fills `{path}` placeholders from the event; a missing value becomes empty. */
function fillTemplate(template: string, event: unknown): string {
  return template.replace(/\{([\w.-]+)\}/g, (_, path: string) => {
    const value = valueAt(event, path)
    return value === undefined || value === null
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value)
  })
}

/** The notification an event maps to, or undefined when no mapping takes it. */
export function mapEvent(event: BridgeEvent, mappings: readonly EventMapping[]): PublishInput | undefined {
  const mapping = mappings.find(
    (m) => m.source === event.source && (!m.detailType || m.detailType === event['detail-type']),
  )
  if (!mapping) return undefined
  const fill = (template: string | undefined, fallback = '') =>
    template ? fillTemplate(template, event) : fallback
  const userId = fill(mapping.userId)
  const tenant = fill(mapping.tenant)
  const group = fill(mapping.group)
  const audience = { ...(tenant ? { tenant } : {}), ...(group ? { group } : {}) }
  const title = fill(mapping.title, event['detail-type'])
  const message = fill(mapping.message)
  switch (mapping.type) {
    case 'alert':
      return {
        type: 'alert',
        ...audience,
        ...(userId ? { userId } : {}),
        data: {
          severity: mapping.severity ?? 'medium',
          title,
          message,
          source: event.source,
          metadata: { eventId: event.id, detailType: event['detail-type'] },
        },
      }
    case 'system':
      return { type: 'system', ...audience, data: { title, message, severity: mapping.severity ?? 'low' } }
    case 'upload_status':
      return {
        type: 'upload_status',
        ...audience,
        userId,
        data: {
          upload_id: fill(mapping.uploadId, event.id),
          filename: fill(mapping.filename, event.id),
          status: fill(mapping.status, 'completed') as 'completed',
          progress: mapping.progress ?? 100,
          ...(message ? { message } : {}),
        },
      }
  }
}
