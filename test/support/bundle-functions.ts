import { bundleFunctions } from '../../scripts/bundle.js'

/** Vitest's global setup: dist/functions from the current sources, as `npm run bundle` makes them. */
export default async function setup(): Promise<void> {
  await bundleFunctions()
}
