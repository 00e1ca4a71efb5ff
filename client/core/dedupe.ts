/**
 * Remembers the last `capacity` ids seen, so a notification delivered twice (a fan-out retried,
 * a `resume` overlapping what arrived live) is shown once.
 */
export class SeenIds {
  readonly #capacity: number
  readonly #ids = new Set<string>()

  constructor(capacity = 1000) {
    this.#capacity = capacity
  }

  /** Records `id`; true when it had been seen already. */
  check(id: string): boolean {
    if (this.#ids.has(id)) return true
    this.#ids.add(id)
    if (this.#ids.size > this.#capacity) {
      // Sets iterate in insertion order: the first is the oldest.
      this.#ids.delete(this.#ids.values().next().value as string)
    }
    return false
  }
}
