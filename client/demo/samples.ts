import type { LogLevel, Severity } from '../../shared/protocol/notifications.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'

const SOURCES = ['api', 'worker', 'billing']
const ENVIRONMENTS = ['prod', 'staging']
export const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)] as T

/** Who a sample goes to: the signed-in tenant, and within it one user, one group or everyone. */
export interface SampleAudience {
  tenant?: string
  userId?: string
  group?: string
}

const tenantOf = (to: SampleAudience) => (to.tenant === undefined ? {} : { tenant: to.tenant })
// System notices go to everyone or a group, never to one user.
const withoutUser = ({ userId: _, ...to }: SampleAudience) => to

/** Where an alert comes from, which preferences can mute, and the thread it joins, if any. */
export interface AlertOrigin {
  source: string
  threadKey?: string
}

/** What the demo's buttons publish: one of each kind of notification, as a real service would. */
export const samples = {
  alert: (
    severity: Severity,
    to: SampleAudience,
    origin: AlertOrigin = { source: 'monitoring' },
  ): PublishInput => ({
    type: 'alert',
    ...to,
    ...(origin.threadKey ? { threadKey: origin.threadKey } : {}),
    data: {
      severity,
      title: `${severity[0]?.toUpperCase()}${severity.slice(1)}: disk 91% full on db-1`,
      message: 'Free space below 10%.',
      source: origin.source,
    },
  }),
  log: (level: LogLevel, to: SampleAudience): PublishInput => ({
    type: 'log_event',
    ...tenantOf(to),
    data: {
      level,
      message: `${level} from a sample request #${Math.floor(Math.random() * 1000)}`,
      source: pick(SOURCES),
      environment: pick(ENVIRONMENTS),
      timestamp: new Date().toISOString(),
    },
  }),
  system: (to: SampleAudience): PublishInput => ({
    type: 'system',
    ...withoutUser(to),
    data: { title: 'Maintenance tonight', message: 'Writes pause 02:00–02:10 UTC.', severity: 'medium' },
  }),
  /** One upload's progress, 0 % to completed, as four statuses with the same upload_id. */
  upload: (to: SampleAudience): PublishInput[] => {
    const uploadId = `u-${Date.now()}`
    return [0, 35, 70, 100].map((progress) => ({
      type: 'upload_status',
      ...to,
      data: {
        upload_id: uploadId,
        filename: 'q3-report.csv',
        status: progress < 100 ? 'processing' : 'completed',
        progress,
      },
    }))
  },
}
