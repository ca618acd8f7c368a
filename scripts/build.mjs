// Builds every bundle with @vercel/ncc into dist/ (committed; CI checks drift).
// Each entry in src/entries/ only calls run(); its bundle goes where its
// action.yml (or package.json "bin") points.
//
// Two steps. `tsc -p tsconfig.build.json` first turns src/ into JavaScript in
// .build/ once, without type-checking (`noCheck`: `npm run typecheck` does
// that, over tests too). Then ncc bundles each entry from that JavaScript, so
// it runs no TypeScript of its own: given .ts, ncc type-checks the whole
// program again for every bundle, which made the build five type-checks
// long. The bundles are independent, so they build side by side, as many at
// once as the machine has cores.
import { spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const bundles = [
  { entry: 'entries/plan', out: 'dist' },
  { entry: 'entries/settle', out: 'dist/settle' },
  { entry: 'entries/check', out: 'dist/check' },
  { entry: 'entries/exec', out: 'dist/exec' },
  { entry: 'entries/cli', out: 'dist/cli' }
]
const JS_DIR = '.build'

function spawnStep(command, args, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', code => {
      if (code === 0) resolve()
      else reject(new Error(`${what} exited with ${code}`))
    })
  })
}

function build({ entry, out }) {
  const args = [
    'ncc',
    'build',
    `${JS_DIR}/${entry}.js`,
    '-o',
    out,
    '--minify',
    '--no-cache',
    '--quiet',
    '--license',
    'licenses.txt'
  ]
  return spawnStep('npx', args, `ncc build ${entry}`).then(() => {
    console.log(`built ${out}/index.js from src/${entry}.ts`)
  })
}

rmSync(JS_DIR, { recursive: true, force: true })
await spawnStep(
  'npx',
  ['tsc', '-p', 'tsconfig.build.json'],
  'tsc -p tsconfig.build.json'
)
const queue = bundles.filter(bundle => existsSync(`src/${bundle.entry}.ts`))
const workers = Math.max(1, Math.min(availableParallelism(), queue.length))
let failed = false
await Promise.all(
  Array.from({ length: workers }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await build(next)
      } catch (error) {
        failed = true
        console.error(error instanceof Error ? error.message : String(error))
      }
    }
  })
)
if (failed) process.exitCode = 1
