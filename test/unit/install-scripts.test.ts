import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

describe('npm ci', () => {
  it('has every dependency’s install script reviewed in allowScripts, so it prints no install-script warning', () => {
    // esbuild and classic-level are denied: both ship what they need (a platform package, a prebuild).
    const listing = execFileSync('npm', ['install-scripts', 'ls'], { encoding: 'utf8' })
    expect(listing.trim()).toBe('No packages with unreviewed install scripts.')
  })
})
