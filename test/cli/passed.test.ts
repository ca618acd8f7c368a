// `plan --passed` and `simulate --passed` in a git repository: a store of
// passed phases written from `hash`, then a change, then which phases are
// unchanged; and stores that are broken or hostile.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { main } from '../../src/cli/main.js'
import type { SimulationJson } from '../../src/render/simulation.js'
import { planJson, recordingIo } from '../cli-helpers.js'
import {
  commitAll,
  gitRepo,
  removeRepo,
  writeFiles
} from '../support/git-repo.js'

const PLAN = `global_inputs: [package-lock.json]
phases:
  - id: db
    inputs: [packages/db/**]
    estimate_minutes: 10
  - id: api
    deps: [db]
    inputs: [packages/api/**]
    estimate_minutes: 5
  - id: web
    inputs: [packages/web/**]
    estimate_minutes: 8
  - id: e2e
    deps: [api, web]
    inputs: [e2e/**]
    estimate_minutes: 4
  - id: lint
    estimate_minutes: 1
  - id: docs
    status: done
    inputs: [docs/**]
  - id: site
    deps: [docs]
    inputs: [site/**]
    estimate_minutes: 2
`

const FILES = {
  '.prd_runner/phase_plan.yaml': PLAN,
  'package-lock.json': '{}\n',
  'packages/db/a.ts': 'db\n',
  'packages/api/a.ts': 'api\n',
  'packages/web/a.ts': 'web\n',
  'e2e/a.ts': 'e2e\n',
  'docs/a.md': 'docs\n',
  'site/a.ts': 'site\n'
}

interface Run {
  code: number
  out: string
  err: string
}

async function cli(cwd: string, ...argv: string[]): Promise<Run> {
  const io = recordingIo({ cwd })
  const code = await main(argv, io)
  return { code, out: io.out, err: io.err }
}

let repo: string
/** Every phase that has a hash, as a run in which all passed would store it. */
let store: Record<string, string>

beforeAll(async () => {
  repo = gitRepo(FILES)
  const hashed = await cli(repo, 'hash', '--format', 'json')
  expect(hashed.code).toBe(0)
  store = Object.fromEntries(
    Object.entries(
      JSON.parse(hashed.out) as Record<string, string | null>
    ).filter((entry): entry is [string, string] => entry[1] !== null)
  )
  mkdirSync(path.join(repo, '.cache'))
  writeFileSync(path.join(repo, '.cache/passed.json'), JSON.stringify(store))
  // The store is not a tracked file: hashes stay as they were.
  writeFiles(repo, { '.git/info/exclude': '.cache/\n' })
})
afterAll(() => {
  removeRepo(repo)
})

async function unchanged(
  cwd: string,
  storeFile = '.cache/passed.json'
): Promise<string[] | undefined> {
  const run = await cli(cwd, 'plan', '--format', 'json', '--passed', storeFile)
  expect(run.code).toBe(0)
  return planJson(run.out).unchanged
}

