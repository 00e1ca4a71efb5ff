import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { FUNCTIONS } from '../../infra/bundling.js'
import { bundleFunctions } from '../../scripts/bundle.js'

const run = promisify(execFile)

describe('Lambda bundles', () => {
  it('bundles every function into one ESM file that a fresh Node process can load', async () => {
    // Prepare: inside the project, so the externalised AWS SDK resolves as it does on the runtime
    const results = await bundleFunctions(resolve(import.meta.dirname, '../../dist/test-bundles'))

    // Act
    const loaded = await Promise.all(
      results.map(async ({ file }) => {
        const { stdout } = await run(process.execPath, [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(file)}); console.log(typeof m.handler)`,
        ])
        return stdout.trim()
      }),
    )

    // Assess
    expect(results.map((r) => r.name)).toEqual([...FUNCTIONS])
    expect(loaded).toEqual(FUNCTIONS.map(() => 'function'))
    for (const { file } of results) expect(file).toMatch(join('dist', 'test-bundles'))
  })
})
