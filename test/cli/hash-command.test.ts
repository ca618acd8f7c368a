import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import path from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'

import { main } from '../../src/cli/main.js'
import { recordingIo } from '../cli-helpers.js'
import {
  commitAll,
  git,
  gitRepo,
  removeRepo,
  writeFiles
} from '../support/git-repo.js'

const PLAN = `global_inputs: [package-lock.json]
phases:
  - id: db
    inputs: [packages/db/**, '!**/*.md']
    run: npm test -w db
  - id: api
    deps: [db]
    inputs: [packages/api]
    run: npm test -w api
  - id: web
    inputs: [packages/web/**]
    run: npm test -w web
  - id: e2e
    deps: [api, web]
    inputs: [e2e/**]
    run: npm run e2e
  - id: lint
    run: npm run lint
`

const FILES = {
  '.prd_runner/phase_plan.yaml': PLAN,
  'package-lock.json': '{"lockfileVersion": 3}\n',
  'packages/db/index.ts': 'export const db = 1\n',
  'packages/db/README.md': '# db\n',
  'packages/api/index.ts': 'export const api = 1\n',
  'packages/api/util.ts': 'export const util = 1\n',
  'packages/web/index.ts': 'export const web = 1\n',
  'e2e/run.ts': 'run()\n',
  'e2e/setup.ts': 'setup()\n'
}

type Hashes = Record<string, string | null>

async function hashes(cwd: string, ...flags: string[]): Promise<Hashes> {
  const io = recordingIo({ cwd })
  const code = await main(['hash', '--format', 'json', ...flags], io)
  expect(io.err).toBe('')
  expect(code).toBe(0)
  return JSON.parse(io.out) as Hashes
}

/** The ids whose hash differs between two runs. */
function changed(a: Hashes, b: Hashes): string[] {
  return Object.keys(a).filter(id => a[id] !== b[id])
}

let repo: string
let base: Hashes
beforeAll(async () => {
  repo = gitRepo(FILES)
  base = await hashes(repo)
})
afterAll(() => {
  removeRepo(repo)
})

describe('phase-matrix hash', () => {
  test('a sha256 per phase with inputs, null without', () => {
    expect(Object.keys(base)).toEqual(['db', 'api', 'web', 'e2e', 'lint'])
    for (const id of ['db', 'api', 'web', 'e2e']) {
      expect(base[id]).toMatch(/^[0-9a-f]{64}$/)
    }
    expect(base.lint).toBeNull()
    expect(new Set(Object.values(base)).size).toBe(5)
  })

  test('stable across runs, from a sub-folder and in a clone', async () => {
    expect(await hashes(repo)).toEqual(base)
    expect(
      await hashes(
        path.join(repo, 'packages/db'),
        '--plan',
        '../../.prd_runner/phase_plan.yaml'
      )
    ).toEqual(base)
    const clone = path.join(mkdtempSync(path.join(tmpdir(), 'pm-clone-')), 'c')
    try {
      git(repo, 'clone', '-q', repo, clone)
      expect(await hashes(clone)).toEqual(base)
    } finally {
      removeRepo(path.dirname(clone))
    }
  })
})

describe('what changes a hash', () => {
  /** A fresh repository, `change` applied, and the hashes after it. */
  async function after(change: (dir: string) => void): Promise<Hashes> {
    const dir = gitRepo(FILES)
    try {
      change(dir)
      return await hashes(dir)
    } finally {
      removeRepo(dir)
    }
  }

  test('a file of one package: that phase and its dependents, nothing else', async () => {
    const next = await after(dir => {
      writeFiles(dir, { 'packages/db/index.ts': 'export const db = 2\n' })
      commitAll(dir, 'db')
    })
    expect(changed(base, next)).toEqual(['db', 'api', 'e2e'])
  })

  test('a new file under a glob counts; an excluded one does not', async () => {
    expect(
      changed(
        base,
        await after(dir => {
          writeFiles(dir, { 'packages/web/extra.ts': 'x\n' })
          commitAll(dir, 'web')
        })
      )
    ).toEqual(['web', 'e2e'])
    expect(
      changed(
        base,
        await after(dir => {
          writeFiles(dir, { 'packages/db/README.md': '# changed\n' })
          commitAll(dir, 'docs')
        })
      )
    ).toEqual([])
  })

  test('a global input changes every phase with inputs', async () => {
    const next = await after(dir => {
      writeFiles(dir, { 'package-lock.json': '{"lockfileVersion": 4}\n' })
      commitAll(dir, 'lock')
    })
    expect(changed(base, next)).toEqual(['db', 'api', 'web', 'e2e'])
    expect(next.lint).toBeNull()
  })

  test("a phase's own command changes it and its dependents", async () => {
    const next = await after(dir => {
      writeFiles(dir, {
        '.prd_runner/phase_plan.yaml': PLAN.replace(
          'npm test -w web',
          'npm test -w web -- --ci'
        )
      })
    })
    expect(changed(base, next)).toEqual(['web', 'e2e'])
  })

  test('a description, an estimate or the order of deps change nothing', async () => {
    const next = await after(dir => {
      writeFiles(dir, {
        '.prd_runner/phase_plan.yaml': PLAN.replace(
          '    deps: [api, web]',
          '    deps: [web, api]\n    description: end to end\n    estimate_minutes: 3'
        )
      })
    })
    expect(changed(base, next)).toEqual([])
  })

  test('the plan file itself is no input unless a glob takes it', async () => {
    const next = await after(dir => {
      writeFiles(dir, {
        '.prd_runner/phase_plan.yaml': PLAN + '# a comment\n'
      })
      commitAll(dir, 'comment')
    })
    expect(changed(base, next)).toEqual([])
  })
})