describe('plan --passed', () => {
  test('nothing changed: every phase with a hash is unchanged, done ones stay done', async () => {
    expect(await unchanged(repo)).toEqual(['db', 'api', 'web', 'e2e', 'site'])
  })

  test('a change in one package: exactly it and its dependents run again', async () => {
    writeFiles(repo, { 'packages/web/a.ts': 'web 2\n' })
    try {
      expect(await unchanged(repo)).toEqual(['db', 'api', 'site'])
    } finally {
      writeFiles(repo, { 'packages/web/a.ts': 'web\n' })
    }
  })

  test('plan --rounds hands out only what changed: the unchanged phases are in no round', async () => {
    writeFiles(repo, { 'packages/web/a.ts': 'web 2\n' })
    try {
      const run = await cli(
        repo,
        'plan',
        '--rounds',
        '--passed',
        '.cache/passed.json'
      )
      expect(run.code).toBe(0)
      const ids = [...run.out.matchAll(/^ {2}leg \d+: (.*)$/gm)]
        .flatMap(m => (m[1] ?? '').split(', '))
        .sort()
      expect(ids).toEqual(['e2e', 'lint', 'web'])
    } finally {
      writeFiles(repo, { 'packages/web/a.ts': 'web\n' })
    }
  })

  test('text says which are unchanged, never as skipped', async () => {
    writeFiles(repo, { 'packages/db/a.ts': 'db 2\n' })
    try {
      const run = await cli(repo, 'plan', '--passed', '.cache/passed.json')
      expect(run.code).toBe(0)
      expect(run.err).toBe('')
      expect(run.out).toContain(
        'Unchanged: 2 phase(s) (inputs as when they passed: they run in no job and count as succeeded)'
      )
      expect(run.out).toContain('  • web (unchanged)\n')
      expect(run.out).toContain('  • site (unchanged) (depends on: docs)\n')
      expect(run.out).toContain('  • db\n')
      expect(run.out).not.toMatch(/skipped/i)
      // The estimates count only what runs: db → api → e2e, 19 min.
      expect(run.out).toContain('Critical path: db → api → e2e (19 min)')
      const tree = await cli(
        repo,
        'plan',
        '--tree',
        '--passed',
        '.cache/passed.json'
      )
      expect(tree.out).toContain('web (unchanged)')
    } finally {
      writeFiles(repo, { 'packages/db/a.ts': 'db\n' })
    }
  })

  test('a phase whose dependency runs is not unchanged, even with its hash stored', async () => {
    // e2e's stored hash is right, but api must run: the store lost it.
    const partial = Object.fromEntries(
      Object.entries(store).filter(([id]) => id !== 'api')
    )
    writeFileSync(
      path.join(repo, '.cache/partial.json'),
      JSON.stringify(partial)
    )
    expect(await unchanged(repo, '.cache/partial.json')).toEqual([
      'db',
      'web',
      'site'
    ])
  })

  test('no store yet: a warning, nothing unchanged', async () => {
    const run = await cli(
      repo,
      'plan',
      '--format',
      'json',
      '--passed',
      'nope.json'
    )
    expect(run.code).toBe(0)
    expect(run.err).toBe(
      'phase-matrix plan: warning: nope.json: not found; no phase counts as unchanged (a first run has no store)\n'
    )
    expect(planJson(run.out).unchanged).toEqual([])
  })
})

describe('simulate --passed', () => {
  test('unchanged phases take no time and no job; the saving is shown', async () => {
    writeFiles(repo, { 'packages/web/a.ts': 'web 2\n' })
    try {
      const run = await cli(
        repo,
        'simulate',
        '--format',
        'json',
        '--passed',
        '.cache/passed.json'
      )
      expect(run.code).toBe(0)
      const json = JSON.parse(run.out) as SimulationJson
      expect(json.unchanged).toEqual(['db', 'api', 'site'])
      expect(json.skipped).toEqual([])
      expect(json.unchangedMinutes).toBe(17)
      const before = json.withoutPassed
      expect(before?.sequential?.wallMinutes).toBe(30)
      expect(json.modes.sequential?.wallMinutes).toBe(13)
      expect(json.modes.graph?.jobs).toBe((before?.graph?.jobs ?? 0) - 3)
      expect(json.modes.waves?.wallMinutes).toBeLessThan(
        before?.waves?.wallMinutes ?? 0
      )

      const text = await cli(repo, 'simulate', '--passed', '.cache/passed.json')
      expect(text.out).toContain('Unchanged: db, api, site\n')
      expect(text.out).toContain('17 min of work not run')
      expect(text.out).toMatch(/ {2}db +unchanged\n/)
    } finally {
      writeFiles(repo, { 'packages/web/a.ts': 'web\n' })
    }
  })

  test('--fail of an unchanged phase is a usage error', async () => {
    const run = await cli(
      repo,
      'simulate',
      '--fail',
      'db',
      '--passed',
      '.cache/passed.json'
    )
    expect(run.code).toBe(2)
    expect(run.err).toContain(
      "--fail names 'db', which is unchanged since it passed (--passed): it does not run, so it cannot fail"
    )
  })
})

