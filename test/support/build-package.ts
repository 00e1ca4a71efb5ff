import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import type { TestProject } from 'vitest/node'
import { bundlesNeverRan, bundlesRanDirectory } from './bundles-ran.js'

/**
 * Vitest's global setup: the package as `npm pack` ships it (the client libraries, herald/publisher,
 * herald/cdk, their declarations, and the function bundles the construct deploys), built once from
 * the current sources before any test reads it. A bundle run (`HERALD_TEST_BUNDLES`) also fails
 * when one of the manifest's functions never ran from its bundle.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  await promisify(execFile)('npm', ['run', '--silent', 'build:package'], {
    cwd: resolve(import.meta.dirname, '../..'),
  })
  if (!process.env.HERALD_TEST_BUNDLES) {
    project.provide('bundlesRan', '')
    return undefined
  }
  const directory = bundlesRanDirectory()
  project.provide('bundlesRan', directory)
  return () => {
    const missing = bundlesNeverRan(directory)
    if (!missing.length) return
    // Vitest reports an error thrown here but still exits 0.
    console.error(`test:bundles invoked no bundle of ${missing.join(', ')}: add a test file that does`)
    process.exitCode = 1
  }
}
