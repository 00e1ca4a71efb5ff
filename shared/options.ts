/** Defaults overlaid with the options that are actually set: an `undefined` option keeps its default. */
export function withDefaults<T extends object>(
  defaults: T,
  options: { [K in keyof T]?: T[K] | undefined } = {},
): T {
  const merged = { ...defaults }
  for (const key of Object.keys(options) as (keyof T)[]) {
    const value = options[key]
    if (value !== undefined) merged[key] = value as T[keyof T]
  }
  return merged
}
