import type { IncomingMessage, ServerResponse } from 'node:http'
import { HeraldError } from '../shared/errors.js'
import { withDefaults } from '../shared/options.js'
import { type Payer, payerOf } from './bill-meter.js'
import { LOCAL_REGION } from './defaults.js'
import { isObject, jsonObjectOf, readBody, send, sendAwsError, valueAt } from './http.js'
import { HttpTwin } from './http-twin.js'

/** Invokes a schedule's target as its role; rejects when the role may not, or the target does not exist. */
export type ScheduleInvoker = (target: {
  arn: string
  roleArn: string
  input: string | undefined
}) => Promise<void>

/** A schedule that has run its target: `error` is set when every attempt failed. */
export interface FiredSchedule {
  name: string
  group: string
  error?: unknown
}

export interface LocalSchedulerOptions {
  /** Schedule groups besides `default`, which always exists. */
  groups: readonly string[]
  invoke: ScheduleInvoker
  /** @default LOCAL_REGION */
  region?: string
  /** The wait before the first retry of a failed invocation; each further one doubles it. @default 1000 */
  retryDelayMs?: number
}

interface Target {
  Arn: string
  RoleArn: string
  Input?: string
  RetryPolicy: { MaximumEventAgeInSeconds: number; MaximumRetryAttempts: number }
}

/** What CreateSchedule's body holds once it passed `CHECKS`. */
interface CreateInput {
  GroupName?: string
  ScheduleExpression: string
  ScheduleExpressionTimezone?: 'UTC'
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number }
  Target: Omit<Target, 'RetryPolicy'> & { RetryPolicy?: Partial<Target['RetryPolicy']> }
  ActionAfterCompletion?: 'NONE' | 'DELETE'
  State?: 'ENABLED' | 'DISABLED'
}

/** A schedule as GetSchedule describes it. */
interface Described extends Required<Omit<CreateInput, 'Target'>> {
  Arn: string
  Name: string
  Target: Target
  CreationDate: number
  LastModificationDate: number
}

interface Schedule {
  described: Described
  /** When it runs, in epoch ms. */
  at: number
  /** Who made it, and pays for its invocations. */
  payer: Payer
  /** The wait for its time or for its next retry. */
  timer?: NodeJS.Timeout
}

/** A refusal in Scheduler's REST-JSON form: the HTTP status and the error type the SDK names it by. */
class SchedulerError extends HeraldError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message)
  }
}

/** setTimeout fires at once for any longer delay (24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1
const NAME = /^[0-9a-zA-Z_.-]{1,64}$/
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/
const NAME_RULE = 'must be 1 to 64 characters of 0-9, a-z, A-Z, -, _ and .'
const TWIN = 'the local scheduler twin'
/** Scheduler's quota on a target's input; a request body holds it and the rest of the schedule. */
const MAX_INPUT_BYTES = 256 * 1024
const MAX_REQUEST_BYTES = 2 * MAX_INPUT_BYTES
const DEFAULT_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 }
const OPERATIONS = new Map([
  ['POST', 'CreateSchedule'],
  ['GET', 'GetSchedule'],
  ['DELETE', 'DeleteSchedule'],
])
const SUPPORTED = 'The local scheduler twin supports CreateSchedule, GetSchedule and DeleteSchedule only'

/**
 * The twin of EventBridge Scheduler's one-time schedules (REST-JSON): CreateSchedule, GetSchedule
 * and DeleteSchedule of `at()` schedules in UTC, which invoke their target once, as its role, with
 * the retries of the target's retry policy.
 */
export class LocalScheduler extends HttpTwin {
  readonly #options: Required<LocalSchedulerOptions>
  readonly #groups: Set<string>
  /** By `group/name`. */
  readonly #schedules = new Map<string, Schedule>()
  readonly #listeners = new Set<(fired: FiredSchedule) => void>()

  constructor(options: LocalSchedulerOptions) {
    super()
    this.#options = withDefaults({ ...options, region: LOCAL_REGION, retryDelayMs: 1000 }, options)
    this.#groups = new Set(['default', ...options.groups])
  }

