import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { FUNCTION_SPECS } from '../../functions/manifest.js'
import { type BundleResult, bundleFunctions } from '../../scripts/bundle.js'
import { FUNCTIONS } from '../../scripts/bundling.js'

const run = promisify(execFile)
let results: BundleResult[]

beforeAll(async () => {
  // Inside the project, so the externalised AWS SDK resolves as it does on the runtime.
  results = await bundleFunctions(resolve(import.meta.dirname, '../../dist/test-bundles'))
}, 60_000)

describe('Lambda bundles', () => {
  it('bundles every function into one ESM file that a fresh Node process can load', async () => {
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

    expect(results.map((r) => r.name)).toEqual([...FUNCTIONS])
    expect(loaded).toEqual(FUNCTIONS.map(() => 'function'))
    for (const { file } of results) expect(file).toMatch(join('dist', 'test-bundles'))
  })

  it.each(FUNCTION_SPECS.map(([name, spec]) => [name, spec] as const))(
    'the %s bundle reads exactly the environment variables its manifest entry declares',
    async (_, spec) => {
      // The bundle is the code the function runs, tree-shaken: every HERALD_ name left in it is read.
      const bundle = results.find((result) => result.name === spec.entry) as BundleResult
      const read = new Set((await readFile(bundle.file, 'utf8')).match(/HERALD_[A-Z0-9_]+/g))
      expect([...read].sort()).toEqual([...new Set(spec.env)].sort())
    },
  )
})
