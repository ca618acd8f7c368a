// Retries in exec: a phase failing once with `retries: 2` passes on its
// second attempt and is flaky; a phase failing always runs 1 + N times and
// its dependents are skipped; the config's parallel.retries is the default.
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { main } from '../../src/cli/main.js'
import { decodeLegRecord, type LegRecord } from '../../src/plan/leg-record.js'
import { recordingIo } from '../cli-helpers.js'
import { workspaceWith } from '../support/run-action.js'

async function exec(cwd: string, phases: string) {
  const io = recordingIo({ cwd, env: { PATH: process.env['PATH'] ?? '' } })
  const code = await main(
    [
      'exec',
      '--plan',
      'plan.yaml',
      '--record',
      'record.json',
      '--leg-concurrency',
      '1',
      '--phases',
      phases
    ],
    io
  )
  return { code, out: io.out }
}

function recordIn(cwd: string): LegRecord {
  const decoded = decodeLegRecord(
    readFileSync(path.join(cwd, 'record.json'), 'utf8').trim()
  )
  if ('problem' in decoded) throw new Error(decoded.problem)
  return decoded.record
}

/** A workspace whose plan.yaml holds these lines under `phases:`. */
function workspaceWithPhases(...lines: string[]): string {
  return workspaceWith({ 'plan.yaml': ['phases:', ...lines, ''].join('\n') })
}

const count = (cwd: string, file: string): number =>
  readFileSync(path.join(cwd, file), 'utf8').split('\n').filter(Boolean).length

describe('exec retries', () => {
  test('fails once with retries: 2: passes on attempt 2, flaky, attempts in the record', async () => {
    const cwd = workspaceWithPhases(
      '  - id: shaky',
      '    retries: 2',
      '    run: |',
      '      echo run >> runs.txt',
      '      [ "$(wc -l < runs.txt)" -ge 2 ]',
      '  - id: after',
      '    deps: [shaky]',
      '    run: echo ok > after.txt'
    )
    const { code, out } = await exec(cwd, 'shaky,after')
    expect(code).toBe(0)
    expect(count(cwd, 'runs.txt')).toBe(2)
    expect(count(cwd, 'after.txt')).toBe(1)
    expect(out).toContain('Attempt 1 of 3: failed with exit code 1')
    expect(out).toContain('running it again (retries)')
    expect(out).toContain('Phase shaky succeeded on attempt 2: flaky')
    const record = recordIn(cwd)
    expect(record.phases.map(p => [p.status, p.attempts])).toEqual([
      ['succeeded', 2],
      ['succeeded', undefined]
    ])
  })

  test("a phase whose output ends mid-line: exec's own lines (the attempt, the end) still start on their own", async () => {
    const cwd = workspaceWithPhases(
      '  - id: terse',
      '    retries: 1',
      "    run: printf 'no newline'"
    )
    const { code, out } = await exec(cwd, 'terse')
    expect(code).toBe(0)
    const lines = out.split('\n')
    expect(lines).toContain('no newline')
    expect(
      lines.some(line => line.startsWith('Attempt 1 of 2: succeeded'))
    ).toBe(true)
    expect(lines.some(line => line.startsWith('✓ Phase terse succeeded'))).toBe(
      true
    )
  })

  test('fails always: 1 + N runs, then failed, its dependent skipped', async () => {
    const cwd = workspaceWithPhases(
      '  - id: broken',
      '    retries: 2',
      '    run: echo run >> runs.txt; exit 4',
      '  - id: after',
      '    deps: [broken]',
      '    run: echo never > after.txt'
    )
    const { code, out } = await exec(cwd, 'broken,after')
    expect(code).toBe(1)
    expect(count(cwd, 'runs.txt')).toBe(3)
    expect(out).toContain(
      'Phase broken failed with exit code 4 (all 3 attempts)'
    )
    expect(recordIn(cwd).phases.map(p => [p.status, p.attempts])).toEqual([
      ['failed', 3],
      ['skipped', undefined]
    ])
  })

  test('parallel.retries in the config is the default; a phase may say 0', async () => {
    const cwd = workspaceWith({
      '.prd_runner/config.yaml': 'parallel:\n  retries: 1\n',
      'plan.yaml': [
        'phases:',
        '  - id: a',
        '    run: echo run >> a.txt; exit 1',
        '  - id: b',
        '    retries: 0',
        '    run: echo run >> b.txt; exit 1',
        ''
      ].join('\n')
    })
    const { code } = await exec(cwd, 'a,b')
    expect(code).toBe(1)
    expect(count(cwd, 'a.txt')).toBe(2)
    expect(count(cwd, 'b.txt')).toBe(1)
  })
})
