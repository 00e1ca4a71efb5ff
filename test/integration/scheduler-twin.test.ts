import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler'
import { afterEach, describe, expect, it } from 'vitest'
import { BillMeter } from '../../local/bill-meter.js'
import type { Guard } from '../../local/iam.js'
import { type FiredSchedule, LocalScheduler, type ScheduleInvoker } from '../../local/scheduler.js'

// The scheduler twin as the real SDK and the real AWS CLI reach it, with a real invoker recording
// what it was asked to run: no mocks, and no sleeps (every wait is on onFired).
const run = promisify(execFile)
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const ROLE = 'arn:aws:iam::000000000000:role/herald-scheduler'
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:herald-digest'
const twins: LocalScheduler[] = []
const clients: SchedulerClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await Promise.all(twins.splice(0).map((twin) => twin.close()))
})

type Invocation = Parameters<ScheduleInvoker>[0]

/** A twin whose invoker records each invocation, then answers as `outcome` says. */
async function start(
  options: { retryDelayMs?: number; guard?: Guard; outcome?: (attempt: number) => Promise<void> } = {},
) {
  const invocations: Invocation[] = []
  const scheduler = new LocalScheduler({
    groups: ['digests'],
    retryDelayMs: options.retryDelayMs,
    invoke: (target) => {
      invocations.push(target)
      return options.outcome?.(invocations.length) ?? Promise.resolve()
    },
  })
  if (options.guard) scheduler.enforce(options.guard)
  const endpoint = await scheduler.listen()
  const client = new SchedulerClient({ region: 'us-east-1', endpoint, credentials })
  twins.push(scheduler)
  clients.push(client)
  return { scheduler, client, endpoint, invocations }
}

/** `at()` for `seconds` from now, rounded up to a whole second (the expression has no fractions). */
function atIn(seconds: number): string {
  const time = new Date(Math.ceil(Date.now() / 1000 + seconds) * 1000)
  return `at(${time.toISOString().slice(0, 19)})`
}

const schedule = (overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: 'digest-42',
  ScheduleExpression: atIn(1),
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: TARGET, RoleArn: ROLE, Input: '{"userId":"42"}' },
  ...overrides,
})

/** Resolves with the next run of the schedule called `name`. */
function firing(scheduler: LocalScheduler, name: string): Promise<FiredSchedule> {
  return new Promise((resolve) => {
    const stop = scheduler.onFired((fired) => {
      if (fired.name !== name) return
      stop()
      resolve(fired)
    })
  })
}

