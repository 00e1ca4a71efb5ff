import { cleanup } from '@testing-library/react'
import { afterEach, vi } from 'vitest'

/**
 * Unmounts everything a test rendered and lets the shared sockets' deferred close run, so the
 * next test starts with no socket (vitest has no globals here, so Testing Library cannot do it).
 */
export function unmountAfterEach(): void {
  afterEach(async () => {
    cleanup()
    if (vi.isFakeTimers()) {
      vi.runOnlyPendingTimers()
      vi.useRealTimers()
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  })
}
