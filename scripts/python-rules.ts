// Writes python/herald_publisher/rules.json from the TypeScript schemas, so the Python publisher
// checks exactly what the fan-out checks: `npm run python-rules` after changing a schema (a unit
// test fails while the committed file is stale).
import { writeFileSync } from 'node:fs'
import type * as v from 'valibot'
import { EVERY_TENANT } from '../shared/protocol/audience.js'
import { SNS_MAX_MESSAGE_BYTES } from '../shared/protocol/limits.js'
import { ALIASES, NOTIFICATION_SCHEMAS } from '../shared/protocol/notifications.js'
import { PublishBodySchema } from '../shared/protocol/publish-body.js'

type Schema = v.GenericSchema & {
  entries?: Record<string, Schema>
  wrapped?: Schema
  pipe?: (Schema & { options?: string[]; requirement?: number })[]
}

export const PYTHON_RULES_FILE = new URL('../python/herald_publisher/rules.json', import.meta.url)

function fieldsOf(schema: Schema) {
  const required: string[] = []
  const words: Record<string, string[]> = {}
  const ranges: Record<string, [number, number]> = {}
  for (const [name, entry] of Object.entries(schema.entries ?? {})) {
    const inner = entry.type === 'optional' ? (entry.wrapped as Schema) : entry
    if (entry.type !== 'optional') required.push(name)
    const pipe = inner.pipe ?? []
    const picklist = pipe.find((step) => step.type === 'picklist')
    if (picklist?.options) words[name] = picklist.options
    const min = pipe.find((step) => step.type === 'min_value')?.requirement
    const max = pipe.find((step) => step.type === 'max_value')?.requirement
    if (min !== undefined && max !== undefined) ranges[name] = [min, max]
  }
  return { required, words, ranges }
}

/** The rules file's contents: per type, required fields, accepted words, ranges and whether it takes a userId or group. */
export function pythonRules(): string {
  const bodies = (PublishBodySchema as unknown as { options: Schema[] }).options
  const types = Object.fromEntries(
    Object.entries(NOTIFICATION_SCHEMAS).map(([type, schema]) => {
      const body = bodies.find((option) => option.entries?.type?.expects === `"${type}"`)
      return [
        type,
        {
          ...fieldsOf(schema as unknown as Schema),
          userId: Boolean(body?.entries?.userId),
          group: Boolean(body?.entries?.group),
        },
      ]
    }),
  )
  return `${JSON.stringify({ aliases: ALIASES, everyTenant: EVERY_TENANT, maxMessageBytes: SNS_MAX_MESSAGE_BYTES, types }, null, 2)}\n`
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  writeFileSync(PYTHON_RULES_FILE, pythonRules())
}
