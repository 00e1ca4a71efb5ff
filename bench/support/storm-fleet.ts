import WebSocket from 'ws'
import { ConnectionState } from '../../client/core/connection-state.js'
import { WebSocketService } from '../../client/websocket-service.js'
import type { WebSocketConstructor } from '../../client/websocket-types.js'
import { signLocalToken } from '../../shared/auth/local-token.js'
import { serveIpc } from './ipc-peer.js'
import type { StormOpen, StormResult, StormWait } from './storm-fleet-client.js'

// Runs in its own process: one browser tab per user, each Herald's own client (WebSocketService)
// over the `ws` package with the client's defaults (3 s first reconnect delay, 10 attempts).

interface Tab {
  userId: string
  service: WebSocketService
  /** Gives up on its first socket after the drop, as a browser on a flapping network would. */
  flaky: boolean
  gaveUp?: 'in handshake' | 'at open'
  /** The first welcome after `arm`. */
  welcomedAt?: number
  /** Each alert id, as many times as the client showed it. */
  shown: Map<string, number>
  /** Alert frames that reached the socket, shown or dropped by the client as already seen. */
  received: number
  /** API Gateway's answer to a frame whose route failed (a throttled `$default`: the resume is gone). */
  serverErrors: number
}

const tabs: Tab[] = []
let armed = false
let giveUpMaxMs = 1000
/** After the drop: handshakes the gateway refused, by status; sockets lost again after their welcome, by close code. */
const refused: Record<string, number> = {}
const lostAgain: Record<string, number> = {}

/**
 * Terminates the socket before its welcome can arrive: at a random moment of the handshake (the
 * gateway then finishes the authorizer and `$connect` for nobody), or as it opens, whichever comes
 * first (`$connect` has run and the welcome is on its way to a socket that is gone).
 */
function giveUp(socket: WebSocket, tab: Tab): void {
  const quit = (how: Tab['gaveUp']) => {
    clearTimeout(timer)
    if (tab.gaveUp || socket.readyState > WebSocket.OPEN) return
    tab.gaveUp = how
    socket.terminate()
  }
  const timer = setTimeout(() => quit('in handshake'), Math.random() * giveUpMaxMs)
  socket.once('open', () => quit('at open'))
  socket.once('close', () => clearTimeout(timer))
}

/** `ws` as the client's socket, counting alert frames and giving up once after the drop when flaky. */
function socketFor(tabOf: () => Tab): WebSocketConstructor {
  class TabSocket extends WebSocket {
    constructor(url: string) {
      super(url)
      const tab = tabOf()
      if (armed && tab.flaky && !tab.gaveUp) giveUp(this, tab)
      // `ws` reports a refused handshake as an error naming the status (API Gateway's 429, 500…).
      this.on('error', (error) => {
        const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1]
        if (armed && status) refused[status] = (refused[status] ?? 0) + 1
      })
      this.on('message', (data) => {
        const text = data.toString()
        if (text.includes('"type":"alert"')) tab.received++
        else if (armed && text.includes('"message":"Internal server error"')) tab.serverErrors++
      })
    }
  }
  return TabSocket as unknown as WebSocketConstructor
}

function tabOf(request: StormOpen, userId: string, flaky: boolean, welcomed: () => void): Tab {
  // The service's callbacks run once it connects, after `tab` is assigned.
  const tab: Tab = {
    userId,
    flaky,
    shown: new Map(),
    received: 0,
    serverErrors: 0,
    service: new WebSocketService({
      url: request.url,
      getToken: () => signLocalToken({ userId, secret: request.secret, ttlSeconds: 7200 }),
      WebSocket: socketFor(() => tab),
      onConnect: () => {
        if (armed && tab.welcomedAt === undefined) tab.welcomedAt = Date.now()
        welcomed()
      },
      // A welcomed socket lost again: the client's heartbeat (4000) gives up on a pong the message
      // function was too busy to answer within 10 s, and the tab starts another reconnect.
      onDisconnect: ({ code }) => {
        if (armed && tab.welcomedAt !== undefined) lostAgain[code] = (lostAgain[code] ?? 0) + 1
      },
      onMessage: (frame) => {
        if (frame.type === 'alert') tab.shown.set(frame.id, (tab.shown.get(frame.id) ?? 0) + 1)
      },
    }),
  }
  return tab
}

