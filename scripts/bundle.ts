import { mkdir, readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import { BUNDLE_OPTIONS, entryOf, FUNCTIONS, type FunctionName, PROJECT_ROOT } from './bundling.js'

export interface BundleResult {
  name: FunctionName
  file: string
  bytes: number
}

/** Bundles every function into `outDir/<name>/index.mjs` and reports the sizes. */
export async function bundleFunctions(
  outDir = join(PROJECT_ROOT, 'dist', 'functions'),
): Promise<BundleResult[]> {
  return Promise.all(
    FUNCTIONS.map(async (name) => {
      const file = join(outDir, name, 'index.mjs')
      await mkdir(join(outDir, name), { recursive: true })
      await build({
        ...BUNDLE_OPTIONS,
        entryPoints: [entryOf(name)],
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
  const extra = (await readdir(join(PROJECT_ROOT, 'functions'))).filter(
    (file) =>
      file.endsWith('.ts') &&
      !FUNCTIONS.includes(file.replace('.ts', '') as FunctionName) &&
      !['websocket-event.ts', 'manifest.ts'].includes(file),
  )
  if (extra.length) throw new Error(`functions without a bundle entry: ${extra.join(', ')}`)
}
