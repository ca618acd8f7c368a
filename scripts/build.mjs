// Builds every bundle with @vercel/ncc into dist/ (committed; CI checks drift).
// Each entry in src/entries/ only calls run(); its bundle goes where its
// action.yml (or package.json "bin") points.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const bundles = [
  { entry: 'src/entries/plan.ts', out: 'dist' },
  { entry: 'src/entries/settle.ts', out: 'dist/settle' },
  { entry: 'src/entries/check.ts', out: 'dist/check' },
  { entry: 'src/entries/cli.ts', out: 'dist/cli' }
]

for (const { entry, out } of bundles) {
  if (!existsSync(entry)) {
    console.log(`skip ${entry} (not written yet)`)
    continue
  }
  execFileSync(
    'npx',
    [
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
    ],
    { stdio: 'inherit' }
  )
  console.log(`built ${out}/index.js from ${entry}`)
}
