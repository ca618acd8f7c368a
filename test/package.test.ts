// The npm package as `npx phase-matrix …` installs it: the tarball that
// `npm pack` makes, unpacked on its own, runs its bin with no node_modules
// beside it (the CLI bundle carries its dependencies).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

interface PackageJson {
  private?: boolean
  bin: Record<string, string>
  files: string[]
  repository: { url: string }
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson
let dir: string
let unpacked: string

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-pack-'))
  const output = execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', dir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }
  )
  const [packed] = JSON.parse(output) as { filename: string }[]
  if (packed === undefined) throw new Error('npm pack made no tarball')
  execFileSync('tar', ['-xzf', path.join(dir, packed.filename), '-C', dir])
  unpacked = path.join(dir, 'package')
  writeFileSync(
    path.join(dir, 'plan.yaml'),
    'phases:\n  - id: a\n  - id: b\n    deps: [a]\n'
  )
}, 120_000)

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('the npm package', () => {
  it('is publishable, names its repository and has a bin', () => {
    expect(manifest.private).toBeUndefined()
    expect(manifest.repository.url).toContain('phase-matrix/phase-matrix')
    expect(manifest.bin['phase-matrix']).toBe('dist/cli/index.js')
  })

  it('runs its bin from the unpacked tarball alone', () => {
    const bin = path.join(
      unpacked,
      manifest.bin['phase-matrix'] ?? 'missing-bin'
    )
    const result = spawnSync(
      process.execPath,
      [bin, 'plan', '--plan', 'plan.yaml', '--format', 'json'],
      { cwd: dir, encoding: 'utf8' }
    )
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      phaseCount: 2,
      waves: [['a'], ['b']]
    })
  })

  it('ships the CLI and its docs, not the sources or the actions', () => {
    const [dryRun] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore']
      })
    ) as { files: { path: string }[] }[]
    const files = (dryRun?.files ?? []).map(file => file.path)
    expect(files).toEqual(
      expect.arrayContaining(['dist/cli/index.js', 'README.md', 'LICENSE'])
    )
    expect(files.filter(file => file.startsWith('src/'))).toEqual([])
    expect(files).not.toContain('dist/index.js')
  })
})
