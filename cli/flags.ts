import type { parseArgs } from 'node:util'
import { HeraldError } from '../shared/errors.js'

/** Every flag any `herald` command takes. */
export const options = {
  config: { type: 'string' },
  user: { type: 'string' },
  token: { type: 'string' },
  ttl: { type: 'string' },
  scope: { type: 'string' },
  tenant: { type: 'string' },
  groups: { type: 'string' },
  email: { type: 'string' },
  group: { type: 'string' },
  thread: { type: 'string' },
  title: { type: 'string' },
  message: { type: 'string' },
  severity: { type: 'string' },
  source: { type: 'string' },
  environment: { type: 'string' },
  metadata: { type: 'string' },
  level: { type: 'string' },
  'upload-id': { type: 'string' },
  filename: { type: 'string' },
  status: { type: 'string' },
  progress: { type: 'string' },
  stream: { type: 'string' },
  count: { type: 'string' },
  name: { type: 'string' },
  max: { type: 'string' },
  connections: { type: 'string' },
  days: { type: 'string' },
  'reconnect-minutes': { type: 'string' },
  notifications: { type: 'string' },
  'log-lines': { type: 'string' },
  'log-viewers': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export type Flags = ReturnType<
  typeof parseArgs<{ options: typeof options; allowPositionals: true }>
>['values']

/** A command given wrong or missing arguments: said with the usage. */
export class UsageError extends HeraldError {
  constructor(message: string) {
    super('usage', message)
  }
}

/** A flag the command cannot do without. */
export function need(flags: Flags, name: keyof Flags): string {
  const value = flags[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}