  /** The schedules that exist now (name, group, at ISO, state) — for tests and the CLI. */
  schedules(): { name: string; group: string; at: string; state: 'ENABLED' | 'DISABLED' }[] {
    return [...this.#schedules.values()].map(({ described, at }) => ({
      name: described.Name,
      group: described.GroupName,
      at: new Date(at).toISOString(),
      state: described.State,
    }))
  }

  /** Calls `listener` each time a schedule has run its target (error set when it gave up); returns an unsubscribe. */
  onFired(listener: (fired: FiredSchedule) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Clears every timer, then closes the server. */
  override async close(): Promise<void> {
    for (const schedule of this.#schedules.values()) clearTimeout(schedule.timer)
    // Nothing left to retry: an invocation still under way then finds its schedule gone.
    this.#schedules.clear()
    await super.close()
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      send(response, 200, JSON.stringify(await this.#answer(request)))
    } catch (error) {
      if (!(error instanceof SchedulerError)) throw error
      sendAwsError(response, error.status, error.code, error.message)
    }
  }

  /** The answer to a call, or the SchedulerError AWS would refuse it with. */
  async #answer(request: IncomingMessage): Promise<object> {
    const url = new URL(request.url ?? '/', 'http://twin')
    const label = /^\/schedules\/([^/]+)$/.exec(url.pathname)?.[1]
    const operation = label === undefined ? undefined : OPERATIONS.get(request.method ?? '')
    if (label === undefined || !operation)
      throw new SchedulerError(
        404,
        'UnknownOperationException',
        `${SUPPORTED}, not ${request.method} ${url.pathname}`,
      )
    // Create names the group in its body, Get and Delete in the query.
    const body =
      operation === 'CreateSchedule'
        ? jsonObjectOf(await readBody(request, MAX_REQUEST_BYTES), '{}')
        : { GroupName: url.searchParams.get('groupName') ?? undefined }
    if (!body) throw invalid('The request body must be a JSON object of at most 512 KB.')
    const fields = { ...body, Name: decoded(label), GroupName: body.GroupName ?? 'default' }
    const arn = `arn:aws:scheduler:${this.#options.region}:000000000000:schedule/${fields.GroupName}/${fields.Name}`
    this.#authorize(request, `scheduler:${operation}`, arn)
    refuse(fields, KEY_CHECKS)
    if (operation === 'CreateSchedule') return this.#create(request, arn, fields)
    const schedule = this.#existing(fields.GroupName as string, fields.Name)
    if (operation === 'GetSchedule') return schedule.described
    this.#remove(schedule)
    return {}
  }

  #create(request: IncomingMessage, arn: string, fields: Record<string, unknown>): object {
    refuse(fields, CHECKS)
    const { Name, GroupName, ...input } = fields as unknown as CreateInput & {
      Name: string
      GroupName: string
    }
    // As AWS does: a caller may only hand the scheduler a role it may pass itself.
    this.#authorize(request, 'iam:PassRole', input.Target.RoleArn)
    this.#group(GroupName)
    if (this.#schedules.has(`${GroupName}/${Name}`))
      throw new SchedulerError(409, 'ConflictException', `Schedule ${Name} already exists.`)
    const now = Date.now() / 1000
    const described: Described = {
      Arn: arn,
      Name,
      GroupName,
      ScheduleExpression: input.ScheduleExpression,
      ScheduleExpressionTimezone: input.ScheduleExpressionTimezone ?? 'UTC',
      State: input.State ?? 'ENABLED',
      Target: { ...input.Target, RetryPolicy: { ...DEFAULT_RETRY_POLICY, ...input.Target.RetryPolicy } },
      FlexibleTimeWindow: input.FlexibleTimeWindow,
      ActionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
      CreationDate: now,
      // Without UpdateSchedule, a schedule is last modified when it is created.
      LastModificationDate: now,
    }
    const schedule = {
      described,
      at: atTime(input.ScheduleExpression) as number,
      payer: payerOf(request.headers.authorization),
    }
    this.#schedules.set(`${GroupName}/${Name}`, schedule)
    if (described.State === 'ENABLED') this.#arm(schedule)
    return { ScheduleArn: arn }
  }

  #authorize(request: IncomingMessage, action: string, resource: string): void {
    const denial = this.guard?.(request.headers.authorization, action, resource)
    if (denial) throw new SchedulerError(403, denial.type, denial.message)
  }

  #group(group: string): void {
    if (!this.#groups.has(group)) throw notFound(`Schedule group ${group} does not exist.`)
  }

  #existing(group: string, name: string): Schedule {
    this.#group(group)
    const schedule = this.#schedules.get(`${group}/${name}`)
    if (!schedule) throw notFound(`Schedule ${name} does not exist.`)
    return schedule
  }

  /** Waits for the schedule's time in steps setTimeout can take, then runs its target. */
  #arm(schedule: Schedule): void {
    const wait = Math.min(Math.max(0, schedule.at - Date.now()), MAX_TIMER_MS)
    // Unreferenced: a schedule never keeps a process, or a stack's idle(), waiting.
    schedule.timer = setTimeout(
      () => (Date.now() >= schedule.at ? void this.#attempt(schedule, 0) : this.#arm(schedule)),
      wait,
    ).unref()
  }

  /** Invokes the target; on failure retries after a doubling delay, within the target's retry policy. */
  async #attempt(schedule: Schedule, retries: number): Promise<void> {
    const { Arn: arn, RoleArn: roleArn, Input: input, RetryPolicy: policy } = schedule.described.Target
    this.billMeter?.add(schedule.payer, 'scheduler.invocations')
    try {
      await this.#options.invoke({ arn, roleArn, input })
    } catch (error) {
      const delay = this.#options.retryDelayMs * 2 ** retries
      const expires = schedule.at + policy.MaximumEventAgeInSeconds * 1000
      if (!this.#exists(schedule) || retries >= policy.MaximumRetryAttempts || Date.now() + delay > expires)
        return this.#finish(schedule, { error })
      schedule.timer = setTimeout(() => void this.#attempt(schedule, retries + 1), delay).unref()
      return
    }
    this.#finish(schedule, {})
  }

  /** Reports the run; a schedule that stays never runs again. */
  #finish(schedule: Schedule, outcome: { error?: unknown }): void {
    const { Name: name, GroupName: group, ActionAfterCompletion } = schedule.described
    schedule.timer = undefined
    if (ActionAfterCompletion === 'DELETE' && this.#exists(schedule)) this.#remove(schedule)
    for (const listener of this.#listeners) listener({ name, group, ...outcome })
  }

  #exists(schedule: Schedule): boolean {
    return this.#schedules.get(`${schedule.described.GroupName}/${schedule.described.Name}`) === schedule
  }

  #remove(schedule: Schedule): void {
    clearTimeout(schedule.timer)
    this.#schedules.delete(`${schedule.described.GroupName}/${schedule.described.Name}`)
  }
}

