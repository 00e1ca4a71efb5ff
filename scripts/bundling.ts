import { join, resolve } from 'node:path'
import type { BuildOptions } from 'esbuild'
import { FUNCTIONS as MANIFEST } from '../functions/manifest.js'

export const PROJECT_ROOT = resolve(import.meta.dirname, '..')

/** Every Lambda entry point, each `functions/<name>.ts` exporting `handler`, from the manifest. */
export type FunctionName = (typeof MANIFEST)[keyof typeof MANIFEST]['entry']
export const FUNCTIONS: readonly FunctionName[] = Object.values(MANIFEST).map((spec) => spec.entry)

export const entryOf = (name: FunctionName): string => join(PROJECT_ROOT, 'functions', `${name}.ts`)

/**
 * How a function is bundled by `npm run bundle`, whose files the construct deploys: one ESM file for
 * Node 22, minified and tree-shaken. The AWS SDK v3 is left to the Lambda runtime, which ships it
 * (CDK's NodejsFunction default from Node 18 on): bundling it would triple every bundle and its
 * parse time at cold start. Herald uses only long-stable SDK operations.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  treeShaking: true,
  sourcemap: 'external',
  // Stack traces need the map's positions and file names, not the sources: smaller assets, no sources shipped.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  legalComments: 'none',
  external: ['@aws-sdk/*'],
  // Some dependencies are CommonJS and call require(); ESM output needs it defined.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
} satisfies BuildOptions
