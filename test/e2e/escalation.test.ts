import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { FUNCTIONS } from '../../functions/manifest.js'
import { LOCAL_EMAIL_FROM } from '../../local/defaults.js'
import { localDynamoClient } from '../../local/dynamodb.js'
import { scheduleNameOf } from '../../shared/escalation/escalation-schedule.js'
import { newId } from '../../shared/protocol/ids.js'
import type { AlertInput } from '../../shared/protocol/notifications.js'
import { historyPartition } from '../../shared/store/keys.js'
import { type StackFixture, withLocalStack } from '../support/local-stack.js'
import { root, tsx } from '../support/npm-start.js'
import { run } from '../support/tenant-stack.js'

const configFile = join(mkdtempSync(join(tmpdir(), 'herald-escalation-')), 'local.json')
// Two seconds: long enough for a test to mark an alert read first, even on a busy machine.
const herald = withLocalStack({ configFile, env: { HERALD_ESCALATE_AFTER_SECONDS: '2' } })

const user = (name: string) => `${name}-${randomUUID().slice(0, 8)}`
const critical = (title: string): AlertInput => ({
  severity: 'critical',
  title,
  message: `${title}: act now`,
})
const mailTo = (address: string) => herald.stack.ses.outbox().filter((email) => email.to.includes(address))

/** The item that claims the one e-mail of an alert, as the escalate function writes it. */
async function claimOf(fixture: StackFixture, userId: string, id: string) {
  const dynamo = DynamoDBDocumentClient.from(localDynamoClient(fixture.stack.dynamodbEndpoint))
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: fixture.stack.env.HERALD_HISTORY_TABLE,
      Key: { pk: historyPartition.inbox(userId), sk: `escalated#${id}` },
    }),
  )
  dynamo.destroy()
  return Item
}

/**
 * Resolves once the escalation of `id` to `userId` has run: its schedule fired (listened for from
 * before it can fire: the wait is two seconds) and the escalate function it started has finished.
 */
function escalationOf(userId: string, id: string): Promise<void> {
  const name = scheduleNameOf({ owner: { userId }, id })
  return new Promise<void>((resolve, reject) => {
    const stop = herald.stack.scheduler.onFired((fired) => {
      if (fired.name !== name) return
      stop()
      if (fired.error) reject(fired.error)
      else resolve()
    })
  }).then(() => herald.stack.idle())
}

describe('E-mail escalation of a critical alert left unread', () => {
  it('e-mails it once, after HERALD_ESCALATE_AFTER_SECONDS, to the address the token carried', async () => {
    const ann = user('ann')
    const address = `${ann}@example.com`
    const tab = await herald.connect(ann, undefined, { email: address })
    const published = await herald.publisher.sendAlertNotification(ann, critical('db-1 down'))
    const escalated = escalationOf(ann, published.id)
    await tab.next('alert')
    expect(mailTo(address)).toEqual([])

    await escalated
    const [email, ...more] = mailTo(address)
    expect(more).toEqual([])
    expect(email).toMatchObject({ from: LOCAL_EMAIL_FROM, to: [address] })
    expect(email?.subject).toBe('[Herald] Unread critical alert: db-1 down')
    expect(email?.text).toContain('db-1 down: act now')
    expect(await claimOf(herald, ann, published.id)).toBeDefined()
    // Its schedule deleted itself after running, as ActionAfterCompletion DELETE does.
    expect(herald.stack.scheduler.schedules().map((schedule) => schedule.name)).not.toContain(
      scheduleNameOf({ owner: { userId: ann }, id: published.id }),
    )
    const listed = JSON.parse(
      (await run(tsx, [join(root, 'cli/herald.ts'), 'outbox', '--json', '--config', configFile])).stdout,
    ) as Record<string, unknown>[]
    expect(listed.filter((entry) => entry.to === address)).toEqual([
      { to: address, subject: email?.subject, text: email?.text, sentAt: email?.sentAt },
    ])
  })

  it('sends nothing for one read, dismissed or snoozed in time, nor through a newer read one of its thread', async () => {
    const bo = user('bo')
    const address = `${bo}@example.com`
    const tab = await herald.connect(bo, undefined, { email: address })
    const [unread, read, dismissed, snoozed, threaded, newer] = [
      await herald.publisher.sendAlertNotification(bo, critical('left unread')),
      await herald.publisher.sendAlertNotification(bo, critical('read')),
      await herald.publisher.sendAlertNotification(bo, critical('dismissed')),
      await herald.publisher.sendAlertNotification(bo, critical('snoozed')),
      await herald.publisher.sendAlertNotification(bo, critical('deploy 1'), { threadKey: 'deploy' }),
      await herald.publisher.sendAlertNotification(
        bo,
        { ...critical('deploy 2'), severity: 'low' },
        { threadKey: 'deploy' },
      ),
    ].map((each) => each.id)
    const escalations = [unread, read, dismissed, snoozed, threaded].map((id) =>
      escalationOf(bo, id as string),
    )
    for (let i = 0; i < 6; i++) await tab.next('alert')
    tab.send({ type: 'mark_read', ids: [read, newer] })
    await tab.next('read_state')
    tab.send({ type: 'dismiss', ids: [dismissed] })
    await tab.next('read_state')
    tab.send({ type: 'snooze', ids: [snoozed], until: new Date(Date.now() + 3_600_000).toISOString() })
    await tab.next('read_state')

    await Promise.all(escalations)
    // Only the one left alone: the others were seen in time.
    expect(mailTo(address).map((email) => email.subject)).toEqual([
      '[Herald] Unread critical alert: left unread',
    ])
  })

  it('schedules nothing below critical, and e-mails nobody whose token had no address', async () => {
    const cy = user('cy')
    await herald.connect(cy)
    const high = await herald.publisher.sendAlertNotification(cy, { ...critical('high'), severity: 'high' })
    const unaddressed = await herald.publisher.sendAlertNotification(cy, critical('no address'))
    await escalationOf(cy, unaddressed.id)

    const names = herald.stack.scheduler.schedules().map((schedule) => schedule.name)
    expect(names).not.toContain(scheduleNameOf({ owner: { userId: cy }, id: high.id }))
    expect(herald.stack.ses.outbox().filter((email) => email.text.includes(cy))).toEqual([])
  })

  it('e-mails once when the fan-out runs twice for one alert (a retry): the second schedule conflicts', async () => {
    const di = user('di')
    const address = `${di}@example.com`
    await herald.connect(di, undefined, { email: address })
    const id = newId()
    const body = JSON.stringify({ type: 'alert', id, userId: di, data: critical('twice') })
    const escalated = escalationOf(di, id)
    for (let i = 0; i < 2; i++) {
      const sent = await herald.rawPublish({
        Action: 'Publish',
        TopicArn: herald.stack.topicArn,
        Message: body,
      })
      expect(sent.status).toBe(200)
    }
    await herald.stack.idle()
    const name = scheduleNameOf({ owner: { userId: di }, id })
    expect(herald.stack.scheduler.schedules().filter((schedule) => schedule.name === name)).toHaveLength(1)

    await escalated
    expect(mailTo(address)).toHaveLength(1)
  })

  it('remembers the latest address a token carried, and writes it only when it changes', async () => {
    const eve = user('eve')
    const callsOfConnect = () => herald.stack.bill.usage().connect?.['calls.dynamodb'] ?? 0
    const calls: number[] = []
    for (const address of [`${eve}@old.example.com`, `${eve}@old.example.com`, `${eve}@new.example.com`]) {
      const before = callsOfConnect()
      ;(await herald.connect(eve, undefined, { email: address })).close()
      calls.push(callsOfConnect() - before)
    }
    await herald.stack.idle()
    // A Query and a BatchWriteItem each time, and the PutItem of the address only when it is new.
    expect(calls).toEqual([3, 2, 3])
    const contact = (await herald.storedItems()).filter(
      (item) => String(item.pk).endsWith(`user#${eve}`) && item.sk === 'contact',
    )
    expect(contact).toEqual([expect.objectContaining({ email: `${eve}@new.example.com` })])
  })
})