describe('a working tree is hashed as it is', () => {
  test('a changed, staged or deleted file counts before it is committed, and the same after', async () => {
    const dir = gitRepo(FILES)
    try {
      writeFiles(dir, { 'packages/web/index.ts': 'export const web = 2\n' })
      const dirty = await hashes(dir)
      expect(changed(base, dirty)).toEqual(['web', 'e2e'])
      // From a folder of the repository, with diff output made relative.
      git(dir, 'config', 'diff.relative', 'true')
      expect(
        await hashes(
          path.join(dir, 'packages/db'),
          '--plan',
          '../../.prd_runner/phase_plan.yaml'
        )
      ).toEqual(dirty)
      git(dir, 'add', '-A')
      expect(await hashes(dir)).toEqual(dirty)
      commitAll(dir, 'web')
      expect(await hashes(dir)).toEqual(dirty)

      git(dir, 'rm', '-q', '--cached', 'e2e/run.ts')
      writeFiles(dir, { 'untracked/x.ts': 'x\n', 'e2e/new.ts': 'new\n' })
      // Untracked files are not inputs: e2e/run.ts is now gone from the index.
      const removed = await hashes(dir)
      expect(changed(dirty, removed)).toEqual(['e2e'])
    } finally {
      removeRepo(dir)
    }
  })

  test('a file deleted from the working tree is gone from the inputs', async () => {
    const dir = gitRepo(FILES)
    try {
      const { rmSync } = await import('node:fs')
      rmSync(path.join(dir, 'packages/api/index.ts'))
      const gone = await hashes(dir)
      expect(changed(base, gone)).toEqual(['api', 'e2e'])
      git(dir, 'rm', '-q', 'packages/api/index.ts')
      expect(await hashes(dir)).toEqual(gone)
    } finally {
      removeRepo(dir)
    }
  })
})

test('odd names, a changed link and an executable bit: dirty equals committed', async () => {
  const { chmodSync, symlinkSync, unlinkSync } = await import('node:fs')
  const dir = gitRepo({
    ...FILES,
    'packages/web/we"ird\nname.ts': 'a\n',
    'packages/web/run.sh': 'echo\n'
  })
  try {
    symlinkSync('index.ts', path.join(dir, 'packages/web/link'))
    commitAll(dir, 'link')
    const before = await hashes(dir)
    writeFiles(dir, { 'packages/web/we"ird\nname.ts': 'b\n' })
    unlinkSync(path.join(dir, 'packages/web/link'))
    symlinkSync('run.sh', path.join(dir, 'packages/web/link'))
    chmodSync(path.join(dir, 'packages/web/run.sh'), 0o755)
    const dirty = await hashes(dir)
    expect(changed(before, dirty)).toEqual(['web', 'e2e'])
    commitAll(dir, 'changes')
    expect(await hashes(dir)).toEqual(dirty)
  } finally {
    removeRepo(dir)
  }
})

describe('what cannot be hashed', () => {
  test('outside a git repository: exit 2, says why', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pm-nogit-'))
    try {
      writeFiles(dir, FILES)
      const io = recordingIo({ cwd: dir })
      expect(await main(['hash'], io)).toBe(2)
      expect(io.err).toMatch(
        /^phase-matrix hash: .* is not in a git repository/
      )
      expect(io.out).toBe('')
    } finally {
      removeRepo(dir)
    }
  })

  test('a merge in progress: exit 2, names the unmerged paths', async () => {
    const dir = gitRepo(FILES)
    try {
      git(dir, 'checkout', '-q', '-b', 'other')
      writeFiles(dir, { 'packages/db/index.ts': 'other\n' })
      commitAll(dir, 'other')
      git(dir, 'checkout', '-q', 'main')
      writeFiles(dir, { 'packages/db/index.ts': 'main\n' })
      commitAll(dir, 'main')
      expect(() => git(dir, 'merge', '-q', 'other')).toThrow()
      const io = recordingIo({ cwd: dir })
      expect(await main(['hash'], io)).toBe(2)
      expect(io.err).toBe(
        'phase-matrix hash: the index has unmerged paths (packages/db/index.ts): finish or abort the merge before hashing\n'
      )
    } finally {
      removeRepo(dir)
    }
  })

  test('a pattern that takes no file is a warning; text output', async () => {
    const dir = gitRepo({
      ...FILES,
      '.prd_runner/phase_plan.yaml': PLAN.replace(
        'packages/web/**',
        'pakages/web/**'
      )
    })
    try {
      const io = recordingIo({ cwd: dir })
      expect(await main(['hash'], io)).toBe(0)
      expect(io.err).toBe(
        'phase-matrix hash: warning: inputs pattern "pakages/web/**" of phase web matches no tracked file\n'
      )
      const lines = io.out.trimEnd().split('\n')
      expect(lines.map(line => line.slice(66))).toEqual([
        'db',
        'api',
        'web',
        'e2e',
        'lint'
      ])
      expect(lines[4]).toBe(`-${' '.repeat(63)}  lint`)
    } finally {
      removeRepo(dir)
    }
  })
})
