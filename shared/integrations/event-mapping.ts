import * as v from 'valibot'
import { type Severity, SeveritySchema } from '../protocol/notifications.js'

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
  /** The group it is for, instead of a user (docs/architecture.md, Tenants and groups). */
  readonly group?: string
  /** The tenant, multi-tenant only; empty after templating means the operator tenant. */
  readonly tenant?: string
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
    group: v.optional(v.string()),
    tenant: v.optional(v.string()),
    uploadId: v.optional(v.string()),
    filename: v.optional(v.string()),
    status: v.optional(v.string()),
    progress: v.optional(v.number()),
  }),
)