/** The time an `at(yyyy-mm-ddThh:mm:ss)` expression names, in epoch ms (UTC), or none when it names none. */
function atTime(expression: unknown): number | undefined {
  const written = AT.exec(String(expression))?.[1]
  const time = new Date(`${written}Z`)
  // Date rolls 2025-02-30 over to March: a date that does not round-trip does not exist.
  return written && !Number.isNaN(time.getTime()) && time.toISOString().startsWith(written)
    ? time.getTime()
    : undefined
}

type Test = (value: unknown) => boolean
function optional(test: Test): Test {
  return (value) => value === undefined || test(value)
}
function oneOf(...values: unknown[]): Test {
  return (value) => values.includes(value)
}
function integerIn(min: number, max: number): Test {
  return (value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max
}
/** Characters at least, bytes at most, as Scheduler counts them. */
function stringOf(min: number, max: number): Test {
  return (value) => typeof value === 'string' && value.length >= min && Buffer.byteLength(value) <= max
}
function matches(pattern: RegExp): Test {
  return (value) => typeof value === 'string' && pattern.test(value)
}

/** Checks in order, by field path; the first a request fails is its refusal: `<path> <rule>.` */
type Checks = [path: string, passes: Test, rule: string][]

const KEY_CHECKS: Checks = [
  ['Name', matches(NAME), NAME_RULE],
  ['GroupName', matches(NAME), NAME_RULE],
]

const CHECKS: Checks = [
  ['ScheduleExpression', matches(/./), 'is required'],
  [
    'ScheduleExpression',
    (e) => !/^(rate|cron)\(/.test(e as string),
    `must be at(): ${TWIN} supports one-time schedules only, not rate() or cron()`,
  ],
  ['ScheduleExpression', (e) => atTime(e) !== undefined, 'must be at(yyyy-mm-ddThh:mm:ss)'],
  ['ScheduleExpressionTimezone', optional(oneOf('UTC')), `must be UTC: ${TWIN} supports no other time zone`],
  ['FlexibleTimeWindow', isObject, 'is required'],
  ['FlexibleTimeWindow.Mode', oneOf('OFF', 'FLEXIBLE'), 'must be OFF or FLEXIBLE'],
  ['FlexibleTimeWindow.MaximumWindowInMinutes', optional(integerIn(1, 1440)), 'must be 1 to 1440'],
  [
    'FlexibleTimeWindow',
    (window) => isObject(window) && (window.Mode === 'OFF') === (window.MaximumWindowInMinutes === undefined),
    'needs MaximumWindowInMinutes when Mode is FLEXIBLE, and none when it is OFF',
  ],
  ['Target', isObject, 'is required'],
  ['Target.Arn', stringOf(1, 1600), 'must be 1 to 1600 characters'],
  ['Target.RoleArn', matches(ROLE_ARN), 'must be an IAM role ARN, arn:aws:iam::<account>:role/<name>'],
  ['Target.Input', optional(stringOf(1, MAX_INPUT_BYTES)), 'must be 1 character to 256 KB'],
  ['Target.RetryPolicy', optional(isObject), 'must be an object'],
  ['Target.RetryPolicy.MaximumEventAgeInSeconds', optional(integerIn(60, 86_400)), 'must be 60 to 86400'],
  ['Target.RetryPolicy.MaximumRetryAttempts', optional(integerIn(0, 185)), 'must be 0 to 185'],
  ['ActionAfterCompletion', optional(oneOf('NONE', 'DELETE')), 'must be NONE or DELETE'],
  ['State', optional(oneOf('ENABLED', 'DISABLED')), 'must be ENABLED or DISABLED'],
]

/** Throws the ValidationException for the first check `fields` fails. */
function refuse(fields: Record<string, unknown>, checks: Checks): void {
  const failed = checks.find(([path, passes]) => !passes(valueAt(fields, path)))
  if (failed) throw invalid(`${failed[0]} ${failed[2]}.`)
}

const invalid = (message: string) => new SchedulerError(400, 'ValidationException', message)
const notFound = (message: string) => new SchedulerError(404, 'ResourceNotFoundException', message)

/** A path label as the SDK encoded it; a malformed one stays as it is, and fails the name's pattern. */
function decoded(label: string): string {
  try {
    return decodeURIComponent(label)
  } catch {
    return label
  }
}