describe('Class: LocalScheduler', () => {
  it('runs an at() target once, as its role and with its input, then deletes it (ActionAfterCompletion DELETE)', async () => {
    // Prepare
    const { scheduler, client, invocations } = await start()
    const meter = new BillMeter()
    scheduler.meter(meter)
    const fired = firing(scheduler, 'digest-42')

    // Act
    const { ScheduleArn } = await client.send(
      new CreateScheduleCommand(schedule({ GroupName: 'digests', ActionAfterCompletion: 'DELETE' })),
    )

    // Assess
    expect(ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/digests/digest-42')
    expect(await fired).toEqual({ name: 'digest-42', group: 'digests' })
    expect(invocations).toEqual([{ arn: TARGET, roleArn: ROLE, input: '{"userId":"42"}' }])
    await expect(
      client.send(new GetScheduleCommand({ Name: 'digest-42', GroupName: 'digests' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Schedule digest-42 does not exist.',
    })
    expect(scheduler.schedules()).toEqual([])
    expect(meter.usage()).toEqual({ operator: { 'scheduler.invocations': 1 } })
  })

  it('keeps a schedule that has run when ActionAfterCompletion is NONE, as GetSchedule describes it', async () => {
    const { scheduler, client, invocations } = await start()
    const fired = firing(scheduler, 'digest-42')
    const expression = atIn(1)

    await client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: expression })))
    await fired

    const described = await client.send(new GetScheduleCommand({ Name: 'digest-42' }))
    expect(described).toMatchObject({
      Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/digest-42',
      Name: 'digest-42',
      GroupName: 'default',
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: TARGET,
        RoleArn: ROLE,
        Input: '{"userId":"42"}',
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      },
    })
    expect(described.CreationDate).toBeInstanceOf(Date)
    expect(described.LastModificationDate).toEqual(described.CreationDate)
    expect(scheduler.schedules()).toEqual([
      { name: 'digest-42', group: 'default', at: `${expression.slice(3, -1)}.000Z`, state: 'ENABLED' },
    ])
    expect(invocations).toHaveLength(1)
  })

  it('creates, describes and deletes what the AWS CLI sends', async () => {
    const { scheduler, endpoint } = await start()
    const aws = async (...args: string[]) =>
      JSON.parse(
        (
          await run('aws', ['scheduler', ...args, '--endpoint-url', endpoint], {
            env: {
              ...process.env,
              AWS_ACCESS_KEY_ID: 'test',
              AWS_SECRET_ACCESS_KEY: 'test',
              AWS_DEFAULT_REGION: 'us-east-1',
            },
          })
        ).stdout || '{}',
      )

    const created = await aws(
      'create-schedule',
      '--name',
      'from-cli',
      '--group-name',
      'digests',
      '--schedule-expression',
      'at(2099-01-01T09:00:00)',
      '--flexible-time-window',
      'Mode=FLEXIBLE,MaximumWindowInMinutes=15',
      '--target',
      JSON.stringify({ Arn: TARGET, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 3 } }),
    )
    const described = await aws('get-schedule', '--name', 'from-cli', '--group-name', 'digests')
    await aws('delete-schedule', '--name', 'from-cli', '--group-name', 'digests')

    expect(created).toEqual({
      ScheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/digests/from-cli',
    })
    expect(described).toMatchObject({
      ScheduleExpression: 'at(2099-01-01T09:00:00)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: { RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 3 } },
    })
    expect(scheduler.schedules()).toEqual([])
  })

  it('deletes a schedule with DeleteSchedule, so it never runs', async () => {
    const { scheduler, client, invocations } = await start()
    await client.send(new CreateScheduleCommand(schedule({ Name: 'cancelled', ScheduleExpression: atIn(1) })))
    const sibling = firing(scheduler, 'sibling')

    await client.send(new DeleteScheduleCommand({ Name: 'cancelled' }))
    // Due a second after the deleted one, which would have run first.
    await client.send(
      new CreateScheduleCommand(
        schedule({
          Name: 'sibling',
          ScheduleExpression: atIn(2),
          Target: { Arn: `${TARGET}-2`, RoleArn: ROLE },
        }),
      ),
    )
    await sibling

    expect(invocations.map((invocation) => invocation.arn)).toEqual([`${TARGET}-2`])
    await expect(client.send(new DeleteScheduleCommand({ Name: 'cancelled' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    })
  })

  it('refuses a second schedule of the same name in a group with ConflictException', async () => {
    const { client } = await start()
    await client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: 'at(2099-01-01T00:00:00)' })))

    await expect(client.send(new CreateScheduleCommand(schedule()))).rejects.toMatchObject({
      name: 'ConflictException',
      message: 'Schedule digest-42 already exists.',
      $metadata: { httpStatusCode: 409 },
    })
    // The same name in another group is another schedule.
    await expect(
      client.send(new CreateScheduleCommand(schedule({ GroupName: 'digests' }))),
    ).resolves.toBeDefined()
  })

  it('refuses an unknown group with ResourceNotFoundException', async () => {
    const { scheduler, client } = await start()

    await expect(
      client.send(new CreateScheduleCommand(schedule({ GroupName: 'nope' }))),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Schedule group nope does not exist.',
    })
    await expect(
      client.send(new GetScheduleCommand({ Name: 'digest-42', GroupName: 'nope' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Schedule group nope does not exist.',
    })
    expect(scheduler.schedules()).toEqual([])
  })

  it.each<[string, Partial<CreateScheduleCommandInput>, string]>([
    ['rate()', { ScheduleExpression: 'rate(5 minutes)' }, 'supports one-time schedules only'],
    ['cron()', { ScheduleExpression: 'cron(0 9 * * ? *)' }, 'supports one-time schedules only'],
    [
      'an at() with no such day',
      { ScheduleExpression: 'at(2030-02-30T09:00:00)' },
      'at(yyyy-mm-ddThh:mm:ss)',
    ],
    ['an at() without seconds', { ScheduleExpression: 'at(2030-01-01T09:00)' }, 'at(yyyy-mm-ddThh:mm:ss)'],
    ['a time zone other than UTC', { ScheduleExpressionTimezone: 'Europe/Paris' }, 'must be UTC'],
    [
      'a RoleArn that is no role',
      { Target: { Arn: TARGET, RoleArn: 'arn:aws:iam::000000000000:user/me' } },
      'Target.RoleArn',
    ],
    ['no Target.Arn', { Target: { RoleArn: ROLE } as never }, 'Target.Arn must be 1 to 1600 characters.'],
    ['an empty Target.Input', { Target: { Arn: TARGET, RoleArn: ROLE, Input: '' } }, 'Target.Input'],
    ['no FlexibleTimeWindow', { FlexibleTimeWindow: undefined }, 'FlexibleTimeWindow is required.'],
    [
      'a window with Mode OFF',
      { FlexibleTimeWindow: { Mode: 'OFF', MaximumWindowInMinutes: 5 } },
      'none when it is OFF',
    ],
    ['FLEXIBLE without a window', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, 'when Mode is FLEXIBLE'],
    [
      'a window over a day',
      { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 } },
      'MaximumWindowInMinutes must be 1 to 1440.',
    ],
    [
      'a retry policy out of range',
      { Target: { Arn: TARGET, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } } },
      'MaximumRetryAttempts must be 0 to 185.',
    ],
    ['an unknown State', { State: 'PAUSED' as never }, 'State must be ENABLED or DISABLED.'],
    ['an invalid Name', { Name: 'digest 42' }, 'Name must be 1 to 64 characters'],
    ['a Name over 64 characters', { Name: 'x'.repeat(65) }, 'Name must be 1 to 64 characters'],
  ])('refuses %s with ValidationException', async (_, overrides, message) => {
    const { scheduler, client } = await start()

    await expect(client.send(new CreateScheduleCommand(schedule(overrides)))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(message),
      $metadata: { httpStatusCode: 400 },
    })
    expect(scheduler.schedules()).toEqual([])
  })

  it('refuses a body that is not JSON, and operations it does not support, naming those it does', async () => {
    const { endpoint } = await start()

    const malformed = await fetch(`${endpoint}/schedules/x`, { method: 'POST', body: '{"Target":' })
    const update = await fetch(`${endpoint}/schedules/x`, { method: 'PUT', body: '{}' })

    expect(malformed.status).toBe(400)
    expect(malformed.headers.get('x-amzn-errortype')).toBe('ValidationException')
    expect(update.status).toBe(404)
    expect(await update.json()).toMatchObject({
      __type: 'UnknownOperationException',
      message: expect.stringContaining('CreateSchedule, GetSchedule and DeleteSchedule'),
    })
  })

  it('checks the schedule action on the schedule ARN and iam:PassRole on the role, creating nothing when denied', async () => {
    // Prepare
    const asked: [string, string][] = []
    const guard: Guard = (_, action, resource) => {
      asked.push([action, resource])
      if (action !== 'iam:PassRole') return undefined
      return {
        type: 'AccessDeniedException',
        message: `not authorized to perform: iam:PassRole on ${resource}`,
      }
    }
    const { scheduler, client } = await start({ guard })

    // Act
    const creating = client.send(new CreateScheduleCommand(schedule()))

    // Assess
    await expect(creating).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `not authorized to perform: iam:PassRole on ${ROLE}`,
      $metadata: { httpStatusCode: 403 },
    })
    expect(asked).toEqual([
      ['scheduler:CreateSchedule', 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/digest-42'],
      ['iam:PassRole', ROLE],
    ])
    expect(scheduler.schedules()).toEqual([])
  })

  it('retries a failing target with a doubling delay, and reports one run without error once it succeeds', async () => {
    // Prepare
    const attemptedAt: number[] = []
    const { scheduler, client, invocations } = await start({
      retryDelayMs: 10,
      outcome: async (attempt) => {
        attemptedAt.push(performance.now())
        if (attempt <= 2) throw new Error(`throttled ${attempt}`)
      },
    })
    const meter = new BillMeter()
    scheduler.meter(meter)
    const runs: FiredSchedule[] = []
    scheduler.onFired((fired) => runs.push(fired))
    const fired = firing(scheduler, 'digest-42')

    // Act
    await client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: atIn(-1) })))

    // Assess
    expect(await fired).toEqual({ name: 'digest-42', group: 'default' })
    expect(invocations).toHaveLength(3)
    expect(runs).toHaveLength(1)
    const [first = 0, second = 0, third = 0] = attemptedAt
    // Timers keep whole milliseconds: allow one short of 10 and 20.
    expect(second - first).toBeGreaterThanOrEqual(9)
    expect(third - second).toBeGreaterThanOrEqual(19)
    expect(meter.usage()).toEqual({ operator: { 'scheduler.invocations': 3 } })
  })

  it('gives up after MaximumRetryAttempts, reporting the last error', async () => {
    const { scheduler, client, invocations } = await start({
      retryDelayMs: 10,
      outcome: async (attempt) => {
        throw new Error(`down ${attempt}`)
      },
    })
    const fired = firing(scheduler, 'digest-42')

    await client.send(
      new CreateScheduleCommand(
        schedule({
          ScheduleExpression: atIn(-1),
          Target: { Arn: TARGET, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 2 } },
        }),
      ),
    )

    expect(await fired).toEqual({ name: 'digest-42', group: 'default', error: new Error('down 3') })
    expect(invocations).toHaveLength(3)
  })

  it('never runs a DISABLED schedule', async () => {
    const { scheduler, client, invocations } = await start()
    const sibling = firing(scheduler, 'enabled')

    // Due at once: had it been armed, it would have run before its sibling, due a second later.
    await client.send(
      new CreateScheduleCommand(
        schedule({ Name: 'disabled', ScheduleExpression: atIn(-1), State: 'DISABLED' }),
      ),
    )
    await client.send(
      new CreateScheduleCommand(
        schedule({
          Name: 'enabled',
          ScheduleExpression: atIn(1),
          Target: { Arn: `${TARGET}-2`, RoleArn: ROLE },
        }),
      ),
    )
    await sibling

    expect(invocations.map((invocation) => invocation.arn)).toEqual([`${TARGET}-2`])
    expect(scheduler.schedules().map(({ name, state }) => [name, state])).toEqual([
      ['disabled', 'DISABLED'],
      ['enabled', 'ENABLED'],
    ])
  })

  it('waits out a time beyond setTimeout’s 24.8 days in steps, neither running it at once nor overflowing', async () => {
    const { scheduler, client, invocations } = await start()
    const warnings: string[] = []
    const warn = (warning: Error) => warnings.push(warning.name)
    process.on('warning', warn)
    const sibling = firing(scheduler, 'soon')
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    const timersBefore = timers()

    await client.send(
      new CreateScheduleCommand(schedule({ Name: 'in-30-days', ScheduleExpression: atIn(30 * 86_400) })),
    )
    await client.send(
      new CreateScheduleCommand(
        schedule({
          Name: 'soon',
          ScheduleExpression: atIn(-1),
          Target: { Arn: `${TARGET}-2`, RoleArn: ROLE },
        }),
      ),
    )
    await sibling
    process.off('warning', warn)

    expect(invocations.map((invocation) => invocation.arn)).toEqual([`${TARGET}-2`])
    expect(warnings).not.toContain('TimeoutOverflowWarning')
    // Unreferenced, its timer is no resource that keeps the process alive.
    expect(timers()).toBe(timersBefore)
  })

  it('clears every timer on close(), so a closed twin runs nothing', async () => {
    // Prepare: a twin with a schedule due in a second, and one far ahead.
    const closed = await start()
    const open = await start()
    await closed.client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: atIn(1) })))
    await closed.client.send(
      new CreateScheduleCommand(schedule({ Name: 'far', ScheduleExpression: 'at(2099-01-01T00:00:00)' })),
    )
    const sibling = firing(open.scheduler, 'digest-42')

    // Act
    await closed.scheduler.close()
    await open.client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: atIn(2) })))
    await sibling

    // Assess: the sibling on another twin was due a second after the closed twin's schedule.
    expect(closed.invocations).toEqual([])
    expect(closed.scheduler.schedules()).toEqual([])
    expect(open.invocations).toHaveLength(1)
  })

  it('runs a schedule whose event age has already passed once, without retrying it', async () => {
    const { scheduler, client, invocations } = await start({
      retryDelayMs: 10,
      outcome: async () => {
        throw new Error('down')
      },
    })
    const fired = firing(scheduler, 'digest-42')

    await client.send(new CreateScheduleCommand(schedule({ ScheduleExpression: 'at(2020-01-01T00:00:00)' })))

    expect(await fired).toEqual({ name: 'digest-42', group: 'default', error: new Error('down') })
    expect(invocations).toHaveLength(1)
  })
})
