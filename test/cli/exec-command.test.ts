// `phase-matrix exec`: a leg's phases in order, past a failure, each with its
// own timeout, commands run exactly as written, the record at the end
// (written by exec alone: a phase cannot forge it or reach the runner's
// tokens).
import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { main } from '../../src/cli/main.js'
import { decodeLegRecord, type LegRecord } from '../../src/plan/leg-record.js'
import { recordingIo } from '../cli-helpers.js'
import { workspaceWith } from '../support/run-action.js'

function planOf(phases: string): string {
  return `phases:\n${phases}`
}

async function exec(
  cwd: string,
  args: string[],
  env: Record<string, string> = {}
) {
  const io = recordingIo({
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env }
  })
  // One after another unless a test says otherwise: the default is this
  // machine's cores, which differ between machines.
  const concurrency = args.includes('--leg-concurrency')
    ? []
    : ['--leg-concurrency', '1']
  const code = await main(
    [
      'exec',
      '--plan',
      'plan.yaml',
      '--record',
      'record.json',
      ...concurrency,
      ...args
    ],
    io
  )
  return { code, out: io.out, err: io.err }
}

/** The record exec wrote in `cwd`. */
function recordIn(cwd: string): LegRecord {
  const decoded = decodeLegRecord(
    readFileSync(path.join(cwd, 'record.json'), 'utf8').trim()
  )
  if ('problem' in decoded) throw new Error(decoded.problem)
  return decoded.record
}

/** Running (a zombie waiting for its parent to reap it has ended). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) Z/.test(stat)
  } catch {
    return false
  }
}

/** Whether `pid` ends within a minute (it is checked every 100 ms). */
async function ended(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 600 && isAlive(pid); tries++)
    await new Promise(resolve => setTimeout(resolve, 100))
  return !isAlive(pid)
}

