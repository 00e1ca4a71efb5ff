import { mkdtempSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { NPM_START_THREADS } from '../../local/defaults.js'
import type { Envelope, ReadState } from '../../shared/protocol/frames.js'
import { withLocalStack } from '../support/local-stack.js'
import { hasPeer, peerTest } from '../support/peers.js'
import type { TestClient } from '../support/ws-client.js'

const root = resolve(import.meta.dirname, '../..')
const CHROMIUM = '/usr/bin/chromium'
const browserTest = peerTest(hasPeer(CHROMIUM, ['--version']), 'apt-get install -y chromium')
const SCREENSHOTS = join(root, 'test/screenshots')
const USER = 'nora'
const HOUR_MS = 3_600_000

// A demo build of its own: the dashboard test builds dist/demo, and the two may run side by side.
const demo = mkdtempSync(join(tmpdir(), 'herald-demo-'))
// npm start's runtime: every function in worker threads, as many instances as Lambda would run.
const herald = withLocalStack({ dashboardRoot: demo, threads: NPM_START_THREADS })
let browser: Browser | undefined
/** Two tabs of one user, and a third connection of theirs: another device, speaking the protocol. */
let tabA: Page
let tabB: Page
let device: TestClient

beforeAll(async () => {
  if (!hasPeer(CHROMIUM, ['--version']) && process.env.CI !== 'true') return
  await build({
    configFile: join(root, 'client/demo/vite.config.ts'),
    logLevel: 'error',
    build: { outDir: demo, emptyOutDir: true },
  })
  await mkdir(SCREENSHOTS, { recursive: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  tabA = await open()
  tabB = await open()
  device = await herald.connect(USER)
}, 60_000)

afterAll(async () => {
  await browser?.close()
})

async function open(): Promise<Page> {
  const tab = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } })
  await tab.goto(`${herald.stack.dashboardUrl}/?user=${USER}&autoHide=60000`)
  await tab.locator('[data-testid="herald-connection"][data-state="open"]').waitFor({ timeout: 10_000 })
  return tab
}

const bell = (tab: Page) => tab.getByRole('button', { name: /^Notifications, \d+\+? unread$/ })
const unread = async (tab: Page) => Number((await bell(tab).getAttribute('aria-label'))?.match(/\d+/)?.[0])
const entry = (tab: Page, title: string) => tab.getByTestId('herald-item').filter({ hasText: title })
const toast = (tab: Page, title: string) => tab.getByTestId('herald-toast').filter({ hasText: title })
const preferences = (tab: Page) => tab.getByRole('form', { name: 'Preferences' })
const samples = (tab: Page) => tab.getByRole('region', { name: 'Send sample events' })
const publishAlert = (title: string, extra: Record<string, unknown> = {}, source = 'api') =>
  herald.publisher.publish({
    type: 'alert',
    userId: USER,
    data: { severity: 'high', title, message: `${title} message`, source },
    ...extra,
  })

/** The first frame the other device received after the `before`th that passes `check`, once it has. */
async function deviceFrame(before: number, check: (frame: Envelope) => boolean): Promise<Envelope> {
  await expect.poll(() => device.frames.slice(before).some(check), { timeout: 15_000 }).toBe(true)
  return device.frames.slice(before).find(check) as Envelope
}

async function openPanel(tab: Page): Promise<void> {
  if ((await bell(tab).getAttribute('aria-expanded')) !== 'true') await bell(tab).click()
}
async function closePanel(tab: Page): Promise<void> {
  if ((await bell(tab).getAttribute('aria-expanded')) === 'true') await tab.keyboard.press('Escape')
}
/** Both tabs start from an empty badge: everything so far read, panels closed. */
async function allRead(): Promise<void> {
  await openPanel(tabA)
  await tabA.getByRole('button', { name: 'Mark all read' }).click()
  for (const tab of [tabA, tabB]) {
    await closePanel(tab)
    await expect.poll(() => unread(tab)).toBe(0)
  }
}

