import { threadId } from 'node:worker_threads'

/** What a held invocation is given: the gate to wait at (`InvocationGate.url`). */
export interface HeldEvent {
  gate: string
}

/**
 * A function module for threaded tests: each invocation waits at the test's gate, then says which
 * instance (thread) ran it. `fromEnvironment` is the shape the twin loads every function by.
 */
export function fromEnvironment() {
  return async (event: HeldEvent) => {
    await fetch(event.gate)
    return { threadId }
  }
}