describe('phase-matrix exec', () => {
  test('a failure in the middle of a leg: the others still run, the dependent is skipped, exit 1', async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: first\n    run: echo one > first.txt',
          '  - id: middle\n    run: |\n      echo "going down"\n      exit 3',
          '  - id: last\n    run: echo three > last.txt',
          '  - id: after-middle\n    deps: [middle]\n    run: echo never > never.txt'
        ].join('\n') + '\n'
      )
    })
    const run = await exec(
      cwd,
      [
        '--round',
        '2',
        '--leg',
        '3',
        '--phases',
        'after-middle,last,middle,first'
      ],
      { GITHUB_ACTIONS: 'true', GITHUB_RUN_ATTEMPT: '4' }
    )
    expect(run.code).toBe(1)
    expect(readFileSync(path.join(cwd, 'first.txt'), 'utf8')).toBe('one\n')
    expect(readFileSync(path.join(cwd, 'last.txt'), 'utf8')).toBe('three\n')
    expect(existsSync(path.join(cwd, 'never.txt'))).toBe(false)
    // Dependency order: by wave, then plan order; one group each.
    const groups = [...run.out.matchAll(/^::group::Phase (\S+)$/gm)].map(
      m => m[1]
    )
    expect(groups).toEqual(['first', 'middle', 'last'])
    expect(run.out).toContain('going down')
    expect(run.out).toMatch(
      /^✗ Phase middle failed with exit code 3 \(\d+s\)$/m
    )
    expect(run.out).toMatch(/^::error::Phase middle failed with exit code 3$/m)
    expect(run.out).toContain(
      '⊘ Phase after-middle skipped: dependency middle did not succeed'
    )
    // The record: in the order of the ids given, naming its round, attempt and leg.
    const record = recordIn(cwd)
    expect(record).toMatchObject({ round: 2, attempt: 4, leg: 3 })
    expect(record.phases.map(p => p.status)).toEqual([
      'skipped',
      'succeeded',
      'failed',
      'succeeded'
    ])
    const first = record.phases[3]!
    expect(first.end).toBeGreaterThanOrEqual(first.start!)
    // Nothing in the log carries the record: settle never reads logs.
    expect(run.out).not.toContain(
      readFileSync(path.join(cwd, 'record.json'), 'utf8').trim()
    )
  })

  test('a phase killed by its timeout: its whole process group stops, the leg goes on', async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: slow',
          '    timeout-minutes: 0.02',
          '    run: |',
          '      sleep 60 &',
          '      echo $! > background.pid',
          '      sleep 60',
          '  - id: quick\n    run: echo ok > quick.txt'
        ].join('\n') + '\n'
      )
    })
    const run = await exec(cwd, ['slow', 'quick'])
    expect(run.code).toBe(1)
    expect(run.out).toMatch(
      /✗ Phase slow timed out after 0\.02 minute\(s\) \(timeout-minutes\); its processes were stopped/
    )
    const background = Number(
      readFileSync(path.join(cwd, 'background.pid'), 'utf8')
    )
    expect(await ended(background)).toBe(true)
    expect(readFileSync(path.join(cwd, 'quick.txt'), 'utf8')).toBe('ok\n')
    expect(recordIn(cwd).phases.map(p => p.status)).toEqual([
      'timed-out',
      'succeeded'
    ])
  }, 120_000)

  test('commands with quotes, $(…) and ${{ run exactly as written', async () => {
    const command =
      `printf '%s\\n' "it's \\"quoted\\"" "$(echo sub-shell)" ` +
      '\'${{ github.token }}\' "\\${{ secrets.X }}" > out.txt'
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        `  - id: quoting\n    run: ${JSON.stringify(command)}\n`
      )
    })
    const run = await exec(cwd, ['--phases', '["quoting"]'])
    expect(run.code).toBe(0)
    expect(readFileSync(path.join(cwd, 'out.txt'), 'utf8')).toBe(
      'it\'s "quoted"\nsub-shell\n' + '${{ github.token }}\n${{ secrets.X }}\n'
    )
    expect(recordIn(cwd).phases[0]?.status).toBe('succeeded')
  })

  test('each phase sees PHASE_ID, PHASE_WAVE and PHASE_LEG; pipefail as in a run: step', async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: env-check\n    run: echo "$PHASE_ID $PHASE_WAVE $PHASE_LEG" > env.txt',
          '  - id: piped\n    run: false | cat'
        ].join('\n') + '\n'
      )
    })
    const run = await exec(cwd, ['--leg', '2', 'env-check', 'piped'])
    expect(run.code).toBe(1)
    expect(readFileSync(path.join(cwd, 'env.txt'), 'utf8')).toBe(
      'env-check 1 round 1 leg 2\n'
    )
    expect(recordIn(cwd).phases[1]?.status).toBe('failed')
  })

  test("a phase cannot speak for its leg: no runner tokens or INPUT_*, its own file commands, the record exec's alone", async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: nosy',
          '    run: |',
          '      env | sort > env.txt',
          '      echo "record=forged" >> "$GITHUB_OUTPUT"',
          '      echo "FORGED=1" >> "$GITHUB_ENV"',
          '      echo "$GITHUB_OUTPUT" > output-file.txt',
          '      echo "phase-matrix-leg: look-alike"',
          '      echo "::add-mask::succeeded"'
        ].join('\n') + '\n'
      )
    })
    const stepOutput = path.join(cwd, 'step-output.txt')
    const stepEnv = path.join(cwd, 'step-env.txt')
    const run = await exec(cwd, ['nosy'], {
      ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
      ACTIONS_RUNTIME_URL: 'https://runtime.example',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example',
      ACTIONS_CACHE_URL: 'https://cache.example',
      ACTIONS_RESULTS_URL: 'https://results.example',
      INPUT_PHASES: 'nosy',
      GITHUB_OUTPUT: stepOutput,
      GITHUB_ENV: stepEnv,
      KEPT: 'yes'
    })
    expect(run.code).toBe(0)
    const env = readFileSync(path.join(cwd, 'env.txt'), 'utf8')
    for (const secret of [
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_RUNTIME_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_CACHE_URL',
      'ACTIONS_RESULTS_URL',
      'INPUT_PHASES'
    ]) {
      expect([secret, env.includes(`${secret}=`)]).toEqual([secret, false])
    }
    expect(env).toContain('KEPT=yes')
    // Its own GITHUB_OUTPUT, gone after the leg; the step's files untouched.
    const own = readFileSync(path.join(cwd, 'output-file.txt'), 'utf8').trim()
    expect(own).not.toBe(stepOutput)
    expect(existsSync(own)).toBe(false)
    expect(existsSync(stepOutput)).toBe(false)
    expect(existsSync(stepEnv)).toBe(false)
    expect(recordIn(cwd).phases.map(p => p.status)).toEqual(['succeeded'])
  })

  test('unknown phase ids and no ids are usage errors', async () => {
    const cwd = workspaceWith({ 'plan.yaml': planOf('  - id: a\n') })
    const unknown = await exec(cwd, ['a', 'b'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('does not have: b')
    const none = await exec(cwd, [])
    expect(none.code).toBe(2)
    expect(none.err).toContain('no phases to run')
  })
})

