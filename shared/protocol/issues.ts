import * as v from 'valibot'

/** Turns validation issues into lines a person can act on: where, and what was wrong. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue) ?? '(root)'
    return issue.received === 'undefined' ? `${path} is required` : `${path}: ${issue.message}`
  })
}
