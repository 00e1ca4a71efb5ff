import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  interface as dbusInterface,
  type MessageBus,
  NameFlag,
  RequestNameReply,
  sessionBus,
  type Variant,
} from 'dbus-next'

const NAME = 'org.freedesktop.Notifications'
const PATH = '/org/freedesktop/Notifications'
/** `NotificationClosed`'s reason when a `CloseNotification` call closed it. */
const CLOSED_BY_CALL = 3

/** A notification as the desktop received it from the browser (`Notify`). */
export interface DesktopNotification {
  id: number
  appName: string
  summary: string
  body: string
  /** Pairs of action key and label; `default` makes the whole notification clickable. */
  actions: string[]
  /** The hints, each variant's value unwrapped. */
  hints: Record<string, unknown>
}

// A session bus of the test's own: no service is activated on it, and every name may be owned.
const BUS_CONFIG = (socket: string): string => `<!DOCTYPE busconfig PUBLIC
  "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
  "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

/**
 * The `org.freedesktop.Notifications` interface: what it is shown and asked to close goes to
 * `server`; its signals are sent by calling them.
 */
class NotificationsInterface extends dbusInterface.Interface {
  constructor(readonly server: { notified(note: DesktopNotification): void; closed(id: number): void }) {
    super(NAME)
  }

  GetCapabilities(): string[] {
    return ['actions', 'body']
  }

  GetServerInformation(): string[] {
    return ['herald-test', 'Herald', '1.0', '1.2']
  }

  Notify(
    appName: string,
    replacesId: number,
    _icon: string,
    summary: string,
    body: string,
    actions: string[],
    hints: Record<string, Variant>,
  ): number {
    const id = replacesId || ++this.#lastId
    const unwrapped = Object.fromEntries(Object.entries(hints).map(([key, each]) => [key, each.value]))
    this.server.notified({ id, appName, summary, body, actions, hints: unwrapped })
    return id
  }

  CloseNotification(id: number): void {
    this.server.closed(id)
    this.NotificationClosed(id, CLOSED_BY_CALL)
  }

  ActionInvoked(id: number, actionKey: string): [number, string] {
    return [id, actionKey]
  }

  NotificationClosed(id: number, reason: number): [number, number] {
    return [id, reason]
  }

  #lastId = 0
}

NotificationsInterface.configureMembers({
  methods: {
    GetCapabilities: { outSignature: 'as' },
    GetServerInformation: { outSignature: 'ssss' },
    Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
    CloseNotification: { inSignature: 'u' },
  },
  signals: {
    ActionInvoked: { signature: 'us' },
    NotificationClosed: { signature: 'uu' },
  },
})

/**
 * The desktop's notification server (the Desktop Notifications Specification, which GNOME's and
 * KDE's implement) on a private session bus. Chromium on Linux shows web notifications through
 * it when it finds one, and hears from it when the user clicks one: `click` is that signal, the
 * way a desktop reports a click, so the browser's own `notificationclick` path runs.
 */
export class DesktopNotifications {
  readonly shown: DesktopNotification[] = []
  /** Ids the browser closed (`CloseNotification`). */
  readonly closed: number[] = []
  readonly #waiters: { shown: ((note: DesktopNotification) => void)[]; closed: ((id: number) => void)[] } = {
    shown: [],
    closed: [],
  }
  readonly #interface = new NotificationsInterface({
    notified: (note) => {
      this.shown.push(note)
      for (const wake of this.#waiters.shown.splice(0)) wake(note)
    },
    closed: (id) => {
      this.closed.push(id)
      for (const wake of this.#waiters.closed.splice(0)) wake(id)
    },
  })

  private constructor(
    /** `DBUS_SESSION_BUS_ADDRESS` for the browser. */
    readonly address: string,
    readonly bus: ChildProcess,
    readonly connection: MessageBus,
    readonly dir: string,
  ) {
    connection.export(PATH, this.#interface)
  }

  /** Starts the bus and owns the server's name on it: start it before the browser, which looks once. */
  static async start(): Promise<DesktopNotifications> {
    const dir = await mkdtemp(join(tmpdir(), 'herald-bus-'))
    const config = join(dir, 'bus.conf')
    await writeFile(config, BUS_CONFIG(join(dir, 'socket')))
    const daemon = spawn('dbus-daemon', ['--nofork', '--print-address=1', `--config-file=${config}`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let connection: MessageBus | undefined
    try {
      const address = await new Promise<string>((resolve, reject) => {
        daemon.stdout?.once('data', (data: Buffer) => resolve(String(data).trim()))
        daemon
          .once('error', reject)
          .once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)))
      })
      const session = sessionBus({ busAddress: address })
      connection = session
      const server = new DesktopNotifications(address, daemon, session, dir)
      // Until the name is owned, a connection that fails fails the start.
      const owned = await new Promise<number>((resolve, reject) => {
        session.once('error', reject)
        session
          .requestName(NAME, NameFlag.DO_NOT_QUEUE)
          .then(resolve, reject)
          .finally(() => session.off('error', reject))
      })
      if (owned !== RequestNameReply.PRIMARY_OWNER) throw new Error(`could not own ${NAME}`)
      return server
    } catch (error) {
      connection?.disconnect()
      daemon.kill()
      await rm(dir, { recursive: true, force: true })
      throw error
    }
  }

  /** The next notification the browser shows. */
  nextShown(): Promise<DesktopNotification> {
    return new Promise((resolve) => this.#waiters.shown.push(resolve))
  }

  /** The id of the next notification the browser closes. */
  nextClosed(): Promise<number> {
    return new Promise((resolve) => this.#waiters.closed.push(resolve))
  }

  /** The user clicks the notification: the server invokes its default action. */
  click(id: number): void {
    this.#interface.ActionInvoked(id, 'default')
  }

  async stop(): Promise<void> {
    this.connection.disconnect()
    if (this.bus.exitCode === null) {
      const exited = once(this.bus, 'exit')
      this.bus.kill()
      await exited
    }
    await rm(this.dir, { recursive: true, force: true })
  }
}
