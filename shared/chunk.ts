/**
 * Splits `items`, in order, into runs of at most `size`, cut earlier where a run's bytes (by
 * `limit.bytesOf`) would pass `limit.maxBytes`. An item larger than the limit alone gets a run of
 * its own, for the caller's service to refuse with its own error.
 *
 * @example chunk(requests, 25) // BatchWriteItem's 25 a call
 */
export function chunk<T>(
  items: readonly T[],
  size: number,
  limit?: { maxBytes: number; bytesOf: (item: T) => number },
): T[][] {
  const runs: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const item of items) {
    const length = limit?.bytesOf(item) ?? 0
    if (current.length > 0 && (current.length === size || (limit && bytes + length > limit.maxBytes))) {
      runs.push(current)
      current = []
      bytes = 0
    }
    current.push(item)
    bytes += length
  }
  if (current.length > 0) runs.push(current)
  return runs
}
