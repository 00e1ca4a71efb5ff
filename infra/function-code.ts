import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Code } from 'aws-cdk-lib/aws-lambda'
import { ConfigError } from '../shared/errors.js'

// Where the prebuilt bundles are: `functions/` beside the packaged construct (dist/lib/cdk.js), or
// `dist/functions/` in this repository, where `npm run bundle` writes them.
const CANDIDATES = [new URL('../functions/', import.meta.url), new URL('../dist/functions/', import.meta.url)]

/**
 * A function's code: the minified esbuild bundle `npm run bundle` made (index.mjs and its source
 * map), the very file `npm run test:bundles` runs in the twin. Deploying needs no esbuild and no
 * Herald sources, so the packaged construct ships these and nothing else.
 */
export function functionCode(entry: string): Code {
  for (const base of CANDIDATES) {
    const dir = fileURLToPath(new URL(`${entry}/`, base))
    if (existsSync(`${dir}index.mjs`)) return Code.fromAsset(dir)
  }
  throw new ConfigError(`no bundle for the ${entry} function: run npm run bundle`)
}