describe('phase-matrix exec --leg-concurrency', () => {
  // a ─┬─ b (fails) ── c (skipped)
  //    └─ d
  // e, f: independent; every phase prints two lines with a pause between.
  const PLAN = planOf(
    [
      ['a', []],
      ['b', ['a'], 'exit 2'],
      ['c', ['b']],
      ['d', ['a']],
      ['e', []],
      ['f', []]
    ]
      .map(([id, deps, tail]) =>
        [
          `  - id: ${String(id)}`,
          `    deps: [${(deps as string[]).join(', ')}]`,
          '    run: |',
          `      echo "${String(id)} one"`,
          '      sleep 0.2',
          `      echo "${String(id)} two" >&2`,
          `      echo ${String(id)} >> ran.log`,
          ...(tail === undefined ? [] : [`      ${String(tail)}`])
        ].join('\n')
      )
      .join('\n') + '\n'
  )
  const IDS = 'a,b,c,d,e,f'

  /** Each group's lines, by phase: what the log shows between ::group:: and ::endgroup::. */
  function groups(out: string): Map<string, string[]> {
    const found = new Map<string, string[]>()
    let open: string[] | undefined
    for (const line of out.split('\n')) {
      const start = /^::group::Phase (\S+)$/.exec(line)
      if (start !== null) {
        expect(open).toBeUndefined()
        open = []
        found.set(start[1]!, open)
      } else if (line === '::endgroup::') open = undefined
      else open?.push(line)
    }
    return found
  }

  test.each([1, 2, 4])(
    'leg-concurrency %i: the same results, one whole log group a phase',
    async concurrency => {
      const cwd = workspaceWith({ 'plan.yaml': PLAN })
      const run = await exec(
        cwd,
        ['--leg-concurrency', String(concurrency), '--phases', IDS],
        { GITHUB_ACTIONS: 'true' }
      )
      expect(run.code).toBe(1)
      expect(recordIn(cwd).phases.map(p => p.status)).toEqual([
        'succeeded',
        'failed',
        'skipped',
        'succeeded',
        'succeeded',
        'succeeded'
      ])
      const ran = readFileSync(path.join(cwd, 'ran.log'), 'utf8')
        .trim()
        .split('\n')
      expect([...ran].sort()).toEqual(['a', 'b', 'd', 'e', 'f'])
      // Dependencies first, whatever runs beside them.
      expect(ran.indexOf('a')).toBeLessThan(ran.indexOf('b'))
      expect(ran.indexOf('a')).toBeLessThan(ran.indexOf('d'))
      // Every phase's output inside its own group, nothing of another's.
      const byPhase = groups(run.out)
      expect([...byPhase.keys()].sort()).toEqual(['a', 'b', 'd', 'e', 'f'])
      for (const [id, lines] of byPhase) {
        const own = lines.filter(line => /^[a-f] (one|two)$/.test(line))
        // One after another, the output is streamed as it comes, stderr on
        // its own stream; at once, all of it is kept for the phase's group.
        expect(own).toEqual(
          concurrency === 1 ? [`${id} one`] : [`${id} one`, `${id} two`]
        )
        if (concurrency === 1) expect(run.err).toContain(`${id} two\n`)
      }
      expect(run.out).toContain(
        '⊘ Phase c skipped: dependency b did not succeed'
      )
      expect(run.out).toMatch(/^::error::Phase b failed with exit code 2$/m)
    },
    60_000
  )

  test('phases really run at once: two that wait for each other both finish', async () => {
    const wait = (mine: string, theirs: string): string =>
      [
        `      touch ${mine}.started`,
        `      for i in $(seq 600); do [ -f ${theirs}.started ] && exit 0; sleep 0.1; done`,
        '      exit 1'
      ].join('\n')
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        `  - id: left\n    run: |\n${wait('left', 'right')}\n` +
          `  - id: right\n    run: |\n${wait('right', 'left')}\n`
      )
    })
    const run = await exec(cwd, ['--leg-concurrency', '2', 'left', 'right'])
    expect(run.code).toBe(0)
    expect(recordIn(cwd).phases.map(p => p.status)).toEqual([
      'succeeded',
      'succeeded'
    ])
  }, 120_000)

  test('a timeout stops only its phase; the others at its side finish', async () => {
    const cwd = workspaceWith({
      'plan.yaml': planOf(
        [
          '  - id: slow',
          '    timeout-minutes: 0.02',
          '    run: sleep 60',
          '  - id: steady\n    run: sleep 0.5; echo ok > steady.txt',
          '  - id: after-slow\n    deps: [slow]\n    run: echo never > never.txt'
        ].join('\n') + '\n'
      )
    })
    const run = await exec(cwd, [
      '--leg-concurrency',
      '4',
      'slow',
      'steady',
      'after-slow'
    ])
    expect(run.code).toBe(1)
    expect(recordIn(cwd).phases.map(p => p.status)).toEqual([
      'timed-out',
      'succeeded',
      'skipped'
    ])
    expect(readFileSync(path.join(cwd, 'steady.txt'), 'utf8')).toBe('ok\n')
    expect(existsSync(path.join(cwd, 'never.txt'))).toBe(false)
  }, 120_000)

  test.each(['0', '257', 'many'])(
    'refuses --leg-concurrency %s (exit 2)',
    async value => {
      const cwd = workspaceWith({ 'plan.yaml': PLAN })
      const run = await exec(cwd, ['--leg-concurrency', value, 'a'])
      expect(run.code).toBe(2)
      expect(run.err).toMatch(/leg-concurrency/)
    }
  )
})

