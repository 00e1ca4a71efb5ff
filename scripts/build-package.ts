// `npm run build:package` (npm pack runs it): the four entry points of the published package.
// herald/client and herald/react come from `npm run build:client` (vite); this adds herald/publisher
// and herald/cdk, their declarations, and the function bundles herald/cdk deploys.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { bundleFunctions } from './bundle.js'
import { PROJECT_ROOT } from './bundling.js'

const run = promisify(execFile)

/** Node-side entry points: one ESM file each, the peers and the SDK left to the app. */
const NODE_ENTRIES = [
  { entry: 'shared/publisher/index.ts', out: 'publisher.js', external: ['@aws-sdk/*', 'valibot'] },
  { entry: 'infra/index.ts', out: 'cdk.js', external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'] },
]

await Promise.all([
  ...NODE_ENTRIES.map(({ entry, out, external }) =>
    build({
      entryPoints: [join(PROJECT_ROOT, entry)],
      outfile: join(PROJECT_ROOT, 'dist/lib', out),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: true,
      sourcesContent: false,
      external,
      logLevel: 'warning',
    }),
  ),
  bundleFunctions(),
  // Browser entry points' declarations are tsconfig.lib.json's (no Node types: they must not need them).
  run(join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['-p', join(PROJECT_ROOT, 'tsconfig.lib-node.json')]),
])
