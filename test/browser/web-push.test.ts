import { mkdtempSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { type DesktopNotification, DesktopNotifications } from '../support/desktop-notifications.js'
import { withLocalStack } from '../support/local-stack.js'
import { hasPeer, peerTest } from '../support/peers.js'
import { LocalPushService } from '../support/push-service.js'

const root = resolve(import.meta.dirname, '../..')
const CHROMIUM = '/usr/bin/chromium'
const peers = hasPeer(CHROMIUM, ['--version']) && hasPeer('dbus-daemon', ['--version'])
const browserTest = peerTest(peers, 'apt-get install -y chromium dbus-daemon')
const SCREENSHOTS = join(root, 'test/screenshots')
const USER = 'wren'
/** How long the dashboard lets the browser's push service take (`?pushTimeout=`). */
const PUSH_TIMEOUT_MS = 2000

// A demo build of its own, as the other browser tests may build theirs meanwhile.
const demo = mkdtempSync(join(tmpdir(), 'herald-demo-'))
const profile = mkdtempSync(join(tmpdir(), 'herald-profile-'))
const herald = withLocalStack({ dashboardRoot: demo })
const pushService = new LocalPushService()
let desktop: DesktopNotifications | undefined
let context: BrowserContext | undefined
let page: Page
let cdp: CDPSession
/** DevTools' id of the dashboard's service worker registration, once its worker is active. */
let activated: Promise<string>

const dashboardUrl = () => herald.stack.dashboardUrl as string
const preferences = () => page.getByRole('form', { name: 'Preferences' })

/** Resolves with the registration id once DevTools reports the worker at `scriptURL` activated. */
function workerActivated(session: CDPSession, scriptURL: string): Promise<string> {
  return new Promise((resolve) =>
    session.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      const version = versions.find((each) => each.scriptURL === scriptURL && each.status === 'activated')
      if (version) resolve(version.registrationId)
    }),
  )
}

beforeAll(async () => {
  if (!peers && process.env.CI !== 'true') return
  await build({
    configFile: join(root, 'client/demo/vite.config.ts'),
    logLevel: 'error',
    build: { outDir: demo, emptyOutDir: true },
  })
  await mkdir(SCREENSHOTS, { recursive: true })
  await pushService.listen()
  // Before the browser, which looks for a notification server once, when it starts.
  desktop = await DesktopNotifications.start()
  // A profile on disk, not a context Playwright makes: Chromium hands a click on a notification to
  // the profile it finds by name, and those contexts are unnamed incognito profiles.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: desktop.address },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 1280, height: 900 },
  })
  await context.grantPermissions(['notifications'], { origin: dashboardUrl() })
  page = await context.newPage()
  cdp = await context.newCDPSession(page)
  activated = workerActivated(cdp, `${dashboardUrl()}/herald-sw.js`)
  await cdp.send('ServiceWorker.enable')
  await page.goto(`${dashboardUrl()}/?user=${USER}&pushTimeout=${PUSH_TIMEOUT_MS}`)
  await page.locator('[data-testid="herald-connection"][data-state="open"]').waitFor({ timeout: 10_000 })
}, 60_000)

afterAll(async () => {
  await context?.close()
  await desktop?.stop()
  await pushService.close()
  await rm(profile, { recursive: true, force: true })
  await rm(demo, { recursive: true, force: true })
})

/**
 * The body Herald's push function posts for an alert, as the push service receives it and the
 * browser decrypts it. Herald pushes only to a user with no tab open, and this browser's user has
 * one, so the alert goes to another user, subscribed on loopback, whose push service plays this
 * browser's: its body is what this browser's would be handed.
 */
async function pushedBody(data: { severity: string; title: string; message: string }, threadKey: string) {
  const away = `${USER}-away`
  const tab = await herald.connect(away)
  tab.send({ type: 'push_subscribe', subscription: pushService.subscription(`/push/${away}`) })
  await tab.next('push_subscribed')
  tab.close()
  await tab.waitClosed()
  await herald.stack.idle()
  const arriving = pushService.next()
  await herald.publisher.publish({ type: 'alert', userId: away, data, threadKey })
  return JSON.stringify((await arriving).payload)
}

/** Hands a push to the dashboard's service worker, as the browser does when its push service delivers one. */
async function deliver(body: string): Promise<DesktopNotification> {
  const shown = (desktop as DesktopNotifications).nextShown()
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: dashboardUrl(),
    registrationId: await activated,
    data: body,
  })
  return shown
}

