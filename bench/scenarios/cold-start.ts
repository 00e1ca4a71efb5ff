import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { bundleFunctions } from '../../scripts/bundle.js'
import { PROJECT_ROOT } from '../../scripts/bundling.js'
import { median, table } from '../support/stats.js'

const run = promisify(execFile)

/**
 * Each function's bundle size and the median time a fresh Node process takes to import it (what a
 * cold start adds before the handler runs), externalised AWS SDK included, as the runtime loads it.
 */
export async function coldStart(options: { runs: number }) {
  const bundles = await bundleFunctions(join(PROJECT_ROOT, 'dist/bench-bundles'))
  const rows = []
  for (const bundle of bundles) {
    const times: number[] = []
    for (let i = 0; i < options.runs; i++) {
      const { stdout } = await run(process.execPath, [
        '--input-type=module',
        '-e',
        `const t = performance.now(); await import(${JSON.stringify(bundle.file)}); console.log(performance.now() - t)`,
      ])
      times.push(Number(stdout))
    }
    rows.push({
      function: bundle.name,
      'bundle KB': bundle.bytes / 1024,
      'median import ms': median(times),
      'max import ms': Math.max(...times),
    })
  }
  table(`Cold start: bundle size and import time in a fresh Node process (${options.runs} runs each)`, rows)
  return rows
}
