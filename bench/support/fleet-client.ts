import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import type { Arrivals, FleetRequest, FleetResponse, OpenResult } from './fleet-protocol.js'

type Command<C extends FleetRequest['cmd']> = Omit<Extract<FleetRequest, { cmd: C }>, 'id' | 'cmd'>

/** The benchmark's handle on the socket fleet child process. */
export class Fleet {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (response: FleetResponse) => void>()
  #next = 0

  constructor() {
    this.#child = fork(join(import.meta.dirname, 'fleet.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    })
    this.#child.on('message', (response: FleetResponse) => {
      this.#pending.get(response.id)?.(response)
      this.#pending.delete(response.id)
    })
  }

  #call<T>(request: FleetRequest | Omit<FleetRequest, 'id'>): Promise<T> {
    const id = this.#next++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (response) =>
        response.ok ? resolve(response.result as T) : reject(new Error(response.error)),
      )
      this.#child.send({ ...request, id })
    })
  }

  open(request: Command<'open'>): Promise<OpenResult> {
    return this.#call({ cmd: 'open', ...request })
  }

  wait(request: Command<'wait'>): Promise<Arrivals> {
    return this.#call({ cmd: 'wait', ...request })
  }

  send(frame: string): Promise<void> {
    return this.#call({ cmd: 'send', frame })
  }

  closeSockets(): Promise<void> {
    return this.#call({ cmd: 'close' })
  }

  async stop(): Promise<void> {
    await this.closeSockets()
    this.#child.kill()
  }
}
