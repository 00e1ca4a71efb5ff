import { createServer } from 'node:http'
import { TokenBucket } from '../../shared/fan-out/token-bucket.js'

// A Management API in its own process: answers every post after `latencyMs`, optionally throttled
// like the account quota (429 LimitExceededException past `rate`/`burst`). Started by the benchmark.
const [latencyMs = 10, rate = 0, burst = 0] = process.argv.slice(2).map(Number)
const bucket = rate ? new TokenBucket(rate, burst) : undefined
const counts = { ok: 0, throttled: 0 }

const server = createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    if (bucket && !bucket.take()) {
      counts.throttled++
      response.writeHead(429, {
        'x-amzn-errortype': 'LimitExceededException',
        'content-type': 'application/json',
      })
      response.end('{"message":"Too Many Requests"}')
      return
    }
    setTimeout(() => {
      counts.ok++
      response.writeHead(200)
      response.end()
    }, latencyMs)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }))
process.on('message', (message: string) => {
  if (message === 'counts') process.send?.({ counts: { ...counts } })
  if (message === 'reset') Object.assign(counts, { ok: 0, throttled: 0 })
})
