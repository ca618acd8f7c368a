// Phase outputs in exec: $PHASE_OUTPUT read as GitHub reads GITHUB_OUTPUT
// (key=value, key<<DELIMITER), handed to direct dependents in the leg as
// the JSON file $PHASE_INPUTS, carried in the record; over the budget or
// unreadable, the phase fails with the limit and its size.
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { main } from '../../src/cli.js'
import {
  decodeLegRecord,
  type LegRecord,
  roundRecordsBytes,
  legOutputsLimit,
  parseOutputFile,
  PHASE_OUTPUTS_LIMIT
} from '../../src/plan/leg-record.js'
import { MAX_ENV_VALUE_BYTES } from '../../src/plan/env-limits.js'
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

describe('parseOutputFile', () => {
  test('key=value, key<<DELIM blocks, CRLF, a later value wins', () => {
    expect(
      parseOutputFile(
        'a=1\r\nnotes<<EOF\nline one\nline = two\nEOF\nb=x=y\na=2\n'
      )
    ).toEqual({
      outputs: { a: '2', notes: 'line one\nline = two', b: 'x=y' }
    })
  })
  test('a line that is neither, a block never closed', () => {
    expect(parseOutputFile('oops\n')).toEqual({
      problem: 'line 1 is neither `key=value` nor `key<<DELIMITER`'
    })
    expect(parseOutputFile('a=1\nk<<END\nx\n')).toEqual({
      problem: 'line 2: `k<<END` is never closed by a line `END`'
    })
  })
  test('the leg budget: its share of one round string (128 KiB less the records) and of 512 KiB a run', () => {
    const roundRoom = (legs: number, phases: number): number =>
      MAX_ENV_VALUE_BYTES - 4096 - roundRecordsBytes(legs, phases)
    // One leg, one level: the round's string is the limit.
    expect(legOutputsLimit({ legs: 1, planPhases: 2, levels: 1 })).toBe(
      roundRoom(1, 2)
    )
    // 8 legs of a plan of 3 levels: 512 KiB / 3 is more than a round holds.
    expect(legOutputsLimit({ legs: 8, planPhases: 100, levels: 3 })).toBe(
      Math.floor(roundRoom(8, 100) / 8)
    )
    // 24 levels: the run's 512 KiB shared by 24 rounds.
    expect(legOutputsLimit({ legs: 2, planPhases: 50, levels: 24 })).toBe(
      Math.floor(Math.floor((512 * 1024) / 24) / 2)
    )
  })
})

describe('exec: outputs to dependents in one leg', () => {
  test('deploy reads build’s version from $PHASE_INPUTS; the record carries them', async () => {
    const cwd = workspaceWith({
      'plan.yaml': [
        'phases:',
        '  - id: build',
        '    run: |',
        '      echo "version=1.2.$((40 + 2))" >> "$PHASE_OUTPUT"',
        '      { echo "notes<<EOF"; echo "first"; echo "second"; echo "EOF"; } >> "$PHASE_OUTPUT"',
        '  - id: lint',
        '    run: "true"',
        '  - id: deploy',
        '    deps: [build, lint]',
        '    run: cp "$PHASE_INPUTS" inputs.json',
        ''
      ].join('\n')
    })
    const { code } = await exec(cwd, 'build,lint,deploy')
    expect(code).toBe(0)
    expect(
      JSON.parse(readFileSync(path.join(cwd, 'inputs.json'), 'utf8'))
    ).toEqual({ build: { version: '1.2.42', notes: 'first\nsecond' } })
    expect(recordIn(cwd).outputs).toEqual({
      build: { version: '1.2.42', notes: 'first\nsecond' }
    })
  })

  test('outputs over 16 KiB: the phase fails naming the limit and its size; its dependent is skipped', async () => {
    const cwd = workspaceWith({
      'plan.yaml': [
        'phases:',
        '  - id: big',
        `    run: printf 'blob=%0${20 * 1024}d\\n' 0 >> "$PHASE_OUTPUT"`,
        '  - id: after',
        '    deps: [big]',
        '    run: echo never > never.txt',
        ''
      ].join('\n')
    })
    const { code, out } = await exec(cwd, 'big,after')
    expect(code).toBe(1)
    expect(out).toContain(
      `Phase big failed: its outputs are over the ${PHASE_OUTPUTS_LIMIT.toLocaleString('en-US')} characters (16 KiB, UTF-16 as GitHub counts job outputs) a phase may write: 20,486 characters written to $PHASE_OUTPUT, 27,332 in its leg's record`
    )
    expect(recordIn(cwd).phases.map(p => p.status)).toEqual([
      'failed',
      'skipped'
    ])
    expect(recordIn(cwd).outputs).toBeUndefined()
  })

  test('an unreadable $PHASE_OUTPUT fails the phase with the line', async () => {
    const cwd = workspaceWith({
      'plan.yaml': 'phases:\n  - id: a\n    run: echo oops >> "$PHASE_OUTPUT"\n'
    })
    const { code, out } = await exec(cwd, 'a')
    expect(code).toBe(1)
    expect(out).toContain(
      'Phase a failed: its $PHASE_OUTPUT cannot be read: line 1 is neither `key=value` nor `key<<DELIMITER`'
    )
  })
})
