import { type BilledItem, type Payer, type Usage, usageSince } from '../../local/bill-meter.js'
import { LOCAL_CREDENTIALS, LOCAL_JWT_SECRET } from '../../local/defaults.js'
import type { LocalStack } from '../../local/stack-types.js'
import { signLocalToken } from '../../shared/auth/local-token.js'
import { createPublisher } from '../../shared/publisher/publisher.js'
import { awsClients } from '../../shared/runtime/aws-clients.js'
import { snsOf } from '../../shared/runtime/sns.js'
import { TestClient } from '../../test/support/ws-client.js'

/**
 * What one unit of each kind of work costs in billed operations, by payer (a function, a route,
 * `operator` for the publisher). A notification kind's fixed part is `alert`; each recipient adds
 * `alert.recipient`. Connection-minutes are left out: the cost model reckons them from the workload.
 */
export type OperationCosts = Record<string, Record<Payer, Usage>>

export const NOTIFICATION_KINDS = ['alert', 'system', 'upload_status'] as const

/** The kinds of work `herald cost` multiplies, each measured by `measureOperations`. */
export const OPERATIONS = [
  'connect',
  'keepalive',
  'ping',
  'resume',
  'mark_read',
  'disconnect',
  ...NOTIFICATION_KINDS.flatMap((kind) => [kind, `${kind}.recipient`]),
  'log',
  'log.viewer',
] as const

const TEAM = 'cost-team'
const round = (value: number) => Math.round(value * 10_000) / 10_000

/**
 * Counted per instance, not per operation: the authorizer reads its key once per cold start, and
 * how many instances a burst starts is not what the work costs.
 */
const PER_INSTANCE: readonly BilledItem[] = ['apigateway.connectionMinutes', 'calls.secretsmanager']

/**
 * What `usage` costs beyond `base`, per one of `count` units, rounded, what is not per operation
 * left out: one operation of `count` (no base), or one more recipient of a broadcast beyond a
 * targeted one.
 */
function perUnit(
  usage: Record<Payer, Usage>,
  count: number,
  base: Record<Payer, Usage> = {},
): Record<Payer, Usage> {
  const unit: Record<Payer, Usage> = {}
  for (const [payer, items] of Object.entries(usage))
    for (const [item, quantity] of Object.entries(items) as [BilledItem, number][]) {
      const each = round((quantity - (base[payer]?.[item] ?? 0)) / count)
      if (each !== 0 && !PER_INSTANCE.includes(item)) unit[payer] = { ...unit[payer], [item]: each }
    }
  return unit
}

/**
 * Runs each kind of work on `stack` with `sockets` users (one tab each) and `viewers` log viewers,
 * one kind at a time, and reads what the twins counted for it. Deterministic for a given stack.
 */
