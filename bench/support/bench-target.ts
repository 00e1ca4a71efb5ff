/** A notification system the end-to-end bench measures: Herald as `npm start` runs it, or the seed's stack. */
export interface BenchTarget {
  name: string
  /** Where a browser connects; the fleet adds `/?token=<HS256 JWT whose sub is the user>`. */
  url: string
  secret: string
  /** The processes that serve it, whose CPU time the bench reads. */
  pids: number[]
  /** Publishes one broadcast system notice the way its users do; resolves with the id sockets will see. */
  broadcast(title: string): Promise<string>
  close(): Promise<void>
}

/** Resolves once `ready` does, polling every 50 ms until `timeoutMs`. */
export async function waitUntil(ready: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms`)
}
