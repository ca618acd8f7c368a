// The plan action, bundled, run as the runner runs it. Needs `npm run build`.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  EXEC_BUNDLE,
  PLAN_BUNDLE,
  SETTLE_BUNDLE,
  requireBundle,
  runAction,
  workspaceWith
} from '../support/run-action.js'
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js'
import { legsOf } from '../support/wave-records.js'

const PLAN_FILE = '.prd_runner/phase_plan.yaml'

let github: FakeGitHub

beforeAll(async () => {
  github = await startFakeGitHub()
})

afterAll(async () => {
  await github.close()
})

async function plan(
  files: Record<string, string>,
  inputs: Record<string, string> = {}
) {
  const cwd = workspaceWith(files)
  return { cwd, ...(await runAction(PLAN_BUNDLE, { cwd, inputs })) }
}

describe('the plan action', () => {
  test('the first round as a matrix, with every output', async () => {
    const run = await plan({
      [PLAN_FILE]: `phases:
  - id: build
    name: Build it
    description: Compile
    run: make
    runs-on: [self-hosted, linux]
    timeout-minutes: 20
  - id: lint
  - id: test
    deps: [build]
    summary: Run the tests
    test_command: make test
`
    })
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.outputs['matrix']!)).toEqual({
      include: [
        {
          id: 'build',
          name: 'Build it',
          description: 'Compile',
          run: 'make',
          wave: 1,
          leg: 1,
          deps: [],
          'runs-on': ['self-hosted', 'linux'],
          'timeout-minutes': 20
        },
        {
          id: 'lint',
          name: 'lint',
          description: '',
          run: '',
          wave: 1,
          leg: 2,
          deps: []
        }
      ]
    })
    expect(run.outputs).toMatchObject({
      'has-work': 'true',
      waves: '[["build","lint"],["test"]]',
      'wave-count': '2',
      'phase-count': '3',
      'max-parallelism': '2',
      'max-workers': '64',
      'fail-fast': 'false',
      'max-memory-mb': '',
      'max-cpu-percent': '',
      needs: '{"build":[],"lint":[],"test":["build"]}'
    })
    expect(run.outputs['mermaid']).toMatch(/^flowchart LR\n/)
    expect(JSON.parse(run.outputs['state']!)).toMatchObject({
      v: 1,
      p: PLAN_FILE,
      s: 'rrp',
      r: 1,
      c: 0
    })
    expect(run.stdout).toContain(
      'Executing batch 1/2 with 2 phase(s): build, lint'
    )
    // The fast path: every round up front, the first one equal to `matrix`.
    expect(run.outputs['fast-rounds']).toBe('2')
    const matrices = JSON.parse(run.outputs['matrices']!) as unknown[]
    expect(matrices).toHaveLength(2)
    expect(matrices[0]).toEqual(JSON.parse(run.outputs['matrix']!))
    expect(idsOf(JSON.stringify(matrices[1]))).toEqual(['test'])
    expect(JSON.parse(run.outputs['state']!)).toMatchObject({ g: 2 })
    expect(run.stdout).toContain(
      'Fast path on: the matrices of all 2 round(s) are handed out up front'
    )
    // The job summary: the waves as a table and the graph.
    expect(run.summary).toContain('| 1 | build, lint | 2 |')
    expect(run.summary).toContain('| 2 | test | 1 |')
    expect(run.summary).toMatch(/```mermaid\nflowchart LR\n[\s\S]*```/)
  })

  test('every problem of an invalid plan: one annotation each at its line and column, all in log and summary', async () => {
    const lines = ['phases:']
    for (let i = 0; i < 12; i++)
      lines.push(`  - id: p${i}`, `    deps: [missing-${i}]`)
    lines.push(
      '  - id: a',
      '    deps: [c]',
      '  - id: b',
      '    deps: [a]',
      '  - id: c',
      '    deps: [b]',
      '    dep: [a]'
    )
    const run = await plan({ [PLAN_FILE]: lines.join('\n') + '\n' })
    expect(run.status).toBe(1)
    const errors = run.stdout
      .split('\n')
      .filter(line => line.startsWith('::error '))
    expect(errors).toHaveLength(13)
    for (let i = 0; i < 12; i++) {
      expect(errors[i]).toBe(
        `::error title=phase-matrix%3A unknown-dependency,file=${PLAN_FILE},line=${3 + 2 * i},col=12::Phase \`p${i}\` depends on unknown phase \`missing-${i}\``
      )
    }
    expect(errors[12]).toMatch(
      /^::error title=phase-matrix%3A cycle,file=.*,line=27,col=12::Circular dependency detected: a -> b -> c -> a$/
    )
    expect(run.stdout).toMatch(
      /^::warning title=phase-matrix%3A unknown-key,file=.*,line=32,col=5::unknown key `dep`/m
    )
    // The log: all of them, the seed's cycle block, and why.
    expect(run.stdout).toContain(
      'Phases involved in cycle:\n  1. a depends on c'
    )
    expect(run.stdout).toContain(
      'all 14 problems are listed above and in the job summary'
    )
    expect(run.stdout).toMatch(/^::error::Invalid phase plan: 13 error\(s\)/m)
    // The summary: every one of them.
    expect(run.summary).toContain('13 error(s), 1 warning(s).')
    for (let i = 0; i < 12; i++) expect(run.summary).toContain(`missing-${i}`)
    expect(run.summary).toContain('Circular dependency detected')
    expect(run.outputs).toEqual({})
  })

  test('a missing plan file is a file-not-found annotation', async () => {
    const run = await plan({ 'README.md': '' }, { plan: 'plans/nope.yaml' })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A file-not-found,file=plans\/nope\.yaml/m
    )
  })

  test('max-waves: a deeper plan folds into the wave jobs there are; only runner changes make it too deep', async () => {
    const chain = ['phases:', '  - id: s0']
    for (let i = 1; i < 12; i++)
      chain.push(`  - id: s${i}`, `    deps: [s${i - 1}]`)
    const folded = await plan(
      { [PLAN_FILE]: chain.join('\n') + '\n' },
      { 'max-waves': '10' }
    )
    expect(folded.status).toBe(0)
    // Every round of a green run fits the 10 wave jobs.
    expect(Number(folded.outputs['fast-rounds'])).toBeLessThanOrEqual(10)
    // A chain that changes runner at every step cannot share a leg.
    const hopping = ['phases:', '  - id: s0', '    runs-on: ubuntu-latest']
    for (let i = 1; i < 12; i++)
      hopping.push(
        `  - id: s${i}`,
        `    deps: [s${i - 1}]`,
        `    runs-on: ${i % 2 === 0 ? 'ubuntu-latest' : 'windows-latest'}`
      )
    const run = await plan(
      { [PLAN_FILE]: hopping.join('\n') + '\n' },
      { 'max-waves': '10' }
    )
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A too-many-waves,file=.*,line=1,col=1::The plan needs 12 round\(s\) of wave jobs, but max-waves allows 10: a round never holds a phase together with a dependency on another runner \(runs-on\)\. It fits in 12 wave job\(s\)\. Use the generated needs graph instead: `phase-matrix generate`/m
    )
    const ok = await plan(
      { [PLAN_FILE]: hopping.join('\n') + '\n' },
      { 'max-waves': '12' }
    )
    expect(ok.status).toBe(0)
  })

  test('leg-concurrency: rounds planned for that many cores (kept in the state for settle); out of range is refused', async () => {
    // Two 30-minute chains and a 60-minute phase, one leg: on two cores
    // both chains fit beside long in round 1; on one they do not.
    const text = `phases:
  - {id: long, estimate_minutes: 60}
  - {id: a1, estimate_minutes: 30}
  - {id: a2, deps: [a1], estimate_minutes: 30}
  - {id: b1, estimate_minutes: 30}
  - {id: b2, deps: [b1], estimate_minutes: 30}
`
    const two = await plan(
      { [PLAN_FILE]: text },
      { 'max-workers': '2', 'leg-concurrency': '2' }
    )
    expect(two.status).toBe(0)
    expect((JSON.parse(two.outputs['state'] ?? '') as { n?: number }).n).toBe(2)
    const one = await plan({ [PLAN_FILE]: text }, { 'max-workers': '2' })
    expect((JSON.parse(one.outputs['state'] ?? '') as { n?: number }).n).toBe(
      undefined
    )
    const phasesOf = (matrix: string | undefined): string[] =>
      legsOf(matrix)
        .flatMap(leg => leg.phases ?? [leg.id])
        .sort()
    expect(phasesOf(two.outputs['matrix'])).toEqual([
      'a1',
      'a2',
      'b1',
      'b2',
      'long'
    ])
    expect(phasesOf(one.outputs['matrix']).length).toBeLessThan(5)
    const bad = await plan({ [PLAN_FILE]: text }, { 'leg-concurrency': '300' })
    expect(bad.status).toBe(1)
    expect(bad.stdout).toContain(
      "Invalid input 'leg-concurrency': '300'. Expected a whole number from 1 to 256, or nothing for one core."
    )
  })

  test('a wave over 64 phases is one round, packed into 64 legs, with pack on or off', async () => {
    const wide = ['phases:']
    for (let i = 0; i < 300; i++) wide.push(`  - id: w${i}`)
    for (const pack of ['true', 'false']) {
      const packed = await plan(
        { [PLAN_FILE]: wide.join('\n') + '\n' },
        { 'max-waves': '1', pack }
      )
      expect([pack, packed.status]).toEqual([pack, 0])
      const legs = (
        JSON.parse(packed.outputs['matrix'] ?? '') as {
          include: { id: string; leg: number; phases: string[] }[]
        }
      ).include
      expect(legs).toHaveLength(64)
      expect(legs[0]?.id).toBe('wave 1 leg 1/64')
      expect(legs.map(leg => leg.leg)).toEqual(
        Array.from({ length: 64 }, (_, index) => index + 1)
      )
      expect(legs.flatMap(leg => leg.phases).sort()).toEqual(
        wide
          .slice(1)
          .map(line => line.slice('  - id: '.length))
          .sort()
      )
    }
  })

  test('phases marked done: in waves and phase-count, in no matrix; all done means no work', async () => {
    const partly = await plan({
      [PLAN_FILE]:
        'phases:\n  - id: a\n    status: done\n  - id: b\n  - id: c\n    deps: [a]\n'
    })
    // c's only dependency is done: it is ready with b.
    expect(idsOf(partly.outputs['matrix'])).toEqual(['b', 'c'])
    expect(partly.outputs['phase-count']).toBe('3')
    expect(partly.outputs['waves']).toBe('[["a","b"],["c"]]')
    expect(partly.summary).toContain('| 1 | a (done), b | 2 |')

    const done = await plan({
      [PLAN_FILE]: 'phases:\n  - id: a\n    status: done\n'
    })
    expect(done.status).toBe(0)
    expect(done.outputs['has-work']).toBe('false')
    expect(done.outputs['matrix']).toBe('{"include":[]}')
    expect(done.stdout).toContain('Nothing to run: every phase is marked done.')

    // Settle on it: finished at once, green, without a single API call.
    const before = github.requests.length
    const settled = await runAction(SETTLE_BUNDLE, {
      cwd: done.cwd,
      inputs: { state: done.outputs['state']!, 'github-token': 'ghs_x' },
      env: { GITHUB_API_URL: github.url }
    })
    expect(settled.status).toBe(0)
    expect(github.requests.length).toBe(before)
    expect(settled.summary).toContain('✅ All 1 phase(s) succeeded')
    expect(settled.summary).toContain('status: done in the plan')
  })

  test('max-workers out of range is a clear failure with the value and the range', async () => {
    for (const value of ['4294967296', '99999999999999999999']) {
      const run = await plan(
        { [PLAN_FILE]: 'phases:\n  - id: a\n' },
        { 'max-workers': value }
      )
      expect(run.status).toBe(1)
      expect(run.stdout).toContain(
        `::error::Invalid input 'max-workers': '${value}'. Expected a whole number from 0 (no limit) to 256.`
      )
      expect(run.outputs['max-workers']).toBeUndefined()
    }
  })

  test('max-workers: the input, the config, parallel disabled', async () => {
    const phases = 'phases:\n  - id: a\n  - id: b\n'
    expect(
      (await plan({ [PLAN_FILE]: phases }, { 'max-workers': '4' })).outputs[
        'max-workers'
      ]
    ).toBe('4')
    const disabled = await plan({
      [PLAN_FILE]: phases,
      '.prd_runner/config.yaml': 'parallel:\n  enabled: false\n'
    })
    expect(disabled.outputs['max-workers']).toBe('1')
    const configured = await plan(
      {
        [PLAN_FILE]: phases,
        'ci/phases.yaml':
          'parallel:\n  max_workers: 7\n  fail_fast: true\n' +
          '  resource_limits: {max_memory_mb: 8192, max_cpu_percent: 80}\n'
      },
      { config: 'ci/phases.yaml' }
    )
    expect(configured.outputs['max-workers']).toBe('7')
    expect(configured.outputs['max-memory-mb']).toBe('8192')
    expect(configured.outputs['max-cpu-percent']).toBe('80')
    expect(configured.outputs['fail-fast']).toBe('true')
    const overridden = await plan(
      {
        [PLAN_FILE]: phases,
        'ci/phases.yaml': 'parallel:\n  fail_fast: true\n'
      },
      { config: 'ci/phases.yaml', 'fail-fast': 'false' }
    )
    expect(overridden.outputs['fail-fast']).toBe('false')
    const bad = await plan({ [PLAN_FILE]: phases }, { 'max-workers': 'many' })
    expect(bad.status).toBe(1)
    expect(bad.stdout).toMatch(
      /^::error::Invalid input 'max-workers': 'many'\. Expected a whole number/m
    )
  })

  test('outputs near 1 MB are a clear error, not a truncated matrix', async () => {
    const command = `echo ${'x'.repeat(18_000)}`
    const big = ['phases:']
    for (let i = 0; i < 60; i++)
      big.push(`  - id: big${i}`, `    run: ${command}`)
    const run = await plan({ [PLAN_FILE]: big.join('\n') + '\n' })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A too-large,.*::The plan step's outputs take [\d,]+ bytes as GitHub counts them \(UTF-16.*matrix \d+ KiB.*GitHub keeps at most 1,048,576 bytes/m
    )
    expect(run.outputs).toEqual({})
  })

  test('a 64-phase wave of 9.6 KB commands: under 1 MiB in UTF-8, over it in UTF-16: our error', async () => {
    const big = ['phases:']
    for (let i = 0; i < 64; i++)
      big.push(`  - id: p${i}`, `    run: echo ${'x'.repeat(9600)}`)
    const run = await plan({ [PLAN_FILE]: big.join('\n') + '\n' })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A too-large,.*::The plan step's outputs take [\d,]+ bytes as GitHub counts them.*1,048,576 bytes.*the limit here is 983,040 bytes/m
    )
    expect(run.outputs).toEqual({})
  })

  test('a run command longer than one environment string is handed out: exec reads it from the plan and runs it', async () => {
    const text = `phases:\n  - id: ok\n  - id: huge\n    run: echo ${'x'.repeat(140_000)} > huge.txt\n`
    const run = await plan({ [PLAN_FILE]: text })
    expect(run.status).toBe(0)
    const legs = legsOf(run.outputs['matrix'])
    expect(legs.map(leg => leg.id)).toEqual(['ok', 'huge'])
    const exec = await runAction(EXEC_BUNDLE, {
      cwd: run.cwd,
      inputs: { phases: 'huge', round: '1', leg: '2' }
    })
    expect(exec.status).toBe(0)
    expect(readFileSync(path.join(run.cwd, 'huge.txt'), 'utf8')).toBe(
      `${'x'.repeat(140_000)}\n`
    )
  })

  test('an id longer than one environment string is refused at its line, no leg handed out', async () => {
    const run = await plan({
      [PLAN_FILE]: `phases:\n  - id: ok\n  - id: ${'x'.repeat(140_000)}\n`
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A too-large,file=\.prd_runner\/phase_plan\.yaml,line=3,col=9::The id of phase .*input phases.*E2BIG/m
    )
    expect(run.outputs).toEqual({})
  })

  test('a wave whose phases name more runners than a round has legs is refused, no leg handed out', async () => {
    const phases = Array.from(
      { length: 65 },
      (_, i) => `  - id: p${i}\n    runs-on: runner-${i}\n`
    ).join('')
    const run = await plan({ [PLAN_FILE]: `phases:\n${phases}` })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A too-large,.*::Wave 1 needs 65 legs: its phases name more different runners \(runs-on\) than the 64 legs a round may have/m
    )
    expect(run.outputs).toEqual({})
  })

  test('a later round too large for the settle step is refused by the plan step', async () => {
    // Round 1 is small; wave 2 holds 60 phases of 10 KB commands.
    const big = ['phases:', '  - id: first']
    for (let i = 0; i < 60; i++)
      big.push(
        `  - id: p${i}`,
        '    deps: [first]',
        `    run: echo ${'x'.repeat(10_000)}`
      )
    const run = await plan({ [PLAN_FILE]: big.join('\n') + '\n' })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A too-large,.*::The settle step's outputs can take up to [\d,]+ bytes/m
    )
  })

  test('fast path off: matrices over the output budget, and a re-run', async () => {
    // Round 1 is small; rounds 2-5 hold 60 phases of 2.5 KB commands each:
    // any one round fits (settle hands them out one by one), all of them
    // together (UTF-16: 2 bytes a unit) take more than 1 MB.
    const big = ['phases:', '  - id: root']
    for (let wave = 0; wave < 4; wave++) {
      for (let i = 0; i < 60; i++) {
        big.push(
          `  - id: big${wave}-${i}`,
          `    deps: [${wave === 0 ? 'root' : `big${wave - 1}-0`}]`,
          `    run: echo ${'x'.repeat(2500)}`
        )
      }
    }
    const large = await plan({ [PLAN_FILE]: big.join('\n') + '\n' })
    expect(large.status).toBe(0)
    expect(idsOf(large.outputs['matrix'])).toEqual(['root'])
    expect(large.outputs['fast-rounds']).toBe('0')
    expect(large.outputs['matrices']).toBe('[]')
    expect(JSON.parse(large.outputs['state']!)).not.toHaveProperty('g')
    expect(large.stdout).toContain(
      "Fast path off (output fast-rounds: 0): the matrices of all 5 rounds do not fit in GitHub's 1024 KiB of job outputs"
    )

    const cwd = workspaceWith({
      [PLAN_FILE]: 'phases:\n  - id: a\n  - id: b\n    deps: [a]\n'
    })
    const rerun = await runAction(PLAN_BUNDLE, {
      cwd,
      env: { GITHUB_RUN_ATTEMPT: '2' }
    })
    expect(rerun.outputs['fast-rounds']).toBe('0')
    expect(rerun.outputs['matrices']).toBe('[]')
    expect(rerun.stdout).toContain(
      'this is run attempt 2, so settle runs after every wave'
    )
  })

  test('the plan bundle does not load @actions/github', () => {
    requireBundle(PLAN_BUNDLE)
    const bundle = readFileSync(PLAN_BUNDLE, 'utf8')
    // The plan step makes no API call: Octokit stays out of its bundle.
    expect(bundle).not.toMatch(/octokit/i)
  })
})

function idsOf(matrix: string | undefined): string[] {
  return (
    JSON.parse(matrix ?? '') as { include: { id: string }[] }
  ).include.map(e => e.id)
}
