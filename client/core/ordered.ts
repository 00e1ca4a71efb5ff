/**
 * Inserts `item` into `list` (sorted by `id`, a ULID, ascending) where it belongs. Fan-outs run
 * concurrently, so notifications can arrive out of publish order; ids restore it. Arrivals are
 * almost always newest, so the search runs from the end.
 */
export function insertById<T extends { id: string }>(list: readonly T[], item: T): T[] {
  let index = list.length
  while (index > 0 && (list[index - 1] as T).id > item.id) index--
  return [...list.slice(0, index), item, ...list.slice(index)]
}
