/** An alert's severity, from the most urgent down; the seed's four words. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export type Severity = (typeof SEVERITIES)[number]

const rank = (severity: string): number => SEVERITIES.indexOf(severity as Severity)

/** Whether `severity` is at or above `threshold`; with either unknown, it is. */
export function atLeast(severity: string | undefined, threshold: Severity | undefined): boolean {
  return threshold === undefined || severity === undefined || rank(severity) <= rank(threshold)
}
