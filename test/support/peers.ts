import { execFileSync } from 'node:child_process'
import { it } from 'vitest'

/** Whether an external program answers; the Debian-packaged peers live in /usr/bin. */
export function hasPeer(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * A test that needs an external program. On CI (CI=true), where `.ci/run` installs it, it always
 * runs, so a missing program fails; elsewhere it is skipped with the command that installs it.
 */
export function peerTest(available: boolean, install: string) {
  return (name: string, fn: () => Promise<void>, timeout?: number) =>
    available || process.env.CI === 'true'
      ? it(name, fn, timeout)
      : it.skip(`${name} (skipped: run \`${install}\`)`, fn, timeout)
}
