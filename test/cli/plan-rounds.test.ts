// `phase-matrix plan --rounds`: the rounds the reusable workflow hands out,
// the levels each covers and what each leg carries.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { main } from '../../src/cli/main.js'
import { recordingIo } from '../cli-helpers.js'

let dir = ''
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'plan-rounds-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function plan(args: string[]) {
  const io = recordingIo({ cwd: dir })
  const code = await main(['plan', ...args], io)
  return { code, out: io.out, err: io.err }
}

/** A chain of `length` 5-minute phases c0 → c1 → …, and a 60-minute phase beside it. */
function chainPlan(length: number): string {
  const lines = ['phases:', '  - {id: long, estimate_minutes: 60}']
  for (let i = 0; i < length; i++) {
    lines.push(`  - id: c${i}`, '    estimate_minutes: 5')
    if (i > 0) lines.push(`    deps: [c${i - 1}]`)
  }
  return `${lines.join('\n')}\n`
}

describe('phase-matrix plan --rounds', () => {
  it('shows a chain folded into one leg beside the long phase, with the levels it covers', async () => {
    writeFileSync(path.join(dir, 'chain.yaml'), chainPlan(4))
    const { code, out, err } = await plan(['--plan', 'chain.yaml', '--rounds'])
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toContain(
      'Rounds of a green run (24 wave jobs, at most 64 legs a round, 1 core(s) a leg): 1'
    )
    expect(out).toContain('Round 1 (levels 1–4): 5 phase(s) in 2 leg(s)')
    expect(out).toContain('  leg 1: long')
    expect(out).toContain('  leg 2: c0, c1, c2, c3')
  })

  it('a 40-level chain in --max-waves 3: at most 3 rounds, every phase once', async () => {
    const lines = ['phases:']
    for (let i = 0; i < 40; i++)
      lines.push(`  - id: p${i}`, ...(i > 0 ? [`    deps: [p${i - 1}]`] : []))
    writeFileSync(path.join(dir, 'deep.yaml'), `${lines.join('\n')}\n`)
    const { code, out } = await plan([
      '--plan',
      'deep.yaml',
      '--rounds',
      '--max-waves',
      '3'
    ])
    expect(code).toBe(0)
    const rounds = out.match(/^Round \d+ /gm) ?? []
    expect(rounds.length).toBeGreaterThan(0)
    expect(rounds.length).toBeLessThanOrEqual(3)
    const ids = [...out.matchAll(/^ {2}leg \d+: (.*)$/gm)].flatMap(m =>
      (m[1] ?? '').split(', ')
    )
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => `p${i}`))
  })

  it('is a text view: not with --format json, not with --tree', async () => {
    writeFileSync(path.join(dir, 'chain.yaml'), chainPlan(2))
    const json = await plan([
      '--plan',
      'chain.yaml',
      '--rounds',
      '--format',
      'json'
    ])
    expect(json.code).toBe(2)
    expect(json.err).toContain(
      '--rounds is a text view and cannot be combined with --format json'
    )
    const both = await plan(['--plan', 'chain.yaml', '--rounds', '--tree'])
    expect(both.code).toBe(2)
    expect(both.err).toContain('--tree and --rounds are two views: give one')
  })
})
