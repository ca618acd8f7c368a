// A table (or any Markdown) a bench prints that docs/performance.md shows:
// printed as it is, and, under `npm run bench`, also appended to the file
// bench/run.mjs names in PHASE_MATRIX_BENCH_TABLES, which run.mjs writes
// into docs/performance.md between `<!-- bench:<name>:start -->` and
// `<!-- bench:<name>:end -->` once the bench ends.
import { appendFileSync } from 'node:fs'

export function docTable(name: string, lines: readonly string[]): void {
  const text = lines.join('\n')
  console.log(text)
  const file = process.env['PHASE_MATRIX_BENCH_TABLES']
  if (file !== undefined && file !== '')
    appendFileSync(file, `${JSON.stringify({ name, text })}\n`)
}