describe('broken and hostile stores: never a crash, never a phase passed that did not', () => {
  const cases: [string, string | Buffer, string][] = [
    ['not JSON', '{"db": ', 'not valid JSON'],
    ['a list', '[1, 2]', 'expected a JSON object of phase id to input hash'],
    ['a string', '"x"', 'expected a JSON object of phase id to input hash'],
    ['null', 'null', 'expected a JSON object'],
    ['binary', Buffer.from([0, 1, 2, 255, 254]), 'not valid JSON'],
    [
      'deep nesting',
      '['.repeat(100_000) + ']'.repeat(100_000),
      'expected a JSON object'
    ]
  ]
  test.each(cases)(
    '%s: ignored with a warning naming the file',
    async (_, content, said) => {
      writeFileSync(path.join(repo, '.cache/bad.json'), content)
      const run = await cli(
        repo,
        'plan',
        '--format',
        'json',
        '--passed',
        '.cache/bad.json'
      )
      expect(run.code).toBe(0)
      expect(run.err).toContain('phase-matrix plan: warning: .cache/bad.json: ')
      expect(run.err).toContain(said)
      expect(run.err).toContain('the store is ignored, every phase runs')
      expect(planJson(run.out).unchanged).toEqual([])
    }
  )

  test('wrong types, wrong hashes and unknown ids: those entries ignored, one warning each kind', async () => {
    const entries = {
      ...store,
      web: 12,
      lint: null,
      api: store.api?.toUpperCase(),
      e2e: 'f'.repeat(64),
      gone: 'a'.repeat(64),
      __proto__: 'b'.repeat(64),
      constructor: store.db
    }
    writeFileSync(
      path.join(repo, '.cache/mixed.json'),
      JSON.stringify(entries).replace('"gone"', '"__proto__":"x","gone"')
    )
    const run = await cli(
      repo,
      'plan',
      '--format',
      'json',
      '--passed',
      '.cache/mixed.json'
    )
    expect(run.code).toBe(0)
    expect(run.err).toBe(
      [
        'phase-matrix plan: warning: .cache/mixed.json: 3 entries are not an input hash (64 lower-case hex digits) and are ignored: "api (\\"' +
          (store.api ?? '').toUpperCase().slice(0, 37) +
          '...\\")", "web (number 12)", "__proto__ (\\"x\\")"',
        'phase-matrix plan: warning: .cache/mixed.json: 2 entries name no phase of the plan and are ignored: "gone", "constructor"',
        ''
      ].join('\n')
    )
    // db's entry is right; e2e's is a hash but not its own; api and web are unusable.
    expect(planJson(run.out).unchanged).toEqual(['db', 'site'])
    expect(Object.prototype).not.toHaveProperty('db')
  })

  test('100 MB: refused by its size before it is read, exit 2 with the file name', async () => {
    const file = path.join(repo, '.cache/huge.json')
    execFileSync('truncate', ['-s', '100M', file])
    const run = await cli(repo, 'plan', '--passed', '.cache/huge.json')
    expect(run.code).toBe(2)
    expect(run.err).toBe(
      "phase-matrix plan: --passed .cache/huge.json is 104857600 bytes; a store of passed phases is at most 8388608 (8 MiB)\nRun 'phase-matrix plan --help' for usage.\n"
    )
  })

  test('a folder or a FIFO: exit 2, never waited on', async () => {
    const folder = await cli(repo, 'plan', '--passed', '.cache')
    expect(folder.code).toBe(2)
    expect(folder.err).toContain('--passed .cache is a folder, not a file')
    execFileSync('mkfifo', [path.join(repo, '.cache/fifo')])
    const fifo = await cli(repo, 'plan', '--passed', '.cache/fifo')
    expect(fifo.code).toBe(2)
    expect(fifo.err).toContain(
      '--passed .cache/fifo is a named pipe (FIFO), not a file'
    )
  })

  test('--passed - is a usage error: standard input may hold the plan', async () => {
    const run = await cli(repo, 'plan', '--passed', '-')
    expect(run.code).toBe(2)
    expect(run.err).toContain('--passed takes a file')
  })

  test('outside a git repository: exit 2, says why', async () => {
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(path.join(tmpdir(), 'pm-nogit-'))
    try {
      writeFiles(dir, { ...FILES, 'passed.json': JSON.stringify(store) })
      const run = await cli(dir, 'plan', '--passed', 'passed.json')
      expect(run.code).toBe(2)
      expect(run.err).toMatch(
        /^phase-matrix plan: --passed passed.json: .* is not in a git repository/
      )
      expect(run.out).toBe('')
    } finally {
      removeRepo(dir)
    }
  })
})

test('a committed change after the store was written: the same answer as the dirty tree', async () => {
  const dir = gitRepo(FILES)
  try {
    writeFileSync(path.join(dir, 'passed.json'), JSON.stringify(store))
    writeFiles(dir, { 'packages/api/a.ts': 'api 2\n' })
    const dirty = await unchanged(dir, 'passed.json')
    commitAll(dir, 'api')
    expect(await unchanged(dir, 'passed.json')).toEqual(dirty)
    expect(dirty).toEqual(['db', 'web', 'site'])
  } finally {
    removeRepo(dir)
  }
})
