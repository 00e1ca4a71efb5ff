import { loadavg } from 'node:os'
import type { ProbeReading } from '../support/herald-probe.js'
import { type ProbedHerald, type Stopped, startProbedHerald } from '../support/probed-herald.js'
import { cpuMs } from '../support/process-cpu.js'
import { percentile, sortNumbers, table } from '../support/stats.js'
import { StormFleet, type StormResult } from '../support/storm-fleet-client.js'

export interface ReconnectStormOptions {
  /** Sockets (one user each) dropped at once, one fresh `npm start` per size. */
  sizes: number[]
  /** The share of tabs that give up once while reopening, as browsers on a flapping network do. */
  flakyShare: number
  /** Targeted alerts published to each user from the drop on, through SNS. */
  alertsPerUser: number
  /** How long the gateway refuses handshakes after cutting every socket. */
  downtimeMs: number
}

/** A flaky tab gives up on its socket within this long of opening it (or as it opens, if sooner). */
const GIVE_UP_MAX_MS = 1000
/** What a connect costs: the handshake's functions, and the `$disconnect` of the socket it replaced. */
const HANDSHAKE = ['authorizer', 'connect', 'welcome', 'disconnect'] as const
/** Every function the storm runs: the handshake's, the resumes (`message`) and the alerts' fan-out. */
const SHOWN = [...HANDSHAKE, 'message', 'fanout'] as const
const PUBLISHERS = 16
/** How long after the drop the tabs have to be welcomed and show every alert: bounded, not endless. */
const DEADLINE_MS = 120_000
const DEADLINE_MS_PER_SOCKET = 100

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Publishes `perUser` alerts to each user, round-robin, `perSecond` at most and `PUBLISHERS` at a
 * time, so they keep coming while the sockets are away and while they come back.
 */
async function publishDuring(herald: ProbedHerald, users: string[], perUser: number, perSecond: number) {
  const expected: Record<string, string[]> = {}
  const total = users.length * perUser
  const started = performance.now()
  let next = 0
  let refused = 0
  const publisher = async () => {
    while (next < total) {
      const i = next++
      const due = started + (i / perSecond) * 1000 - performance.now()
      if (due > 0) await sleep(due)
      const user = users[i % users.length] as string
      try {
        const id = await herald.alert(user, `storm ${i}`)
        expected[user] = [...(expected[user] ?? []), id]
      } catch {
        refused++
      }
    }
  }
  await Promise.all(Array.from({ length: PUBLISHERS }, publisher))
  return { expected, published: total - refused, refused, seconds: (performance.now() - started) / 1000 }
}

/** One size: N tabs welcomed, the gateway cuts them all, they come back while alerts are published. */
async function storm(sockets: number, options: ReconnectStormOptions) {
  // Free ports: two runs side by side, or a port someone else holds, cannot collide.
  const herald = await startProbedHerald(0)
  const fleet = new StormFleet()
  let figures: ReturnType<typeof summary> & { load: number }
  let stop: Stopped
  try {
    const users = Array.from({ length: sockets }, (_, i) => `storm-${sockets}-${i}`)
    const opened = await fleet.open({
      url: herald.url,
      secret: herald.secret,
      users,
      concurrency: 64,
      flakyShare: options.flakyShare,
      timeoutMs: 60_000 + sockets * 100,
    })
    if (opened.opened < sockets) throw new Error(`only ${opened.opened} of ${sockets} tabs were welcomed`)
    await fleet.arm(GIVE_UP_MAX_MS)
    await herald.reset()
    const cpuBefore = await cpuMs([herald.pid])
    const cpuFrom = performance.now()
    const restarted = herald.restart(options.downtimeMs)
    // Spread over about as long as the storm should take at the rate the tabs first connected at.
    const connectsPerSecond = (opened.opened / opened.ms) * 1000
    const stormSeconds = 5 + options.downtimeMs / 1000 + sockets / connectsPerSecond
    const alerts = await publishDuring(
      herald,
      users,
      options.alertsPerUser,
      (sockets * options.alertsPerUser) / stormSeconds,
    )
    const { dropAt } = await restarted
    const deadline = dropAt + DEADLINE_MS + sockets * DEADLINE_MS_PER_SOCKET
    const result = await fleet.wait({ expected: alerts.expected, dropAt, timeoutMs: deadline - Date.now() })
    const cpu = { ms: (await cpuMs([herald.pid])) - cpuBefore, wallMs: performance.now() - cpuFrom }
    const lambda = await herald.read()
    // The machine is shared: the 1-minute load at the end tells a quiet run from a contended one.
    figures = {
      ...summary({ sockets, connectsPerSecond, cpu }, result, lambda, alerts),
      load: loadavg()[0] ?? Number.NaN,
    }
  } finally {
    await fleet.stop()
    // After a storm, Ctrl-C has been seen to hang: how it went is part of the figures.
    stop = await herald.close()
  }
  return { ...figures, stop }
}

