import type { LogLevel, Severity } from '../../shared/protocol/notifications.js'
import type { PublishInput } from '../../shared/protocol/publish-body.js'

const SOURCES = ['api', 'worker', 'billing']
const ENVIRONMENTS = ['prod', 'staging']
export const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)] as T

/** What the demo's buttons publish: one of each kind of notification, as a real service would. */
export const samples = {
  alert: (severity: Severity, userId: string | undefined): PublishInput => ({
    type: 'alert',
    ...(userId ? { userId } : {}),
    data: {
      severity,
      title: `${severity[0]?.toUpperCase()}${severity.slice(1)}: disk 91% full on db-1`,
      message: 'Free space below 10%.',
      source: 'monitoring',
    },
  }),
  log: (level: LogLevel): PublishInput => ({
    type: 'log_event',
    data: {
      level,
      message: `${level} from a sample request #${Math.floor(Math.random() * 1000)}`,
      source: pick(SOURCES),
      environment: pick(ENVIRONMENTS),
      timestamp: new Date().toISOString(),
    },
  }),
  system: (): PublishInput => ({
    type: 'system',
    data: { title: 'Maintenance tonight', message: 'Writes pause 02:00–02:10 UTC.', severity: 'medium' },
  }),
  /** One upload's progress, 0 % to completed, as four statuses with the same upload_id. */
  upload: (userId: string): PublishInput[] => {
    const uploadId = `u-${Date.now()}`
    return [0, 35, 70, 100].map((progress) => ({
      type: 'upload_status',
      userId,
      data: {
        upload_id: uploadId,
        filename: 'q3-report.csv',
        status: progress < 100 ? 'processing' : 'completed',
        progress,
      },
    }))
  },
}
