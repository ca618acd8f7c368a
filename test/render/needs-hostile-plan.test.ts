// A plan written to break the generated workflow, and random graphs: what
// GitHub reads back is exactly the plan, and nothing of it is evaluated.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { parse } from 'yaml'
import { GATE_JOB_ID } from '../../src/render/needs-workflow.js'
import {
  HAND_ON_SCRIPT,
  IO_SETUP_SCRIPT,
  neededOutputsValue,
  PHASE_OUTPUTS_VALUE,
  READ_OUTPUTS_SCRIPT,
  READ_OUTPUTS_VALUE,
  cancelStep
} from '../../src/render/needs-jobs.js'
import {
  convertedJobs,
  workflowStringValue
} from '../support/github-expressions.js'
import { analysed, type PhaseSpec } from './build-plan.js'
import {
  expectGitHubAccepts,
  jobsByPhase,
  render,
  shownName,
  workflowOf
} from './needs-render.js'

/** The step that runs the phase's command (plain or by exec). */
function isCommand(step: Record<string, unknown>): boolean {
  return String(step['name']).startsWith('Run phase')
}

describe('a plan written to break things', () => {
  const hostile: PhaseSpec[] = [
    [
      'user@service',
      [],
      {
        run: 'echo ${{ secrets.X }}',
        description: 'reads ${{ secrets.X }} $(id) `id`'
      }
    ],
    [
      'a/b',
      ['user@service'],
      { run: 'echo $(id) `whoami` ; rm -rf "$HOME/x"' }
    ],
    ['c++', [], { run: 'no', description: 'on' }],
    ['1.10', ['c++'], { run: '12:30', name: 'yes' }],
    ['__init', [], { run: 'line one\n  ${{ github.token }}\nline "three"\n' }],
    ['x'.repeat(130), ['__init'], { run: 'on' }],
    ['y'.repeat(130), ['x'.repeat(130)], { run: "it's ''${{ '${{' }}''" }],
    ['a.b', [], { run: 'printf "%s\\n" "${HOME}"' }],
    ['a_b', ['a.b'], { run: '~' }],
    ['A@B', [], { run: '0o7' }],
    [
      '${{secrets.X}}',
      ['a_b'],
      { run: '1e3', runsOn: '${{ secrets.RUNNER }}' }
    ],
    ['phase-matrix-gate', [], { run: 'echo gate?', timeoutMinutes: 3 }],
    [
      'evil',
      ['phase-matrix-gate'],
      {
        run: 'x\r\ny: 1\u2028z: 2',
        description: 'desc\r\njobs: {}\u2028\u202e bidi',
        runsOn: ['self-hosted', 'linux', '${{ vars.X }}']
      }
    ]
  ]

  test('is accepted by actionlint and by GitHub’s parser', async () => {
    await expectGitHubAccepts(render(analysed(hostile)).text)
    await expectGitHubAccepts(
      render(analysed(hostile), { failFast: true, maxWorkers: 3 }).text
    )
  })

  test('every job id is legal and unique ignoring case', () => {
    const workflow = workflowOf(render(analysed(hostile)))
    const ids = Object.keys(workflow.jobs)
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/)
      expect(id.startsWith('__')).toBe(false)
      expect(id.length).toBeLessThan(100)
    }
    expect(new Set(ids.map(id => id.toLowerCase())).size).toBe(ids.length)
    expect(ids).toContain('a_b') // the readable one keeps its id
  })

  test('GitHub reads every name, command and label back exactly, evaluating nothing', async () => {
    const result = render(analysed(hostile))
    const { jobs, errors } = await convertedJobs(result.text)
    expect(errors).toEqual([])
    const byName = new Map(
      jobs.map(job => [workflowStringValue(job.name), job])
    )
    const read = jobsByPhase(workflowOf(result))
    for (const [id, , extra = {}] of hostile) {
      const job = byName.get(id)
      expect(job).toBeDefined()
      // The command step, among the fixed-text steps around it.
      const at = read.get(id)![1].steps.findIndex(isCommand)
      const run = job!.steps[at]!.run
      expect(workflowStringValue(run)).toBe(extra.run)
      const runsOn = extra.runsOn
      if (runsOn !== undefined) {
        // A template token: a sequence of label tokens, or one label.
        const token = job!['runs-on'] as { seq?: unknown[] }
        const read = (token.seq ?? [token]).map(workflowStringValue)
        expect(read).toEqual(Array.isArray(runsOn) ? runsOn : [runsOn])
      }
    }
  })

  test('no ${{ is left in the YAML except our own expressions', () => {
    const { text } = render(analysed(hostile), { failFast: true })
    const ours = [
      "${{ '${{' }}",
      '${{ github.token }}',
      PHASE_OUTPUTS_VALUE,
      READ_OUTPUTS_VALUE,
      ...Object.keys(workflowOf(render(analysed(hostile))).jobs).map(
        neededOutputsValue
      ),
      "${{ contains(needs.*.result, 'failure') }}",
      "${{ contains(needs.*.result, 'cancelled') }}",
      "${{ contains(needs.*.result, 'skipped') }}"
    ]
    const code = text
      .split('\n')
      .filter(line => !line.trimStart().startsWith('#'))
      .join('\n')
    let rest = code
    for (const expression of ours) rest = rest.replaceAll(expression, '')
    expect(rest).not.toContain('${{')
    expect(code).toContain("${{ '${{' }}")
  })

  test('plan text never reaches shell code we write, nor an if:', () => {
    const workflow = workflowOf(render(analysed(hostile), { failFast: true }))
    const ours = new Set([
      IO_SETUP_SCRIPT,
      READ_OUTPUTS_SCRIPT,
      HAND_ON_SCRIPT,
      cancelStep().run
    ])
    for (const [id, [, job]] of jobsByPhase(workflow)) {
      expect(job.if ?? '').not.toMatch(/secrets|vars|\$\(/)
      for (const step of job.steps) {
        if (isCommand(step) || step['uses'] !== undefined) continue
        expect(ours.has(step['run'] as string)).toBe(true)
        // The id reaches the hand-on step as an env value: JSON, escaped.
        const env = (step['env'] ?? {}) as Record<string, string>
        for (const [name, value] of Object.entries(env)) {
          if (name === 'PHASE_MATRIX_ID')
            expect(JSON.parse(shownName(value))).toBe(id)
          else expect(value).not.toContain('secrets')
        }
      }
    }
  })

  test('reads back the same under YAML 1.1 and 1.2', () => {
    const { text } = render(analysed(hostile))
    expect(parse(text, { version: '1.1' })).toEqual(
      parse(text, { version: '1.2' })
    )
    const jobs = jobsByPhase(workflowOf(render(analysed(hostile))))
    const command = (id: string): unknown =>
      jobs.get(id)![1].steps.find(isCommand)!['run']
    expect(command('c++')).toBe('no')
    expect(command('1.10')).toBe('12:30')
  })
})

