// The tables of docs/performance.md are written by `npm run bench`
// (bench/doc-table.ts, bench/run.mjs): every marked table in the doc has a
// bench that writes it, and every table a bench writes has its markers.
// The figures depend on the machine, so they are not compared.
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const doc = readFileSync('docs/performance.md', 'utf8')
const benches = readdirSync('bench')
  .filter(f => f.endsWith('.ts'))
  .map(f => readFileSync(path.join('bench', f), 'utf8'))

describe('docs/performance.md', () => {
  test('every bench table has its markers, and every marker a bench', () => {
    const written = benches
      .flatMap(text => [...text.matchAll(/docTable\('([a-z-]+)'/g)])
      .map(m => m[1])
      .sort()
    const starts = [...doc.matchAll(/<!-- bench:([a-z-]+):start -->/g)]
      .map(m => m[1])
      .sort()
    const ends = [...doc.matchAll(/<!-- bench:([a-z-]+):end -->/g)]
      .map(m => m[1])
      .sort()
    expect(written.length).toBeGreaterThan(0)
    expect(starts).toEqual(written)
    expect(ends).toEqual(written)
  })

  test('each marked table says which command wrote it', () => {
    for (const match of doc.matchAll(
      /<!-- bench:([a-z-]+):start -->([\s\S]*?)<!-- bench:\1:end -->/g
    )) {
      const body = match[2] ?? ''
      expect(body).toMatch(/^\|/m)
      expect(body).toMatch(
        /Written by `npm run bench [a-z]+` on \d{4}-\d\d-\d\d/
      )
    }
  })
})