type Alerts = Awaited<ReturnType<typeof publishDuring>>

function summary(
  {
    sockets,
    connectsPerSecond,
    cpu,
  }: {
    sockets: number
    connectsPerSecond: number
    cpu: { ms: number; wallMs: number }
  },
  result: StormResult,
  { functions, throttles, instanceTimes }: ProbeReading,
  { published, refused, seconds: publishSeconds }: Alerts,
) {
  const all = sortNumbers([...result.welcomeMs, ...result.flapperWelcomeMs])
  const welcomed = all.length
  // Billed time is the time on an instance; the runtime's waits for one are the twin's, not Lambda's.
  const seconds = (name: string) => (instanceTimes ? (functions[name]?.instanceSeconds ?? 0) : Number.NaN)
  const withWaits = (name: string) => functions[name]?.seconds ?? 0
  return {
    sockets,
    connectsPerSecondBeforeTheDrop: connectsPerSecond,
    welcomed,
    notWelcomed: result.notWelcomed,
    welcomeMs: { p50: percentile(all, 0.5), p99: percentile(all, 0.99), all: all.at(-1) ?? Number.NaN },
    steadyWelcomeMsP50: percentile(sortNumbers(result.welcomeMs), 0.5),
    flappingWelcomeMsP50: percentile(sortNumbers(result.flapperWelcomeMs), 0.5),
    gaveUp: result.gaveUp,
    refused: result.refused,
    lostAgain: result.lostAgain,
    functions,
    throttles,
    /** Per socket welcomed again: the flaky tabs' abandoned handshakes are part of what it cost. */
    lambdaSecondsPerConnect: HANDSHAKE.reduce((sum, name) => sum + seconds(name), 0) / welcomed,
    lambdaSecondsPerConnectBy: Object.fromEntries(HANDSHAKE.map((name) => [name, seconds(name) / welcomed])),
    /** Waiting in the runtime before an instance ran it (the twin's own queueing), per connect. */
    waitSecondsPerConnectBy: Object.fromEntries(
      HANDSHAKE.map((name) => [name, (withWaits(name) - seconds(name)) / welcomed]),
    ),
    /** npm start's CPU (every thread) from the drop until every alert was shown: resumes and fan-out included. */
    cpuMsPerConnect: cpu.ms / welcomed,
    /** Cores npm start kept busy over that time (the machine has 2, shared with the tabs and the publisher). */
    cpuCores: cpu.ms / cpu.wallMs,
    everyAlertShownMs: result.doneMs,
    alerts: {
      published,
      refused,
      publishSeconds,
      lost: result.lost,
      lostByUnwelcomed: result.lostByUnwelcomed,
      lostAfterServerError: result.lostAfterServerError,
      serverErrors: result.serverErrors,
      duplicated: result.duplicated,
      droppedByClient: result.droppedByClient,
    },
  }
}

type Summary = Awaited<ReturnType<typeof storm>>