describe('the graph survives the trip through YAML (property)', () => {
  // A random DAG: phase i may depend on any phase j < i.
  // Edges are built as (j, i) with j < i, never filtered (a filter that can
  // never pass, as for one phase, would make fast-check retry for ever).
  const edge = (count: number): fc.Arbitrary<[number, number]> =>
    fc
      .tuple(fc.nat({ max: count - 2 }), fc.nat({ max: count - 2 }))
      .map(([a, b]): [number, number] => (a <= b ? [a, b + 1] : [b, a + 1]))
  const dag = fc
    .integer({ min: 1, max: 25 })
    .chain(count =>
      fc.tuple(
        fc.constant(count),
        count < 2 ? fc.constant([]) : fc.array(edge(count), { maxLength: 60 }),
        fc.array(
          fc.constantFrom('.', '@', '/', '+', '1', 'a', 'A', '_', '-', '${{'),
          { minLength: 25, maxLength: 25 }
        )
      )
    )

  test('parsing the generated YAML gives exactly the plan’s edges', () => {
    fc.assert(
      fc.property(dag, ([count, edges, flavours]) => {
        // Ids that sanitise alike and differ only in punctuation, on purpose.
        const ids = Array.from(
          { length: count },
          (_, i) => `p${flavours[i] ?? ''}${i}`
        )
        const deps: string[][] = ids.map(() => [])
        for (const [from, to] of edges) {
          const id = ids[from]!
          if (!deps[to]!.includes(id)) deps[to]!.push(id)
        }
        const specs: PhaseSpec[] = ids.map((id, i) => [id, deps[i]])
        const workflow = workflowOf(render(analysed(specs)))
        const nameOf = new Map(
          Object.entries(workflow.jobs).map(([jobId, job]) => [
            jobId,
            shownName(job.name)
          ])
        )
        const jobs = jobsByPhase(workflow)
        expect(jobs.size).toBe(count)
        ids.forEach((id, i) => {
          const needs = (jobs.get(id)![1].needs ?? []).map(n => nameOf.get(n))
          expect(needs).toEqual(deps[i])
        })
        const gateNeeds = workflow.jobs[GATE_JOB_ID]!.needs!.map(n =>
          nameOf.get(n)
        )
        expect(gateNeeds).toEqual(ids)
      }),
      { numRuns: 100 }
    )
  })
})
