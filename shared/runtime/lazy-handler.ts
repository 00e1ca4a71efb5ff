/**
 * Defers building a handler's dependencies to its first event, once per cold start. Importing a
 * function module (as the local twin and the tests do) then needs no environment at all.
 */
export function lazyHandler<E, R>(create: () => (event: E) => Promise<R>): (event: E) => Promise<R> {
  let handler: ((event: E) => Promise<R>) | undefined
  return (event) => {
    handler ??= create()
    return handler(event)
  }
}
