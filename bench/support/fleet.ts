import WebSocket from 'ws'
import { signLocalToken } from '../../shared/auth/local-token.js'
import type { Arrivals, FleetRequest, FleetResponse, OpenResult } from './fleet-protocol.js'

// Runs in its own process: the sockets a benchmark talks to, like browsers on other machines.
const sockets: WebSocket[] = []
const arrivals = new Map<string, number[]>()
const seenBySocket = new WeakMap<WebSocket, Set<string>>()
let duplicates = 0
let other = 0

function record(socket: WebSocket, data: WebSocket.RawData): void {
  const now = Date.now()
  const frame = JSON.parse(data.toString()) as { id: string; type: string }
  if (
    frame.type !== 'alert' &&
    frame.type !== 'system' &&
    frame.type !== 'log_event' &&
    frame.type !== 'upload_status'
  ) {
    if (frame.type !== 'connection_established') other++
    return
  }
  const seen = seenBySocket.get(socket) as Set<string>
  if (seen.has(frame.id)) {
    duplicates++
    return
  }
  seen.add(frame.id)
  const times = arrivals.get(frame.id) ?? []
  times.push(now)
  arrivals.set(frame.id, times)
}

async function open(request: Extract<FleetRequest, { cmd: 'open' }>): Promise<OpenResult> {
  const started = Date.now()
  let next = 0
  let failed = 0
  const openOne = async (userId: string) => {
    const token = await signLocalToken({ userId, secret: request.secret, ttlSeconds: 7200 })
    await new Promise<void>((resolve) => {
      const socket = new WebSocket(`${request.url}/?token=${token}${request.query ?? ''}`)
      seenBySocket.set(socket, new Set())
      socket.on('message', (data) => {
        if (data.toString().includes('"connection_established"')) {
          sockets.push(socket)
          resolve()
        }
        record(socket, data)
      })
      socket.on('error', () => {
        failed++
        resolve()
      })
    })
  }
  await Promise.all(
    Array.from({ length: request.concurrency }, async () => {
      while (next < request.users.length) await openOne(request.users[next++] as string)
    }),
  )
  return { opened: request.users.length - failed, failed, ms: Date.now() - started }
}

async function wait(request: Extract<FleetRequest, { cmd: 'wait' }>): Promise<Arrivals> {
  const deadline = Date.now() + request.timeoutMs
  const complete = () => request.ids.every((id) => (arrivals.get(id)?.length ?? 0) >= request.expected)
  while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  // A moment more, so late duplicates are counted too.
  await new Promise((resolve) => setTimeout(resolve, 50))
  const times: Record<string, number[]> = {}
  for (const id of request.ids) times[id] = arrivals.get(id) ?? []
  for (const id of request.ids) arrivals.delete(id)
  const result = { times, duplicates, other }
  duplicates = 0
  other = 0
  return result
}

process.on('message', async (request: FleetRequest) => {
  let response: FleetResponse
  try {
    let result: unknown
    if (request.cmd === 'open') result = await open(request)
    else if (request.cmd === 'wait') result = await wait(request)
    else if (request.cmd === 'send') for (const socket of sockets) socket.send(request.frame)
    else {
      for (const socket of sockets) socket.terminate()
      sockets.length = 0
    }
    response = { id: request.id, ok: true, result }
  } catch (error) {
    response = { id: request.id, ok: false, error: String(error) }
  }
  process.send?.(response)
})