/** Opens a tab per user, `concurrency` handshakes at a time, each waiting for its welcome. */
async function open(request: StormOpen) {
  const started = Date.now()
  const deadline = started + request.timeoutMs
  let next = 0
  const lane = async () => {
    while (next < request.users.length && Date.now() < deadline) {
      const index = next++
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now())
        const flaky = request.flakyShare > 0 && index % Math.round(1 / request.flakyShare) === 0
        const tab = tabOf(request, request.users[index] as string, flaky, () => {
          clearTimeout(timer)
          resolve()
        })
        tabs.push(tab)
        tab.service.connect()
      })
    }
  }
  await Promise.all(Array.from({ length: request.concurrency }, lane))
  const opened = tabs.filter((tab) => tab.service.state === ConnectionState.Open).length
  return { opened, ms: Date.now() - started }
}

/** Welcomed with every alert shown, or out of reconnect attempts (what it lacks then stays lost). */
const complete = (tab: Tab, expected: readonly string[]) =>
  tab.service.state === ConnectionState.Closed ||
  (tab.welcomedAt !== undefined && expected.every((id) => tab.shown.has(id)))

/** Waits until every tab is welcomed again and has shown every alert published to its user, or the deadline. */
async function wait(request: StormWait): Promise<StormResult> {
  const deadline = Date.now() + request.timeoutMs
  const expectedOf = (tab: Tab) => request.expected[tab.userId] ?? []
  while (Date.now() < deadline && !tabs.every((tab) => complete(tab, expectedOf(tab))))
    await new Promise((resolve) => setTimeout(resolve, 50))
  const doneMs = Date.now() - request.dropAt
  // A moment more, so a late second copy is counted too.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const result: StormResult = {
    doneMs,
    welcomeMs: [],
    notWelcomed: {},
    gaveUp: { 'in handshake': 0, 'at open': 0 },
    flapperWelcomeMs: [],
    lost: 0,
    lostByUnwelcomed: 0,
    lostAfterServerError: 0,
    serverErrors: 0,
    duplicated: 0,
    droppedByClient: 0,
    refused,
    lostAgain,
  }
  for (const tab of tabs) {
    if (tab.welcomedAt === undefined)
      result.notWelcomed[tab.service.state] = (result.notWelcomed[tab.service.state] ?? 0) + 1
    else (tab.flaky ? result.flapperWelcomeMs : result.welcomeMs).push(tab.welcomedAt - request.dropAt)
    if (tab.gaveUp) result.gaveUp[tab.gaveUp]++
    const expected = expectedOf(tab)
    const lost = expected.filter((id) => !tab.shown.has(id)).length
    if (tab.welcomedAt === undefined) result.lostByUnwelcomed += lost
    else result.lost += lost
    if (tab.welcomedAt !== undefined && tab.serverErrors > 0) result.lostAfterServerError += lost
    result.serverErrors += tab.serverErrors
    for (const times of tab.shown.values()) if (times > 1) result.duplicated += times - 1
    result.droppedByClient += tab.received - [...tab.shown.values()].reduce((sum, n) => sum + n, 0)
  }
  return result
}

serveIpc(async (request) => {
  if (request.cmd === 'open') return open(request as unknown as StormOpen)
  if (request.cmd === 'arm') {
    armed = true
    giveUpMaxMs = Number(request.giveUpMaxMs)
    return
  }
  if (request.cmd === 'wait') return wait(request as unknown as StormWait)
  if (request.cmd === 'close') {
    for (const tab of tabs) tab.service.disconnect()
    tabs.length = 0
    return
  }
  throw new Error(`unknown fleet command ${request.cmd}`)
})
