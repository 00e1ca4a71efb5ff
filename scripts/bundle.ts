import { mkdir, readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type BuildOptions, build } from 'esbuild'

const root = resolve(import.meta.dirname, '..')

/** Every Lambda entry point: each file in functions/ that exports `handler`. */
export const FUNCTIONS = ['authorizer', 'connect', 'welcome', 'disconnect', 'message', 'fanout'] as const
export type FunctionName = (typeof FUNCTIONS)[number]

/**
 * How a function is bundled, here and by the CDK construct alike: one ESM file for Node 22,
 * minified and tree-shaken. The AWS SDK v3 is left to the Lambda runtime, which ships it (CDK's
 * NodejsFunction default from Node 18 on): bundling it would triple every bundle and its parse
 * time at cold start. Herald uses only long-stable SDK operations.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  treeShaking: true,
  sourcemap: 'external',
  mainFields: ['module', 'main'],
  legalComments: 'none',
  external: ['@aws-sdk/*'],
  // Some dependencies are CommonJS and call require(); ESM output needs it defined.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
} satisfies BuildOptions

export interface BundleResult {
  name: FunctionName
  file: string
  bytes: number
}

/** Bundles every function into `outDir/<name>/index.mjs` and reports the sizes. */
export async function bundleFunctions(outDir = join(root, 'dist', 'functions')): Promise<BundleResult[]> {
  return Promise.all(
    FUNCTIONS.map(async (name) => {
      const file = join(outDir, name, 'index.mjs')
      await mkdir(join(outDir, name), { recursive: true })
      await build({
        ...BUNDLE_OPTIONS,
        entryPoints: [join(root, 'functions', `${name}.ts`)],
        outfile: file,
        logLevel: 'warning',
      })
      return { name, file, bytes: (await stat(file)).size }
    }),
  )
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const results = await bundleFunctions()
  console.log('function     bundle (minified)')
  for (const { name, bytes } of results)
    console.log(`${name.padEnd(12)} ${(bytes / 1024).toFixed(1).padStart(7)} KB`)
  const extra = (await readdir(join(root, 'functions'))).filter(
    (file) =>
      file.endsWith('.ts') &&
      !FUNCTIONS.includes(file.replace('.ts', '') as FunctionName) &&
      file !== 'websocket-event.ts',
  )
  if (extra.length) throw new Error(`functions without a bundle entry: ${extra.join(', ')}`)
}
