// `npm run bench`: bundles every bench/*.bench.ts as dist/ is built (tsc to
// JavaScript without type-checking, then ncc, minified; `npm test` does the
// type-check) and runs them one after another, each in its own process. Pass a name
// fragment to run only matching benches. The bundles go to a temp folder in
// the project (so they resolve the peers they compare with, such as toposort,
// from node_modules) that is removed at the end, also when a bench fails.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'

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
    const out = path.join(tmp, path.basename(file, '.bench.ts'))
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
    execFileSync(
      process.execPath,
      ['--expose-gc', path.join(out, 'index.js')],
      { stdio: 'inherit' }
    )
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
