/**
 * Runs `work` over `items` with at most `concurrency` in flight, in order of the items. Unlike an
 * unbounded Promise.all it keeps a 10,000-recipient broadcast from opening 10,000 sockets at once.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker))
}