describe('Inbox controls in Chromium, two tabs of one user', () => {
  browserTest(
    'mutes a source set in one tab’s preferences: its alerts reach neither tab nor the badge; another source’s reach both',
    async () => {
      await allRead()
      await preferences(tabA).getByLabel('Sources').fill('noisy-ci')
      await preferences(tabA).getByRole('button', { name: 'Save preferences' }).click()
      // The other tab shows what the server now holds: its preferences frame has come.
      await expect.poll(() => preferences(tabB).getByLabel('Sources').inputValue()).toBe('noisy-ci')

      await publishAlert('Muted build', {}, 'noisy-ci')
      await herald.stack.lambda.idle()
      // Published after the muted one was delivered, or not: once it shows, the muted one would have.
      await publishAlert('Heard deploy', {}, 'deploys')
      for (const tab of [tabA, tabB]) {
        await toast(tab, 'Heard deploy').waitFor({ timeout: 15_000 })
        expect(await toast(tab, 'Muted build').count()).toBe(0)
        await expect.poll(() => unread(tab)).toBe(1)
      }
      await openPanel(tabB)
      await entry(tabB, 'Heard deploy').waitFor()
      expect(await entry(tabB, 'Muted build').count()).toBe(0)
      await tabA.screenshot({ path: join(SCREENSHOTS, 'preferences.png') })
    },
    60_000,
  )

  browserTest(
    'folds three alerts with one threadKey into one entry counted 3, unread once in both tabs, after a reload too',
    async () => {
      await allRead()
      const before = device.frames.length
      await samples(tabA).getByLabel('Thread').fill('disk-db-1')
      for (let i = 0; i < 3; i++) await samples(tabA).getByRole('button', { name: 'Send alert' }).click()
      // Every alert has reached the user's other device, so every fan-out has posted: the tabs have them too.
      const inThread = (frame: Envelope) => frame.type === 'alert' && frame.thread?.key === 'disk-db-1'
      await expect
        .poll(() => device.frames.slice(before).filter(inThread).length, { timeout: 15_000 })
        .toBe(3)

      for (const tab of [tabA, tabB]) await expect.poll(() => unread(tab)).toBe(1)
      await tabB.reload()
      await expect.poll(() => unread(tabB), { timeout: 10_000 }).toBe(1)
      for (const tab of [tabB, tabA]) {
        await openPanel(tab)
        const thread = entry(tab, 'disk 91% full')
        await expect.poll(() => thread.getByTestId('herald-thread-count').textContent()).toContain('×3')
        expect(await thread.count()).toBe(1)
      }
      await tabA.screenshot({ path: join(SCREENSHOTS, 'thread.png') })
      for (const tab of [tabA, tabB]) await closePanel(tab)
    },
    60_000,
  )

  browserTest(
    'snoozes an entry from one tab’s menu: it leaves the list and the count in both, and comes back when the snooze ends',
    async () => {
      await allRead()
      // The panel is open before the alert comes, so opening it does not read the alert.
      await openPanel(tabA)
      const { id } = await publishAlert('Snooze me')
      await entry(tabA, 'Snooze me').waitFor({ timeout: 15_000 })
      for (const tab of [tabA, tabB]) await expect.poll(() => unread(tab)).toBe(1)

      const before = device.frames.length
      await tabA.getByRole('button', { name: 'Snooze Snooze me', exact: true }).click()
      await tabA.getByRole('button', { name: 'Snooze Snooze me for 1 hour' }).click()
      const snoozed = (frame: Envelope) =>
        frame.type === 'read_state' && (frame.data as ReadState).snoozed?.[id] !== undefined
      const until = Date.parse(((await deviceFrame(before, snoozed)).data as ReadState).snoozed?.[id] ?? '')
      expect(Math.abs(until - (Date.now() + HOUR_MS))).toBeLessThan(60_000)
      for (const tab of [tabA, tabB]) await expect.poll(() => unread(tab)).toBe(0)
      await expect.poll(() => entry(tabA, 'Snooze me').count()).toBe(0)
      await openPanel(tabB)
      await expect.poll(() => entry(tabB, 'Snooze me').count()).toBe(0)

      // An hour is too long to wait: the user's other device snoozes it again, to three seconds from now.
      device.send({ type: 'snooze', ids: [id], until: new Date(Date.now() + 3000).toISOString() })
      for (const tab of [tabA, tabB]) {
        await entry(tab, 'Snooze me').waitFor({ timeout: 15_000 })
        expect(await entry(tab, 'Snooze me').getAttribute('data-read')).toBe('false')
        await expect.poll(() => unread(tab)).toBe(1)
      }
      await tabB.screenshot({ path: join(SCREENSHOTS, 'snooze-returned.png') })
      for (const tab of [tabA, tabB]) await closePanel(tab)
    },
    60_000,
  )

  browserTest(
    'drops a notification from the list and the count when it expires, and a reload does not bring it back',
    async () => {
      await allRead()
      await openPanel(tabA)
      await publishAlert('Brief', { ttlSeconds: 2 })
      await entry(tabA, 'Brief').waitFor({ timeout: 15_000 })
      await expect.poll(() => unread(tabB)).toBe(1)

      await expect.poll(() => entry(tabA, 'Brief').count(), { timeout: 10_000 }).toBe(0)
      for (const tab of [tabA, tabB]) await expect.poll(() => unread(tab)).toBe(0)
      await tabB.reload()
      await openPanel(tabB)
      // The thread of the test before is still in history: once it is listed, the recent page is in.
      await entry(tabB, 'disk 91% full').waitFor({ timeout: 10_000 })
      expect(await entry(tabB, 'Brief').count()).toBe(0)
      expect(await unread(tabB)).toBe(0)
    },
    60_000,
  )
})
