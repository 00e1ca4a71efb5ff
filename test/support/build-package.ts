import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

/**
 * Vitest's global setup: the package as `npm pack` ships it (the client libraries, herald/publisher,
 * herald/cdk, their declarations, and the function bundles the construct deploys), built once from
 * the current sources before any test reads it.
 */
export default async function setup(): Promise<void> {
  await promisify(execFile)('npm', ['run', '--silent', 'build:package'], {
    cwd: resolve(import.meta.dirname, '../..'),
  })
}