const fixed = (value: number) => value.toFixed(3)
/** `{ 500: 12, 429: 3 }` as `500: 12, 429: 3`; none as 0. */
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${key}: ${n.toLocaleString('en-US')}`)
    .join(', ') || '0'

/** The table's rows: one measure a row, one column a size. */
function rows(figures: Summary[]): Record<string, string | number>[] {
  const row = (measure: string, value: (figures: Summary) => string | number) => ({
    measure,
    ...Object.fromEntries(
      figures.map((size) => [`${size.sockets.toLocaleString('en-US')} sockets`, value(size)]),
    ),
  })
  const instances = SHOWN.map((name) =>
    row(`${name} instances: at the drop → peak`, (size) => {
      const { atReset = 0, peak = 0 } = size.functions[name] ?? {}
      return `${atReset} → ${peak}`
    }),
  )
  const runs = (size: Summary) => HANDSHAKE.map((name) => size.functions[name]?.invocations ?? 0)
  return [
    row('drop → welcomed again, p50 ms', (size) => size.welcomeMs.p50),
    row('drop → welcomed again, p99 ms', (size) => size.welcomeMs.p99),
    row('drop → every socket welcomed, ms', (size) =>
      size.welcomed < size.sockets ? 'not all by the deadline' : size.welcomeMs.all,
    ),
    row('drop → every alert shown (resumes done), ms', (size) => size.everyAlertShownMs),
    row(
      '  steady tabs p50 / flapping tabs p50, ms',
      (size) => `${Math.round(size.steadyWelcomeMsP50)} / ${Math.round(size.flappingWelcomeMsP50)}`,
    ),
    row(
      'flapping tabs gave up: in handshake / at open',
      (size) => `${size.gaveUp['in handshake']} / ${size.gaveUp['at open']}`,
    ),
    row(
      `not welcomed again by the deadline (${DEADLINE_MS / 1000} s + ${DEADLINE_MS_PER_SOCKET} ms a socket)`,
      (size) => counts(size.notWelcomed),
    ),
    row('reconnects the gateway refused, by status', (size) => counts(size.refused)),
    row('welcomed sockets lost again, by close code', (size) => counts(size.lostAgain)),
    ...instances,
    row('runs: authorizer / connect / welcome / disconnect', (size) => runs(size).join(' / ')),
    row('throttled invocations, by function', (size) =>
      counts(Object.fromEntries(Object.entries(size.functions).map(([name, f]) => [name, f.throttles]))),
    ),
    row('Lambda s per connect, on instances (authorizer+connect+welcome+disconnect)', (size) =>
      fixed(size.lambdaSecondsPerConnect),
    ),
    row('  authorizer / connect / welcome / disconnect', (size) =>
      HANDSHAKE.map((name) => fixed(size.lambdaSecondsPerConnectBy[name] ?? 0)).join(' / '),
    ),
    row('waits before an instance ran it, s per connect: same order', (size) =>
      HANDSHAKE.map((name) => fixed(size.waitSecondsPerConnectBy[name] ?? 0)).join(' / '),
    ),
    row('npm start CPU per connect (resumes and alerts included), ms', (size) => size.cpuMsPerConnect),
    row('npm start CPU use over the storm, cores', (size) => size.cpuCores),
    row('alerts published (while dropped and back)', (size) => size.alerts.published),
    row('alerts lost (by tabs welcomed again)', (size) => size.alerts.lost),
    row('  of which by tabs answered "Internal server error"', (size) => size.alerts.lostAfterServerError),
    row('alerts not shown by tabs still unwelcomed', (size) => size.alerts.lostByUnwelcomed),
    row('"Internal server error" answers to tabs', (size) => size.alerts.serverErrors),
    row('alerts duplicated (shown twice)', (size) => size.alerts.duplicated),
    row('second copies the client dropped by id', (size) => size.alerts.droppedByClient),
    row('machine load (1 min) at the end', (size) => size.load),
    row('npm start stopped after Ctrl-C', (size) =>
      size.stop.stopped
        ? `in ${(size.stop.ms / 1000).toFixed(1)} s`
        : `no: killed, held by ${Object.keys(size.stop.holding?.unfinished ?? {}).join(', ') || '?'}`,
    ),
  ]
}

/**
 * A reconnect storm on `npm start`: every socket cut at once by the gateway, the tabs (Herald's own
 * client) reconnecting with its backoff while a share give up once mid-handshake, and targeted alerts
 * published throughout; each must be shown once.
 */
export async function reconnectStorm(options: ReconnectStormOptions) {
  const title =
    `Reconnect storm: the gateway cuts every socket (${options.downtimeMs} ms down), ` +
    `${options.flakyShare * 100} % of tabs give up once while reopening, ` +
    `${options.alertsPerUser} alerts per user published meanwhile`
  const figures: Summary[] = []
  for (const sockets of options.sizes) {
    figures.push(await storm(sockets, options))
    // Each size takes minutes: its figures are printed as soon as they are in, so a run cut short keeps them.
    if (options.sizes.length > 1) table(`${title} (${sockets} sockets done)`, rows(figures.slice(-1)))
  }
  table(title, rows(figures))
  return Object.fromEntries(figures.map((size) => [size.sockets, size]))
}
