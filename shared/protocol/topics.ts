import * as v from 'valibot'
import type { NotificationType } from './notifications.js'

const TOPICS = ['alerts', 'system', 'uploads', 'logs'] as const
export const TopicSchema = v.picklist(TOPICS)
export type Topic = v.InferOutput<typeof TopicSchema>

/** The two endpoints of the seed, told apart by `?stream=` at connect. */
export type Stream = 'notifications' | 'logs'

export const STREAM_TOPICS: Readonly<Record<Stream, readonly Topic[]>> = {
  notifications: ['alerts', 'system', 'uploads'],
  logs: ['logs'],
}

/** The topic a notification type is delivered on. */
export const TOPIC_OF: Readonly<Record<NotificationType, Topic>> = {
  alert: 'alerts',
  log_event: 'logs',
  system: 'system',
  upload_status: 'uploads',
}

/** The topics a user may mute: log events and system notices ignore mutes. */
export const MUTABLE_TOPICS = ['alerts', 'uploads'] as const

export function streamFromQuery(value: string | undefined): Stream {
  return value === 'logs' ? 'logs' : 'notifications'
}