describe('Web Push in Chromium: the dashboard and its service worker', () => {
  browserTest(
    'registers the service worker when push is enabled, and the worker becomes active',
    async () => {
      await preferences().getByRole('button', { name: 'Enable push' }).click()

      const registrationId = await activated
      const registration = await page.evaluate(async () => {
        const found = await navigator.serviceWorker.getRegistration('/herald-sw.js')
        return { scope: found?.scope, script: found?.active?.scriptURL, state: found?.active?.state }
      })

      expect(registrationId).toMatch(/^\d+$/)
      expect(registration).toEqual({
        scope: `${dashboardUrl()}/`,
        script: `${dashboardUrl()}/herald-sw.js`,
        state: 'activated',
      })
    },
    30_000,
  )

  browserTest(
    'says the browser could not subscribe when its push service is out of reach, and sends Herald nothing',
    async () => {
      // No internet here: Chromium's subscribe waits for Google's push service, which never answers.
      const failure = preferences().getByRole('alert')
      await failure.waitFor({ timeout: PUSH_TIMEOUT_MS + 10_000 })

      expect(await failure.getAttribute('data-code')).toBe('subscribe_failed')
      expect(await failure.textContent()).toBe(
        `The browser could not subscribe to push: TimeoutError: the push service did not answer within ${PUSH_TIMEOUT_MS / 1000} s`,
      )
      expect(await page.getByTestId('herald-push-state').textContent()).toBe('Push: off')
      expect(await preferences().getByRole('button', { name: 'Enable push' }).isEnabled()).toBe(true)
      // Permission was granted: what failed is the subscription, and nothing reached Herald.
      expect(await page.evaluate(() => Notification.permission)).toBe('granted')
      const stored = await herald.storedItems()
      expect(stored.filter((item) => String(item.pk).startsWith('push#'))).toEqual([])
      await preferences().screenshot({ path: join(SCREENSHOTS, 'push-failed.png') })
    },
    30_000,
  )

  browserTest(
    'shows the alert Herald pushed as a desktop notification: its title, then severity and message, tagged with its thread',
    async () => {
      const body = await pushedBody(
        { severity: 'critical', title: 'db-1 disk full', message: 'db-1 has 2% left' },
        'disk-db-1',
      )

      const note = await deliver(body)
      // Only once the desktop has it: until then the browser may not count it as shown.
      const listed = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration('/herald-sw.js')
        const shown = (await registration?.getNotifications()) ?? []
        return shown.map(({ title, body, tag, data }) => ({ title, body, tag, data }))
      })

      expect(note).toMatchObject({ summary: 'db-1 disk full', actions: expect.arrayContaining(['default']) })
      // The desktop's body starts with the site the notification came from.
      expect(note.body).toMatch(/\n\nCRITICAL · db-1 has 2% left$/)
      expect(listed).toEqual([
        {
          title: 'db-1 disk full',
          body: 'CRITICAL · db-1 has 2% left',
          tag: 'disk-db-1',
          data: { url: `${dashboardUrl()}/` },
        },
      ])
    },
    30_000,
  )

  browserTest(
    'on a click on the notification, brings the open dashboard forward, or opens it when no tab is',
    async () => {
      const notifications = desktop as DesktopNotifications
      const [first] = notifications.shown
      if (!first) throw new Error('the test before showed no notification')
      const tabs = context?.pages().map((each) => each.url())

      // Clicked as a desktop reports a click, so Chromium dispatches `notificationclick` itself.
      let closed = notifications.nextClosed()
      notifications.click(first.id)
      // The worker closes it last, once it has focused a tab or opened one: none was opened.
      expect(await closed).toBe(first.id)
      expect(context?.pages().map((each) => each.url())).toEqual(tabs)

      const second = await deliver(
        await pushedBody({ severity: 'high', title: 'api 5xx', message: '5% of requests fail' }, 'api-5xx'),
      )
      await page.close()
      const opened = (context as BrowserContext).waitForEvent('page')
      closed = notifications.nextClosed()
      notifications.click(second.id)
      const dashboard = await opened
      expect(await closed).toBe(second.id)

      await dashboard.waitForURL(`${dashboardUrl()}/`)
      await dashboard
        .locator('[data-testid="herald-connection"][data-state="open"]')
        .waitFor({ timeout: 10_000 })
      await dashboard.screenshot({ path: join(SCREENSHOTS, 'push-clicked.png') })
    },
    30_000,
  )
})
