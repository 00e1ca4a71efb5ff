import * as v from 'valibot'

const TOPICS = ['alerts', 'system', 'uploads', 'logs'] as const
export const TopicSchema = v.picklist(TOPICS)
export type Topic = v.InferOutput<typeof TopicSchema>

/** The two endpoints of the seed, told apart by `?stream=` at connect. */
export type Stream = 'notifications' | 'logs'

export const STREAM_TOPICS: Readonly<Record<Stream, readonly Topic[]>> = {
  notifications: ['alerts', 'system', 'uploads'],
  logs: ['logs'],
}

export function streamFromQuery(value: string | undefined): Stream {
  return value === 'logs' ? 'logs' : 'notifications'
}
