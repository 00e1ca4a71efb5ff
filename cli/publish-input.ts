import { canonicalWord } from '../shared/protocol/notifications.js'
import type { PublishInput } from '../shared/protocol/publish-body.js'
import { type Flags, need, UsageError } from './flags.js'

/** The notification `herald publish <kind>` sends, from its flags; the publisher validates it. */
export function publishInput(kind: string | undefined, flags: Flags): PublishInput {
  const tenant = flags.tenant === undefined ? {} : { tenant: flags.tenant }
  const group = flags.group === undefined ? {} : { group: flags.group }
  // The inbox entry it joins and how long it is shown: for what an inbox lists, not log events.
  const inbox = {
    ...(flags.thread === undefined ? {} : { threadKey: flags.thread }),
    ...(flags.ttl === undefined ? {} : { ttlSeconds: Number(flags.ttl) }),
  }
  const audience = { ...tenant, ...group, ...(flags.user ? { userId: flags.user } : {}), ...inbox }
  switch (kind) {
    case 'alert':
      return {
        type: 'alert',
        ...audience,
        data: {
          severity: flags.severity ?? 'medium',
          title: need(flags, 'title'),
          message: flags.message ?? '',
          source: flags.source,
          metadata: flags.metadata ? (JSON.parse(flags.metadata) as Record<string, unknown>) : undefined,
        },
      }
    case 'log':
      if (flags.group)
        throw new UsageError('log events reach subscribers by filter, not by group: drop --group')
      return {
        type: 'log_event',
        ...tenant,
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
        ...tenant,
        ...group,
        ...inbox,
        data: {
          title: need(flags, 'title'),
          message: flags.message ?? '',
          severity: flags.severity,
        },
      }
    case 'upload':
      return {
        type: 'upload_status',
        ...audience,
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
