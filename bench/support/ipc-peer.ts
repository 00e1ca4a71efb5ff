import type { ChildProcess } from 'node:child_process'

/** A request to a child process and its answer, matched by id over Node's IPC channel. */
type Answer = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }

/** The parent's side: `call` sends `{ cmd, ... }` and resolves with what the child's handler returned. */
export class IpcPeer {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (answer: Answer) => void>()
  #next = 0

  constructor(child: ChildProcess) {
    this.#child = child
    child.on('message', (answer: Answer) => {
      this.#pending.get(answer.id)?.(answer)
      this.#pending.delete(answer.id)
    })
    // A child that dies must fail what waits on it, not leave the bench hanging.
    child.once('exit', (code) => {
      for (const settle of this.#pending.values()) settle({ id: -1, ok: false, error: `exited (${code})` })
      this.#pending.clear()
    })
  }

  call<T>(cmd: string, request: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (answer) =>
        answer.ok ? resolve(answer.result as T) : reject(new Error(answer.error)),
      )
      this.#child.send({ ...request, cmd, id })
    })
  }
}

/** The child's side: answers each request with `handle`'s result, or its error. */
export function serveIpc(handle: (request: { cmd: string } & Record<string, unknown>) => Promise<unknown>) {
  process.on('message', async (request: { id: number; cmd: string } & Record<string, unknown>) => {
    let answer: Answer
    try {
      answer = { id: request.id, ok: true, result: await handle(request) }
    } catch (error) {
      answer = { id: request.id, ok: false, error: String(error) }
    }
    process.send?.(answer)
  })
}
