import * as v from 'valibot'
import { ConfigError } from '../errors.js'
import { type AlarmRules, AlarmRulesSchema } from '../integrations/cloudwatch-alarm.js'
import { type EventMapping, EventMappingsSchema } from '../integrations/event-mapping.js'
import { describeIssues } from '../protocol/issues.js'
import type { Env } from './config.js'
import type { Variable } from './variables.js'

// The JSON settings, apart from config.ts so only the functions that read them load valibot's schemas.

/** A JSON setting, checked against `schema`; a bad one names the variable and what is wrong. */
function jsonSetting<T>(env: Env, name: Variable, schema: v.GenericSchema<unknown, T>): T | undefined {
  const text = env[name]
  if (!text) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ConfigError(`environment variable ${name} must be JSON`)
  }
  const parsed = v.safeParse(schema, value)
  if (!parsed.success)
    throw new ConfigError(`environment variable ${name}: ${describeIssues(parsed.issues).join('; ')}`)
  return parsed.output
}

/** Severity and routing rules for CloudWatch alarms, as JSON in HERALD_ALARM_RULES (see AlarmRules). */
export function alarmRules(env: Env): AlarmRules | undefined {
  return jsonSetting(env, 'HERALD_ALARM_RULES', AlarmRulesSchema)
}

/** EventBridge mappings, as JSON in HERALD_EVENT_MAPPINGS (the construct's eventMappings). */
export function eventMappings(env: Env): EventMapping[] {
  return jsonSetting(env, 'HERALD_EVENT_MAPPINGS', EventMappingsSchema) ?? []
}
