import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FUNCTION_SPECS } from '../../functions/manifest.js'
import type { LocalStack } from '../../local/stack.js'

// `npm run test:bundles` runs a few end-to-end files, not all: enough that every function's bundle
// is invoked. Each stack notes which functions ran, and the run fails if one never did, so the
// selection cannot quietly stop covering a bundle.

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this bundle run's stacks note the functions they invoked; empty outside one. */
    bundlesRan: string
  }
}

/** A fresh directory for one run's notes. */
export const bundlesRanDirectory = (): string => mkdtempSync(join(tmpdir(), 'herald-bundles-ran-'))

/** Notes, in `directory`, the functions `stack` invoked: a billed Lambda request is a run. */
export function noteBundlesRan(directory: string, stack: LocalStack): void {
  const ran = Object.entries(stack.bill.usage())
    .filter(([, usage]) => (usage['lambda.requests'] ?? 0) > 0)
    .map(([payer]) => payer)
  writeFileSync(join(directory, `${process.pid}-${Date.now()}-${Math.random()}.json`), JSON.stringify(ran))
}

/** The manifest's functions that no stack noted in `directory`, which is then removed. */
export function bundlesNeverRan(directory: string): string[] {
  const ran = new Set<string>()
  for (const file of readdirSync(directory))
    for (const name of JSON.parse(readFileSync(join(directory, file), 'utf8')) as string[]) ran.add(name)
  rmSync(directory, { recursive: true, force: true })
  return FUNCTION_SPECS.map(([name]) => name).filter((name) => !ran.has(name))
}
