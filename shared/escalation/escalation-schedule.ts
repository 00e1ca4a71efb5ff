import { createHash } from 'node:crypto'
import type { SchedulerClient } from '@aws-sdk/client-scheduler'
import type { AwsClients } from '../runtime/aws-clients.js'
import { clientConfig } from '../runtime/aws-clients.js'
import type { EscalationRequest } from './escalation.js'

/** Where and how long an escalation waits: a one-time schedule in Herald's group, run as its role. */
export interface EscalationSchedule {
  group: string
  /** The role the scheduler invokes the target with; the caller needs `iam:PassRole` on it. */
  roleArn: string
  /** The escalate function. */
  targetArn: string
  afterSeconds: number
}

/**
 * The schedule's name, the same for every try of one alert to one user, so a retried fan-out
 * conflicts with its first schedule instead of making a second. A hash: user ids and publishers'
 * ids may hold characters a name may not, and a name is no place for a user id.
 */
export function scheduleNameOf(request: EscalationRequest): string {
  const key = JSON.stringify([request.owner.tenant ?? '', request.owner.userId, request.id])
  return `escalate-${createHash('sha256').update(key).digest('base64url')}`
}

/** `at()` wants the time to the second, in the schedule's zone (UTC here). */
const atExpression = (ms: number): string =>
  `at(${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)})`

/**
 * Schedules one escalation check `afterSeconds` from now (docs/architecture.md, Offline delivery):
 * EventBridge Scheduler invokes the escalate function once, then deletes the schedule. The SDK
 * package is loaded on the first critical alert only, so other fan-outs never pay for it.
 */
export function escalationScheduler(
  aws: AwsClients,
  schedule: EscalationSchedule,
  now: () => number = Date.now,
): (request: EscalationRequest) => Promise<void> {
  return async (request) => {
    const sdk = await import('@aws-sdk/client-scheduler')
    const client = aws.client<SchedulerClient>(
      'scheduler',
      () => new sdk.SchedulerClient(clientConfig(aws, 'scheduler')),
    )
    try {
      await client.send(
        new sdk.CreateScheduleCommand({
          Name: scheduleNameOf(request),
          GroupName: schedule.group,
          ScheduleExpression: atExpression(now() + schedule.afterSeconds * 1000),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: { Arn: schedule.targetArn, RoleArn: schedule.roleArn, Input: JSON.stringify(request) },
        }),
      )
    } catch (error) {
      // A retried fan-out: the first try scheduled it.
      if ((error as Error).name !== 'ConflictException') throw error
    }
  }
}
