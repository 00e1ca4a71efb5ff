import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RESUME_OVERLAP_MS } from '../../client/core/resume-cursor.js'
import { WebSocketService } from '../../client/websocket-service.js'
import { idFrom } from '../../shared/protocol/ids.js'
import { FakeWebSocket } from '../support/fake-websocket.js'

// A model of Herald's server around the real client: history sorted by id, a fan-out that records
// a notification (possibly late, as a slower fan-out running beside another would) and then posts it
// to the stored socket, posts that arrive in any order, resume pages of PAGE notifications answered
// against history as it is when the resume is read, and sockets that drop at any moment, losing
// whatever was in flight. Every step is a second; a fan-out records and posts within LATENCY steps,
// as its delivery deadline bounds it (a step is 10 s, so an absence of a few steps outlasts the client’s resume overlap). Whatever happens, every notification is shown exactly once.

const PAGE = 3
const LATENCY = 3
const STEP_MS = 10_000
const START = Date.UTC(2026, 0, 1)
const RUNS = Number(process.env.HERALD_RESUME_RUNS ?? 1000)

type Step = 'publish' | 'record' | 'post' | 'answer' | 'serve' | 'drop' | 'reconnect' | 'dismiss'
const STEPS: Step[] = [
  'publish',
  'publish',
  'record',
  'post',
  'post',
  'answer',
  'serve',
  'drop',
  'reconnect',
  'dismiss',
]

interface Note {
  id: string
  born: number
}
interface Socket {
  fake: FakeWebSocket
  /** The welcome, then resume answers, in order. */
  answers: string[][]
  /** Live posts in flight, delivered in any order. */
  posts: { note: Note; at: number }[]
  served: number
}

class Model {
  now = 0
  readonly history: Note[] = []
  readonly unrecorded: Note[] = []
  readonly published: string[] = []
  /** Dismissed in another tab: never replayed, so a page can end on notifications it does not show. */
  readonly dismissed = new Set<string>()
  socket: Socket | undefined
  #random = 0

  constructor(
    readonly picks: number[],
    readonly withCursor: boolean,
  ) {}

