import type { AlarmRules } from './cloudwatch-alarm.js'

/** The user `npm run smoke` connects as; the smoke alarm's alerts go to this user alone. */
export const SMOKE_USER = 'herald-smoke'

/** `rules` with the alarm named `alarmName` routed to the smoke user ahead of any other route. */
export function withSmokeRoute(alarmName: string, rules: AlarmRules = {}): AlarmRules {
  const exact = `^${alarmName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`
  return { ...rules, route: [{ match: exact, userId: SMOKE_USER }, ...(rules.route ?? [])] }
}
