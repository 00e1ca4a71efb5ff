import { randomUUID } from 'node:crypto'

/** What a held invocation is given: the gate to wait at (`InvocationGate.url`). */
export interface HeldEvent {
  gate: string
}

/**
 * A function module for threaded tests: each invocation waits at the test's gate, then says which
 * instance ran it. `fromEnvironment` is the shape the twin loads every function by, once an instance.
 */
export function fromEnvironment() {
  const instance = randomUUID()
  return async (event: HeldEvent) => {
    await fetch(event.gate)
    return { instance }
  }
}