/** A stack whose `name` function's role lacks `target`'s grant, and each function failure after Lambda's retries. */
function withoutGrant(name: 'fanout' | 'escalate', target: 'schedules' | 'emailIdentity') {
  const failures: { name: string; error: string }[] = []
  const waiting = new Set<() => void>()
  const stack = withLocalStack({
    env: { HERALD_ESCALATE_AFTER_SECONDS: '1' },
    lambda: {
      retryDelaysMs: [20, 20],
      onFailure: (failed, _event, error) => {
        failures.push({ name: failed, error: String(error) })
        for (const wake of waiting) wake()
      },
    },
    functions: { [name]: { ...FUNCTIONS[name], grants: { ...FUNCTIONS[name].grants, [target]: [] } } },
  })
  /** The first failure of `fn` after Lambda's retries: what lands in the dead-letter queue. */
  const failureOf = (fn: string) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const found = failures.find((failure) => failure.name === fn)
        if (!found) return
        waiting.delete(check)
        resolve(found.error)
      }
      waiting.add(check)
      check()
    })
  return { stack, failureOf }
}

describe('Escalation fails as on AWS when a grant is missing, and loses nothing', () => {
  const unscheduled = withoutGrant('fanout', 'schedules')
  const unsent = withoutGrant('escalate', 'emailIdentity')

  it('without CreateSchedule, the alert is still delivered, and the fan-out fails into the dead-letter queue', async () => {
    const fay = user('fay')
    const tab = await unscheduled.stack.connect(fay, undefined, { email: `${fay}@example.com` })
    const failed = unscheduled.failureOf('herald-fanout')
    await unscheduled.stack.publisher.sendAlertNotification(fay, critical('unscheduled'))

    expect((await tab.next('alert')).data).toMatchObject({ title: 'unscheduled' })
    expect(await failed).toMatch(/not authorized to perform: scheduler:CreateSchedule/)
    expect(unscheduled.stack.stack.scheduler.schedules()).toEqual([])
  })

  it('without SendEmail, nothing is sent, the claim is given back, and the escalation waits in the dead-letter queue', async () => {
    const gil = user('gil')
    await unsent.stack.connect(gil, undefined, { email: `${gil}@example.com` })
    const failed = unsent.failureOf('herald-escalate')
    const published = await unsent.stack.publisher.sendAlertNotification(gil, critical('unsent'))

    expect(await failed).toMatch(/not authorized to perform: ses:SendEmail/)
    expect(unsent.stack.stack.ses.outbox()).toEqual([])
    expect(await claimOf(unsent.stack, gil, published.id)).toBeUndefined()
  })
})