// A user's own wave jobs running the CLI: $PHASE_INPUTS from earlier
// rounds' wave jobs (env PHASE_MATRIX_ROUND_<k>, as settle gets them) and
// from a needs graph's needed jobs (env PHASE_MATRIX_NEEDS_<n>), as the
// exec action reads them.
describe('phase-matrix exec: outputs from outside the leg', () => {
  const TALKING = planOf(
    [
      '  - id: build',
      '    run: echo "version=1.2.3" >> "$PHASE_OUTPUT"',
      '  - id: other',
      '    run: echo "x=1" >> "$PHASE_OUTPUT"',
      '  - id: deploy',
      '    deps: [build]',
      '    run: cp "$PHASE_INPUTS" inputs.json'
    ].join('\n') + '\n'
  )

  function inputsIn(cwd: string): unknown {
    return JSON.parse(readFileSync(path.join(cwd, 'inputs.json'), 'utf8'))
  }

  test('round 2 reads round 1’s outputs from PHASE_MATRIX_ROUND_1', async () => {
    const cwd = workspaceWith({ 'plan.yaml': TALKING })
    const first = await exec(cwd, [
      '--round',
      '1',
      '--leg',
      '1',
      'build',
      'other'
    ])
    expect(first.code).toBe(0)
    const record = readFileSync(path.join(cwd, 'record.json'), 'utf8').trim()
    // What `${{ toJSON(needs.wave-1) }}` gives: each leg's
    // `format('{0} {1}', job.status, record)`.
    const wave1 = JSON.stringify({
      result: 'success',
      outputs: { 'leg-1': `success ${record}` }
    })
    const second = await exec(cwd, ['--round', '2', '--leg', '1', 'deploy'], {
      PHASE_MATRIX_ROUND_1: wave1
    })
    expect(second.code).toBe(0)
    // Only its direct dependency: not `other`.
    expect(inputsIn(cwd)).toEqual({ build: { version: '1.2.3' } })
    // Its own round's (or a later one's) records are not earlier outputs.
    await exec(cwd, ['--round', '1', '--leg', '2', 'deploy'], {
      PHASE_MATRIX_ROUND_1: wave1
    })
    expect(inputsIn(cwd)).toEqual({})
  })

  test('a leg reads what unchanged phases stored from the plan step (PHASE_MATRIX_NEEDS_PLAN)', async () => {
    const cwd = workspaceWith({ 'plan.yaml': TALKING })
    const run = await exec(cwd, ['--round', '1', '--leg', '1', 'deploy'], {
      // The plan step's phase-outputs: build is unchanged, other too.
      PHASE_MATRIX_NEEDS_PLAN: JSON.stringify({
        build: { version: '1.2.0' },
        other: { x: '0' }
      })
    })
    expect(run.code).toBe(0)
    expect(inputsIn(cwd)).toEqual({ build: { version: '1.2.0' } })
  })

  test('a needs-graph job reads its needed jobs’ phase-outputs from PHASE_MATRIX_NEEDS_<n>', async () => {
    const cwd = workspaceWith({ 'plan.yaml': TALKING })
    const run = await exec(cwd, ['deploy'], {
      // A plain job's (GitHub's indented toJSON) and a job that wrote none.
      PHASE_MATRIX_NEEDS_1: '{"build":{\n  "version": "1.2.3"\n}}',
      PHASE_MATRIX_NEEDS_2: ''
    })
    expect(run.code).toBe(0)
    expect(inputsIn(cwd)).toEqual({ build: { version: '1.2.3' } })
  })

  test('a PHASE_MATRIX_ROUND_<k> that is not a needs context is a usage error', async () => {
    const cwd = workspaceWith({ 'plan.yaml': TALKING })
    const run = await exec(cwd, ['--round', '2', 'deploy'], {
      PHASE_MATRIX_ROUND_1: 'needs.wave-1'
    })
    expect(run.code).toBe(2)
    expect(run.err).toContain(
      "PHASE_MATRIX_ROUND_1 is not a wave job's needs context"
    )
  })
})
