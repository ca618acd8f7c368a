// Builds every bundle with @vercel/ncc into dist/ (committed; CI checks drift).
// Each entry in src/entries/ only calls run(); its bundle goes where its
// action.yml (or package.json "bin") points. The bundles are independent, so
// they build side by side, as many at once as the machine has cores: on two
// cores that halves the slowest step of `npm test`.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const bundles = [
  { entry: 'src/entries/plan.ts', out: 'dist' },
  { entry: 'src/entries/settle.ts', out: 'dist/settle' },
  { entry: 'src/entries/check.ts', out: 'dist/check' },
  { entry: 'src/entries/exec.ts', out: 'dist/exec' },
  { entry: 'src/entries/cli.ts', out: 'dist/cli' }
]

function build({ entry, out }) {
  const args = [
    'ncc',
    'build',
    entry,
    '-o',
    out,
    '--minify',
    '--no-cache',
    '--quiet',
    '--license',
    'licenses.txt'
  ]
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', code => {
      if (code === 0) {
        console.log(`built ${out}/index.js from ${entry}`)
        resolve()
      } else reject(new Error(`ncc build ${entry} exited with ${code}`))
    })
  })
}

const queue = bundles.filter(bundle => existsSync(bundle.entry))
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
