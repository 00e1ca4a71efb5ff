import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { withLocalStack } from '../support/local-stack.js'
import { hasPeer, peerTest } from '../support/peers.js'

const root = resolve(import.meta.dirname, '../..')
const CHROMIUM = '/usr/bin/chromium'
const browserTest = peerTest(hasPeer(CHROMIUM, ['--version']), 'apt-get install -y chromium')
const SCREENSHOTS = join(root, 'test/screenshots')
const AUTO_HIDE = 1500

const herald = withLocalStack({ dashboardRoot: join(root, 'dist/demo') })
const tenants = withLocalStack({
  dashboardRoot: join(root, 'dist/demo'),
  env: { HERALD_TENANT_CLAIM: 'tenant', HERALD_OPERATOR_TENANT: 'ops' },
})
let browser: Browser | undefined
let page: Page

beforeAll(async () => {
  if (!hasPeer(CHROMIUM, ['--version']) && process.env.CI !== 'true') return
  await build({ configFile: join(root, 'client/demo/vite.config.ts'), logLevel: 'error' })
  await mkdir(SCREENSHOTS, { recursive: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  page = await browser.newPage({ viewport: { width: 1280, height: 760 } })
  await page.goto(`${herald.stack.dashboardUrl}/?user=alice&autoHide=${AUTO_HIDE}&reconnectDelay=1000`)
}, 60_000)

afterAll(async () => {
  await browser?.close()
})

const dot = () => page.getByTestId('herald-connection')
const toast = (title: string) => page.getByTestId('herald-toast').filter({ hasText: title })
const logRows = () => page.getByTestId('herald-log').allTextContents()
const alert = (title: string) => ({ severity: 'high' as const, title, message: `${title} message` })

describe('Demo dashboard in Chromium', () => {
  browserTest('turns the connection dot green once connected', async () => {
    await expect.poll(() => dot().getAttribute('data-state'), { timeout: 10_000 }).toBe('open')
    expect(await page.getByRole('status', { name: 'Connected' }).count()).toBe(1)
  })

  browserTest('shows a toast for a published alert and hides it after autoHideDuration', async () => {
    await herald.publisher.sendAlertNotification('alice', {
      severity: 'critical',
      title: 'Database unreachable',
      message: 'db-1 stopped answering',
    })
    await toast('Database unreachable').waitFor({ timeout: 15_000 })
    const shownAt = Date.now()
    await page.screenshot({ path: join(SCREENSHOTS, 'toast.png') })

    await toast('Database unreachable').waitFor({ state: 'detached', timeout: AUTO_HIDE + 10_000 })

    expect(Date.now() - shownAt).toBeGreaterThan(AUTO_HIDE - 300)
    await herald.publisher.sendAlertNotification('bob', {
      severity: 'critical',
      title: 'Not for alice',
      message: '',
    })
    await herald.stack.lambda.idle()
    // A marker for alice, published after bob's alert was delivered: once it shows, bob's would have too.
    await herald.publisher.sendAlertNotification('alice', {
      severity: 'critical',
      title: 'Marker',
      message: '',
    })
    await toast('Marker').waitFor({ timeout: 15_000 })
    expect(await toast('Not for alice').count()).toBe(0)
  })

  browserTest('shows only the logs that match the chosen filters', async () => {
    await page.getByRole('form', { name: 'Log filters' }).getByLabel('Level').selectOption('error')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await page.getByText('Showing level error').waitFor({ timeout: 15_000 })

    for (const [level, message] of [
      ['info', 'quiet-1'],
      ['error', 'loud-1'],
      ['warning', 'quiet-2'],
      ['error', 'loud-2'],
    ] as const) {
      await herald.publisher.sendLogStream({ level, message, source: 'api', environment: 'prod' })
    }
    await herald.stack.lambda.idle()
    await page.getByTestId('herald-log').filter({ hasText: 'loud-2' }).waitFor({ timeout: 15_000 })

    const rows = await logRows()
    expect(rows.filter((row) => row.includes('loud')).map((row) => row.match(/loud-\d/)?.[0])).toEqual([
      'loud-1',
      'loud-2',
    ])
    expect(rows.some((row) => row.includes('quiet'))).toBe(false)
    await page.screenshot({ path: join(SCREENSHOTS, 'logs.png') })
  })

  browserTest(
    'reconnects by itself after the gateway drops the socket, and shows what was published meanwhile',
    async () => {
      for (const id of herald.stack.gateway.connectionIds) herald.stack.gateway.drop(id)
      await expect.poll(() => dot().getAttribute('data-state'), { timeout: 5_000 }).toBe('reconnecting')

      await herald.publisher.sendAlertNotification('alice', {
        severity: 'high',
        title: 'Published while away',
        message: 'seen after reconnect',
      })
      await herald.stack.lambda.idle()

      await expect.poll(() => dot().getAttribute('data-state'), { timeout: 10_000 }).toBe('open')
      await toast('Published while away').waitFor({ timeout: 15_000 })
      await page.getByRole('button', { name: /^Notifications, \d+ unread$/ }).click()
      const panel = page.getByRole('dialog', { name: 'Recent notifications' })
      expect(await panel.getByText('Published while away').count()).toBe(1)
      await page.screenshot({ path: join(SCREENSHOTS, 'reconnected.png') })
    },
  )

  browserTest('shows every kind of notification together (the README screenshot)', async () => {
    await page.keyboard.press('Escape')
    await page.getByRole('form', { name: 'Log filters' }).getByLabel('Level').selectOption('')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await page.getByText('Showing all').waitFor()
    for (const [level, source, message] of [
      ['info', 'api', 'GET /orders 200 in 38 ms'],
      ['warning', 'worker', 'retrying job 8812 (attempt 2)'],
      ['error', 'billing', 'card declined for invoice 4471'],
      ['debug', 'api', 'cache hit ratio 0.93'],
    ] as const) {
      await herald.publisher.sendLogStream({ level, message, source, environment: 'prod' })
    }
    await herald.publisher.sendSystemNotification({
      title: 'Maintenance tonight',
      message: 'Writes pause 02:00–02:10 UTC.',
      severity: 'medium',
    })
    await herald.publisher.sendUploadStatus('alice', {
      upload_id: 'u1',
      status: 'processing',
      progress: 70,
      filename: 'q3-report.csv',
    })
    await herald.stack.lambda.idle()
    await page.getByTestId('herald-log').filter({ hasText: 'cache hit ratio' }).waitFor()
    await toast('q3-report.csv').waitFor()
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png') })
    expect(await page.getByTestId('herald-toast').count()).toBeGreaterThanOrEqual(2)
  })
})

describe('Demo dashboard in Chromium, multi-tenant', () => {
  browserTest(
    'shows the signed-in tenant and groups, and sends an alert to a group of that tenant only',
    async () => {
      const tenantPage = await (browser as Browser).newPage({ viewport: { width: 1280, height: 760 } })
      await tenantPage.goto(
        `${tenants.stack.dashboardUrl}/?user=1&tenant=acme&groups=oncall,admins&autoHide=60000`,
      )
      const badge = tenantPage.getByTestId('herald-identity')
      await expect
        .poll(() => badge.textContent(), { timeout: 10_000 })
        .toBe('1 · tenant acme · groups oncall, admins')
      const teammate = await tenants.connect('2', undefined, { tenant: 'acme', groups: ['oncall'] })
      const outsider = await tenants.connect('2', undefined, { tenant: 'globex', groups: ['oncall'] })

      await tenantPage.getByLabel('Send to').selectOption('group:oncall')
      await tenantPage.getByRole('button', { name: 'Send alert' }).click()

      await tenantPage
        .getByTestId('herald-toast')
        .filter({ hasText: 'disk 91% full' })
        .waitFor({ timeout: 15_000 })
      expect((await teammate.next('alert')).data).toMatchObject({ title: 'High: disk 91% full on db-1' })
      await tenants.stack.idle()
      outsider.send({ type: 'ping' })
      await outsider.next('pong')
      expect(outsider.received('alert')).toEqual([])
      await tenantPage.screenshot({ path: join(SCREENSHOTS, 'tenants.png') })
      await tenantPage.close()
    },
  )
})

describe('Inbox across tabs in Chromium', () => {
  const open = async (user: string, errors: string[] = []) => {
    const tab = await (browser as Browser).newPage({ viewport: { width: 1280, height: 760 } })
    tab.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    await tab.goto(`${herald.stack.dashboardUrl}/?user=${user}&autoHide=60000`)
    await expect
      .poll(() => tab.getByTestId('herald-connection').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('open')
    return tab
  }
  const bell = (tab: Page) => tab.getByRole('button', { name: /^Notifications, \d+\+? unread$/ })
  const unread = async (tab: Page) => Number((await bell(tab).getAttribute('aria-label'))?.match(/\d+/)?.[0])
  const items = (tab: Page) => tab.getByTestId('herald-item')

  browserTest(
    'syncs read, dismissed and the unread count across two tabs of a user, and leaves another user alone',
    async () => {
      const errors: string[] = []
      const [first, second, other] = [
        await open('ivy', errors),
        await open('ivy', errors),
        await open('jack', errors),
      ]
      // Earlier tests' broadcasts are in both users' history: start from an empty inbox.
      for (const tab of [first, other]) {
        await bell(tab).click()
        await tab.getByRole('button', { name: 'Mark all read' }).click()
        await tab.keyboard.press('Escape')
      }
      for (const tab of [first, second, other]) await expect.poll(() => unread(tab)).toBe(0)
      await herald.publisher.sendAlertNotification('jack', alert('For jack'))
      await herald.publisher.sendAlertNotification('ivy', alert('Inbox one'))
      await expect.poll(() => unread(second)).toBe(1)
      await expect.poll(() => unread(first)).toBe(1)
      await expect.poll(() => unread(other)).toBe(1)

      await bell(first).click()
      // Read in one tab: the other's badge clears within a second.
      await expect.poll(() => unread(second), { timeout: 1_000, interval: 20 }).toBe(0)
      await bell(second).click()
      const inboxOne = (tab: Page) => items(tab).filter({ hasText: 'Inbox one' })
      await expect.poll(() => inboxOne(second).count()).toBe(1)
      await first.getByRole('button', { name: 'Dismiss Inbox one everywhere' }).click()
      await expect.poll(() => inboxOne(second).count(), { timeout: 1_000, interval: 20 }).toBe(0)
      await expect.poll(() => inboxOne(first).count()).toBe(0)

      await herald.publisher.sendAlertNotification('ivy', alert('Inbox two'))
      await expect.poll(() => unread(first)).toBe(1)
      await second.reload()
      await expect.poll(() => unread(second), { timeout: 10_000 }).toBe(1)
      expect(await unread(other)).toBe(1)
      expect(errors).toEqual([])
      for (const tab of [second, other]) await tab.close()

      await first.getByRole('button', { name: 'Simulate upload' }).click()
      const upload = first.getByTestId('herald-item').filter({ hasText: 'q3-report.csv' })
      await expect.poll(() => upload.textContent(), { timeout: 10_000 }).toContain('q3-report.csv: completed')
      expect(await upload.count()).toBe(1)
      expect(await first.getByTestId('herald-toast').filter({ hasText: 'q3-report.csv' }).count()).toBe(1)
      await first.screenshot({ path: join(SCREENSHOTS, 'inbox.png') })
      await first.close()
    },
  )
})
