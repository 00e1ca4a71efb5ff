/** The value below which `p` of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number
}

export function sortNumbers(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b)
}

export function median(values: Iterable<number>): number {
  return percentile(sortNumbers(values), 0.5)
}

/** Prints rows as an aligned table, numbers right-aligned. */
export function table(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`)
  if (rows.length === 0) return
  const columns = Object.keys(rows[0] as object)
  const cell = (value: string | number | undefined) =>
    typeof value === 'number' ? format(value) : (value ?? '')
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  )
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === 0 ? value.padEnd(widths[i] as number) : value.padStart(widths[i] as number)))
      .join('  ')
  console.log(line(columns))
  console.log(line(widths.map((width) => '-'.repeat(width))))
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column]))))
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2)
}
