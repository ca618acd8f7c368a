// `npm run workflows`: regenerates the committed waves workflows
// (.github/workflows/phases.yml and example.yml, see
// scripts/generated-workflows.ts). The generator is compiled to JavaScript
// as dist/ and the benches are (tsc without type-checking), into a folder
// inside the project so that it finds node_modules, run from the repository
// root, and the folder removed afterwards.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'

const out = mkdtempSync('.build-tools-')
try {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.tools.json', '--outDir', out], {
    stdio: 'inherit'
  })
  execFileSync(
    process.execPath,
    [path.join(out, 'scripts', 'write-workflows.js')],
    { stdio: 'inherit' }
  )
} finally {
  rmSync(out, { recursive: true, force: true })
}
