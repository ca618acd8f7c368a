// `npm run bench [-- <name>]`: bundles every bench/*.bench.ts as dist/ is
// built (tsc to JavaScript without type-checking, then ncc, minified;
// `npm test` does the type-check) and runs them one after another, each in
// its own process. A name fragment runs only the matching benches. The
// bundles go to a temp folder in the project (so they resolve the peers
// they compare with, such as toposort, from node_modules) that is removed
// at the end, also when a bench fails.
//
// The tables docs/performance.md shows (bench/doc-table.ts) are written
// into it between `<!-- bench:<name>:start -->` and `… :end -->` markers,
// with the command, the date and the machine, after each bench; a part run
// renews only its own tables. The markers are those of
// scripts/readme-tables.mjs. The figures depend on the machine, so no test
// compares them.
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import path from 'node:path'
import prettier from 'prettier'
import { replaceBetween } from '../scripts/readme-tables.mjs'

const DOC = 'docs/performance.md'

if (process.argv.includes('--help')) {
  const names = readdirSync('bench')
    .filter(f => f.endsWith('.bench.ts'))
    .map(f => f.replace(/\.bench\.ts$/, ''))
  console.log(
    `npm run bench [-- <name>]: run every bench, or those whose name holds <name> (${names.join(', ')}), and write their tables into ${DOC}.`
  )
  process.exit(0)
}

/** Writes each `{ name, text }` table of `file` into the doc, stamped. */
async function writeTables(file, stamp) {
  if (!existsSync(file)) return
  let text = readFileSync(DOC, 'utf8')
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue
    const { name, text: table } = JSON.parse(line)
    text = replaceBetween(DOC, text, `bench:${name}`, `${table}\n\n${stamp}`)
  }
  const options = (await prettier.resolveConfig(DOC)) ?? {}
  const formatted = await prettier.format(text, { ...options, filepath: DOC })
  writeFileSync(DOC, formatted)
  console.log(`\n${DOC}: tables of this bench written.`)
}

const only = process.argv[2] ?? ''
const tmp = mkdtempSync('.bench-tmp-')
const benches = readdirSync('bench')
  .filter(f => f.endsWith('.bench.ts') && f.includes(only))
  .sort()
try {
  console.log('compiling src/ and bench/ to JavaScript…')
  const js = path.join(tmp, 'js')
  execFileSync('npx', ['tsc', '-p', 'tsconfig.tools.json', '--outDir', js], {
    stdio: 'inherit'
  })
  for (const [index, file] of benches.entries()) {
    const name = path.basename(file, '.bench.ts')
    const out = path.join(tmp, name)
    console.log(`[${index + 1}/${benches.length}] bundling ${file}…`)
    execFileSync(
      'npx',
      [
        'ncc',
        'build',
        path.join(js, 'bench', file.replace(/\.ts$/, '.js')),
        '-o',
        out,
        '--minify',
        '--quiet',
        '--no-cache'
      ],
      { stdio: 'inherit' }
    )
    console.log(`\n## ${file}\n`)
    const tables = path.join(tmp, `${name}.tables.jsonl`)
    const load = loadavg()[0] ?? 0
    const day = new Date().toISOString().slice(0, 10)
    execFileSync(
      process.execPath,
      ['--expose-gc', path.join(out, 'index.js')],
      {
        stdio: 'inherit',
        env: { ...process.env, PHASE_MATRIX_BENCH_TABLES: tables }
      }
    )
    await writeTables(
      tables,
      `Written by \`npm run bench ${name}\` on ${day}: Node ${process.version}, ` +
        `${availableParallelism()} cores, load average ${load.toFixed(1)} when it started.`
    )
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
