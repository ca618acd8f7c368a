// `npm run bench`: bundles every bench/*.bench.ts with ncc (so it measures
// the same compiled code users run) and runs them one after another, each in
// its own process. Pass a name fragment to run only matching benches.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'

const only = process.argv[2] ?? ''
const tmp = '.bench-tmp'
rmSync(tmp, { recursive: true, force: true })
mkdirSync(tmp, { recursive: true })
const benches = readdirSync('bench')
  .filter(f => f.endsWith('.bench.ts') && f.includes(only))
  .sort()
for (const file of benches) {
  const out = path.join(tmp, path.basename(file, '.bench.ts'))
  execFileSync(
    'npx',
    [
      'ncc',
      'build',
      path.join('bench', file),
      '-o',
      out,
      '--quiet',
      '--no-cache',
      '--transpile-only'
    ],
    { stdio: 'inherit' }
  )
  console.log(`\n## ${file}\n`)
  execFileSync(process.execPath, ['--expose-gc', path.join(out, 'index.js')], {
    stdio: 'inherit'
  })
}
