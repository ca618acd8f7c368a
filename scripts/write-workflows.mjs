// `npm run workflows`: regenerates the committed waves workflows
// (.github/workflows/phases.yml and example.yml, see
// scripts/generated-workflows.ts). The TypeScript entry is bundled with ncc,
// as dist/ and the benches are, into a temporary folder that is removed
// afterwards, and run from the repository root.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const out = mkdtempSync(path.join(tmpdir(), 'phase-matrix-workflows-'))
try {
  execFileSync(
    'npx',
    [
      'ncc',
      'build',
      'scripts/write-workflows.ts',
      '-o',
      out,
      '--quiet',
      '--no-cache',
      '--transpile-only'
    ],
    { stdio: 'inherit' }
  )
  execFileSync(process.execPath, [path.join(out, 'index.js')], {
    stdio: 'inherit'
  })
} finally {
  rmSync(out, { recursive: true, force: true })
}
