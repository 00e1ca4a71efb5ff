import * as v from 'valibot'
import { type Severity, SeveritySchema } from '../protocol/notifications.js'
import type { PublishInput } from '../protocol/publish-body.js'

/**
 * How EventBridge events become notifications. Text fields are templates: `{detail.status}` is
 * replaced by that path's value in the event. The first mapping whose source (and detail-type,
 * when given) matches an event wins.
 *
 * @example
 * { source: 'aws.states', detailType: 'Step Functions Execution Status Change', type: 'alert', severity: 'high',
 *   title: 'Workflow {detail.status}', message: '{detail.name} ended {detail.status}' }
 */
export interface EventMapping {
  readonly source: string
  readonly detailType?: string
  readonly type: 'alert' | 'system' | 'upload_status'
  readonly severity?: Severity
  readonly title?: string
  readonly message?: string
  /** The user an alert or upload status is for; an alert without one goes to everyone. */
  readonly userId?: string
  readonly uploadId?: string
  readonly filename?: string
  /** processing, completed or failed (after templating). */
  readonly status?: string
  readonly progress?: number
}

/** EventMapping as the events function reads them from HERALD_EVENT_MAPPINGS. */
export const EventMappingsSchema = v.array(
  v.object({
    source: v.string(),
    detailType: v.optional(v.string()),
    type: v.picklist(['alert', 'system', 'upload_status']),
    severity: v.optional(SeveritySchema),
    title: v.optional(v.string()),
    message: v.optional(v.string()),
    userId: v.optional(v.string()),
    uploadId: v.optional(v.string()),
    filename: v.optional(v.string()),
    status: v.optional(v.string()),
    progress: v.optional(v.number()),
  }),
)

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
export function fillTemplate(template: string, event: unknown): string {
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
  const title = fill(mapping.title, event['detail-type'])
  const message = fill(mapping.message)
  switch (mapping.type) {
    case 'alert':
      return {
        type: 'alert',
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
      return { type: 'system', data: { title, message, severity: mapping.severity ?? 'low' } }
    case 'upload_status':
      return {
        type: 'upload_status',
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
