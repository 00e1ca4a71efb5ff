import { describe, expect, it, vi } from 'vitest'
import { runPool } from '../../shared/fan-out/pool.js'
import { withLocalStack } from '../support/local-stack.js'
import type { TestClient } from '../support/ws-client.js'

const herald = withLocalStack()
const USERS = 20
const PER_USER = 3
const ALERTS = 1000
const UPLOADS = 500

describe('Isolation between users', () => {
  it('gives every socket each of its own user’s targeted notifications, and none of anybody else’s', async () => {
    const sockets = new Map<string, TestClient[]>()
    for (let u = 0; u < USERS; u++) {
      sockets.set(
        `user-${u}`,
        await Promise.all(Array.from({ length: PER_USER }, () => herald.connect(`user-${u}`))),
      )
    }
    const expected = new Map<string, Set<string>>([...sockets.keys()].map((user) => [user, new Set()]))
    const jobs = Array.from({ length: ALERTS + UPLOADS }, (_, i) => ({
      i,
      user: `user-${(i * 7919) % USERS}`,
    }))

    await runPool(jobs, 32, async ({ i, user }) => {
      const published =
        i < ALERTS
          ? await herald.publisher.sendAlertNotification(user, {
              severity: 'low',
              title: `alert ${i}`,
              message: user,
            })
          : await herald.publisher.sendUploadStatus(user, {
              upload_id: `u${i}`,
              status: 'processing',
              progress: 50,
              filename: `${user}.csv`,
            })
      expected.get(user)?.add(published.id)
    })
    await herald.stack.idle()

    // Delivery is at least once (DESIGN §5): a post the gateway answers after the poster's timeout,
    // as a loaded machine does, is posted again, and clients drop the repeat by id. So each socket
    // is held to the set of ids it saw, and every frame it saw, repeats too, must be its user's.
    for (const [user, clients] of sockets) {
      const mine = [...(expected.get(user) ?? [])].sort()
      for (const client of clients) {
        const received = () => client.frames.filter((f) => f.type !== 'connection_established')
        await vi.waitFor(() => expect([...new Set(received().map((f) => f.id))].sort()).toEqual(mine))
        expect(received().every((f) => JSON.stringify(f.data).includes(user))).toBe(true)
      }
    }
    for (const clients of sockets.values()) for (const client of clients) client.close()
  }, 60_000)
})