export async function measureOperations(
  stack: LocalStack,
  { sockets = 10, viewers = 5 }: { sockets?: number; viewers?: number } = {},
): Promise<OperationCosts> {
  const aws = awsClients({
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
    endpoints: { sns: stack.snsEndpoint },
  })
  const publisher = createPublisher({ client: snsOf(aws), topicArn: stack.topicArn })
  const costs: OperationCosts = {}
  const measure = async (name: string, count: number, work: () => Promise<void>) => {
    await stack.idle()
    const before = stack.bill.usage()
    await work()
    await stack.idle()
    const usage = usageSince(before, stack.bill.usage())
    costs[name] = perUnit(usage, count)
    return usage
  }
  const open = (userId: string, query = '', groups?: string[]) =>
    signLocalToken({ userId, secret: LOCAL_JWT_SECRET, groups }).then((token) =>
      TestClient.connect(`${stack.websocketUrl}/?token=${token}${query}`),
    )
  const users = Array.from({ length: sockets }, (_, i) => `cost-user-${i}`)
  let tabs: TestClient[] = []
  try {
    await measure('connect', sockets, async () => {
      tabs = await Promise.all(users.map((user) => open(user)))
    })
    const welcomes = tabs.map((tab) => tab.frames[0]?.id as string)
    // A keepalive has no answer: a ping after it on the same socket is answered once it is taken,
    // so keepalive and ping are measured together, then ping alone.
    await measure('keepalive', sockets, async () => {
      for (const tab of tabs) tab.send({ type: 'keepalive' })
      await Promise.all(tabs.map((tab) => pong(tab)))
    })
    await measure('ping', sockets, async () => {
      await Promise.all(tabs.map((tab) => pong(tab)))
    })
    costs.keepalive = perUnit(costs.keepalive ?? {}, 1, costs.ping)
    await measure('resume', sockets, async () => {
      await Promise.all(
        tabs.map((tab, i) => {
          tab.send({ type: 'resume', since: welcomes[i] })
          return tab.next('resumed')
        }),
      )
    })
    // One more user, alone in a group: a system notice names no user, so it reaches one tab through it.
    const member = await open('cost-member', '', [TEAM])
    const everyone = [member, ...tabs]
    for (const kind of NOTIFICATION_KINDS) {
      const one = await measure(kind, 1, () => notify(publisher, kind, [member], 'cost-member'))
      const all = await measure(`${kind}.all`, 1, () => notify(publisher, kind, everyone, undefined))
      costs[`${kind}.recipient`] = perUnit(all, sockets, one)
      delete costs[`${kind}.all`]
    }
    await measure('mark_read', sockets, async () => {
      await Promise.all(
        tabs.map((tab) => {
          const [latest] = tab.received('alert').slice(-1)
          tab.send({ type: 'mark_read', ids: [latest?.id] })
          return tab.next('read_state')
        }),
      )
    })
    // A log line with nobody watching, then with every viewer watching (no filters: they see all).
    const none = await measure('log', 1, () => logLine(publisher, []))
    const logViewers = await Promise.all(users.slice(0, viewers).map((user) => open(user, '&stream=logs')))
    tabs.push(member, ...logViewers)
    const all = await measure('log.all', 1, () => logLine(publisher, logViewers))
    costs['log.viewer'] = perUnit(all, viewers, none)
    delete costs['log.all']
    await measure('disconnect', sockets, async () => {
      for (const tab of tabs.slice(0, sockets)) tab.close()
      await Promise.all(tabs.slice(0, sockets).map((tab) => tab.waitClosed()))
    })
  } finally {
    for (const tab of tabs) tab.socket.terminate()
    aws.destroy()
  }
  return Object.fromEntries(OPERATIONS.map((name) => [name, costs[name] ?? {}]))
}

async function pong(tab: TestClient): Promise<void> {
  tab.send({ type: 'ping' })
  await tab.next('pong')
}

async function logLine(publisher: ReturnType<typeof createPublisher>, viewers: TestClient[]): Promise<void> {
  await publisher.publish({
    type: 'log_event',
    data: { level: 'error', message: 'measured', source: 'cost' },
  })
  await Promise.all(viewers.map((viewer) => viewer.next('log_event')))
}

async function notify(
  publisher: ReturnType<typeof createPublisher>,
  kind: (typeof NOTIFICATION_KINDS)[number],
  tabs: TestClient[],
  userId: string | undefined,
): Promise<void> {
  const data = {
    alert: { severity: 'high', title: 'Cost', message: 'A measured alert' },
    system: { title: 'Cost', message: 'A measured notice', severity: 'info' },
    upload_status: { upload_id: 'u-1', filename: 'report.csv', status: 'processing', progress: 50 },
  }[kind]
  const target = userId === undefined ? {} : kind === 'system' ? { group: TEAM } : { userId }
  await publisher.publish({ type: kind, data, ...target } as never)
  await Promise.all(tabs.map((tab) => tab.next(kind)))
}

/**
 * What one welcome reads when its user has `notifications` unread targeted alerts in the history
 * window: the unread count reads the window, so its read units grow with it.
 */
export async function measureWelcomeReads(stack: LocalStack, notifications = 1000): Promise<Usage> {
  const aws = awsClients({
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
    endpoints: { sns: stack.snsEndpoint },
  })
  const publisher = createPublisher({ client: snsOf(aws), topicArn: stack.topicArn })
  const userId = `cost-reader-${notifications}`
  try {
    for (let i = 0; i < notifications; i += 10)
      await Promise.all(
        Array.from({ length: Math.min(10, notifications - i) }, (_, j) =>
          publisher.publish({
            type: 'alert',
            userId,
            data: { severity: 'low', title: `n${i + j}`, message: 'kept' },
          }),
        ),
      )
    await stack.idle()
    const before = stack.bill.usage()
    const token = await signLocalToken({ userId, secret: LOCAL_JWT_SECRET })
    const tab = await TestClient.connect(`${stack.websocketUrl}/?token=${token}`)
    await stack.idle()
    tab.socket.terminate()
    return usageSince(before, stack.bill.usage()).welcome ?? {}
  } finally {
    aws.destroy()
  }
}