  pick(n: number): number {
    return (this.picks[this.#random++ % this.picks.length] ?? 0) % n
  }

  id(): string {
    return idFrom(START + this.now * STEP_MS, crypto.getRandomValues(new Uint8Array(10)))
  }

  publish(): void {
    const note = { id: this.id(), born: this.now }
    this.published.push(note.id)
    this.unrecorded.push(note)
  }

  record(index: number): void {
    const [note] = this.unrecorded.splice(index, 1)
    if (!note) return
    this.history.push(note)
    this.history.sort((a, b) => (a.id < b.id ? -1 : 1))
    this.socket?.posts.push({ note, at: this.now })
  }

  post(index: number): void {
    const socket = this.socket
    const [post] = socket?.posts.splice(index, 1) ?? []
    if (socket && post)
      socket.fake.receive('alert', { severity: 'low', title: post.note.id, message: '' }, post.note.id)
  }

  answer(): void {
    const frames = this.socket?.answers.shift()
    for (const frame of frames ?? []) this.socket?.fake.receiveRaw(frame)
  }

  /** Reads history for the client's next resume, as the message function would. */
  serve(): void {
    const socket = this.socket
    const request = socket?.fake.sent.slice(socket.served).find((message) => message.type === 'resume')
    if (!socket || !request) return
    socket.served = socket.fake.sent.indexOf(request) + 1
    const since = request.since as string | undefined
    // Without `since`, the recent page: the newest PAGE, and `more` when older ones exist.
    const page =
      since === undefined
        ? this.history.slice(-PAGE - 1).reverse()
        : this.history.filter((note) => note.id > since).slice(0, PAGE + 1)
    const read = page.slice(0, PAGE).sort((a, b) => (a.id < b.id ? -1 : 1))
    const shown = read.filter((note) => !this.dismissed.has(note.id))
    const cursor = read.at(-1)?.id
    socket.answers.push([
      ...shown.map((note) => frame(note.id, 'alert', { severity: 'low', title: note.id, message: '' }, true)),
      frame(this.id(), 'resumed', {
        count: shown.length,
        more: page.length > PAGE,
        ...(this.withCursor && cursor ? { cursor } : {}),
      }),
    ])
  }

  /** The client's new socket is stored by `$connect`, then welcomed. */
  accept(fake: FakeWebSocket): void {
    fake.readyState = 1
    fake.onopen?.({})
    const welcome = frame(this.id(), 'connection_established', {
      connectionId: `c${this.now}`,
      userId: 'alice',
      topics: ['alerts', 'system', 'uploads'],
      filters: {},
    })
    this.socket = { fake, answers: [[welcome]], posts: [], served: 0 }
  }

  /** A fan-out ends within its deadline: what is overdue is recorded and posted now. */
  overdue(): void {
    for (const note of this.unrecorded.filter((n) => this.now - n.born >= LATENCY))
      this.record(this.unrecorded.indexOf(note))
    for (const post of this.socket?.posts.filter((p) => this.now - p.at >= LATENCY) ?? [])
      this.post(this.socket?.posts.indexOf(post) ?? 0)
  }
}

function frame(id: string, type: string, data: Record<string, unknown>, replayed = false): string {
  return JSON.stringify({
    id,
    type,
    data,
    timestamp: new Date().toISOString(),
    ...(replayed ? { replayed } : {}),
  })
}

async function run(steps: Step[], picks: number[], withCursor: boolean, loadRecent = false): Promise<void> {
  const model = new Model(picks, withCursor)
  const shown: string[] = []
  // What the client promises: everything published from its first welcome on. Before it, a
  // browser that never connected missed nothing (what reached it early is shown all the same).
  let firstWelcome: string | undefined
  const service = new WebSocketService({
    url: 'ws://herald.test',
    token: 't',
    WebSocket: FakeWebSocket,
    reconnectDelay: 1,
    maxReconnectAttempts: 10_000,
    random: () => 0.5,
    loadRecent,
    onMessage: (received) => {
      if (received.type === 'alert') shown.push(received.id)
      if (received.type === 'connection_established') firstWelcome ??= received.id
    },
  })
  const reconnect = async () => {
    const before = FakeWebSocket.instances.length
    await vi.advanceTimersByTimeAsync(10)
    const fake = FakeWebSocket.instances[before]
    if (fake) model.accept(fake)
  }
  service.connect()
  await reconnect()
  for (const step of steps) {
    model.now++
    if (step === 'publish') model.publish()
    if (step === 'record') model.record(model.pick(model.unrecorded.length + 1))
    if (step === 'post') model.post(model.pick((model.socket?.posts.length ?? 0) + 1))
    if (step === 'answer') model.answer()
    if (step === 'serve') model.serve()
    // A server from before `resumed.cursor` cannot page past dismissed notifications (see below).
    if (step === 'dismiss' && withCursor)
      model.dismissed.add(model.published[model.pick(model.published.length + 1)] ?? '')
    if (step === 'drop' && model.socket) {
      model.socket.fake.drop()
      model.socket = undefined
    }
    if (step === 'reconnect' && !model.socket) await reconnect()
    model.overdue()
  }
  // The network settles: connected, every fan-out done, every answer in.
  if (!model.socket) await reconnect()
  for (let i = 0; i < 10 * steps.length + 20; i++) {
    model.now++
    model.overdue()
    model.serve()
    model.answer()
    model.post(0)
  }
  service.disconnect()
  expect(new Set(shown).size).toBe(shown.length)
  expect(shown.filter((id) => !model.published.includes(id))).toEqual([])
  const due = model.published.filter(
    (id) => firstWelcome !== undefined && id >= firstWelcome && !model.dismissed.has(id),
  )
  expect(due.filter((id) => !shown.includes(id))).toEqual([])
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => vi.useRealTimers())

// The case: away for more than a page, a live post lands between pages, then the socket
// drops before the resume is done.
const LONG_ABSENCE: [Step[], number[]] = [
  [
    'answer',
    'drop',
    ...Array<Step>(8).fill('publish'),
    'record',
    'reconnect',
    'answer',
    'serve',
    'answer',
    'publish',
    'record',
    'post',
    'serve',
    'drop',
  ],
  [0],
]

// Found by the property and kept: a later notification arrives live while an earlier one's post is
// still in flight, then the socket drops (the resume overlap finds it again).
const OUT_OF_ORDER: [Step[], number[]] = [
  ['answer', 'publish', 'publish', 'publish', 'publish', 'publish', 'post', 'drop', 'publish'],
  [151],
]
// A page that ends on dismissed notifications (`resumed.cursor` pages past them).
const DISMISSED_PAGE_END: [Step[], number[]] = [
  [
    'post',
    'answer',
    'publish',
    'post',
    'dismiss',
    'publish',
    'dismiss',
    'publish',
    'dismiss',
    'drop',
    'publish',
    'publish',
    'publish',
    'publish',
  ],
  [0, 0, 0, 205, 666],
]
// A first socket lost while its recent page loads: the next one resumes from its welcome.
const RECENT_LOAD_LOST: [Step[], number[]] = [
  ['answer', 'drop', 'publish', 'publish', 'publish', 'publish', 'publish'],
  [0],
]

const scenario = fc.tuple(
  fc.boolean(),
  // Mostly a client that was welcomed before trouble began; sometimes one that never was.
  fc
    .tuple(fc.boolean(), fc.array(fc.constantFrom(...STEPS), { minLength: 5, maxLength: 120 }))
    .map(([welcomed, steps]): Step[] => (welcomed ? ['answer', ...steps] : steps)),
  fc.array(fc.nat(1000), { minLength: 1, maxLength: 20 }),
)

describe('The resume cursor against any interleaving', () => {
  it('shows every notification exactly once across live posts, resume pages, `more` and drops mid-resume', async () => {
    expect(LATENCY * 2 * STEP_MS).toBeLessThanOrEqual(RESUME_OVERLAP_MS)
    await fc.assert(
      fc.asyncProperty(scenario, ([loadRecent, steps, picks]) => run(steps, picks, true, loadRecent)),
      {
        numRuns: RUNS,
        examples: [
          [[false, ...LONG_ABSENCE]],
          [[false, ...OUT_OF_ORDER]],
          [[false, ...DISMISSED_PAGE_END]],
          [[true, ...RECENT_LOAD_LOST]],
        ],
      },
    )
  })

  // Such a server ends a page on its last shown notification, so a page of dismissed ones stalls it;
  // that is why `resumed` now carries the cursor.
  it('does the same against a server that sends no `resumed.cursor` (before it existed)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, ([loadRecent, steps, picks]) => run(steps, picks, false, loadRecent)),
      {
        numRuns: RUNS,
        examples: [[[false, ...LONG_ABSENCE]], [[false, ...OUT_OF_ORDER]], [[true, ...RECENT_LOAD_LOST]]],
      },
    )
  })
})
